/*
 * pg_stubs.c — stand-ins for the few server functions the pure parts of the
 * extension call, so they can be compiled against the server headers and run
 * outside the server (fuzzing, sanitizers).
 *
 * palloc and friends are malloc and friends (so AddressSanitizer and
 * LeakSanitizer see every allocation); ereport(ERROR) records its SQLSTATE
 * and message and jumps to pg_stub_error_jmp, which the caller sets with
 * setjmp around the code under test; CHECK_FOR_INTERRUPTS never fires.
 */
#include "postgres.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "miscadmin.h"

#include "pg_stubs.h"

volatile sig_atomic_t InterruptPending = false;
jmp_buf    *pg_stub_error_jmp = NULL;
int			pg_stub_sqlerrcode = 0;
char		pg_stub_message[256];

/* Allocate or die. */
void *
palloc(Size size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

/* Grow or die. */
void *
repalloc(void *pointer, Size size)
{
	void	   *p = realloc(pointer, size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

/* Free. */
void
pfree(void *pointer)
{
	free(pointer);
}

/* Interrupts never become pending outside the server. */
void
ProcessInterrupts(void)
{
	abort();
}

/* Start a report: only errors are reported (and must be caught). */
bool
errstart(int elevel, const char *domain)
{
	if (elevel < ERROR)
		return false;
	pg_stub_sqlerrcode = 0;
	pg_stub_message[0] = '\0';
	return true;
}

/* Same, for the cold path. */
bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

/* Record the SQLSTATE. */
int
errcode(int sqlerrcode)
{
	pg_stub_sqlerrcode = sqlerrcode;
	return 0;
}

/* Record the message. */
int
errmsg(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	vsnprintf(pg_stub_message, sizeof(pg_stub_message), fmt, args);
	va_end(args);
	return 0;
}

/* End the report: back to the caller's setjmp, or die if nobody catches. */
void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (pg_stub_error_jmp == NULL)
	{
		fprintf(stderr, "uncaught error at %s:%d: %s\n", filename, lineno, pg_stub_message);
		abort();
	}
	longjmp(*pg_stub_error_jmp, 1);
}
