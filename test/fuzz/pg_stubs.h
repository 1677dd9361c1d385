/*
 * pg_stubs.h — what test/fuzz/pg_stubs.c offers its callers.
 */
#ifndef PG_STUBS_H
#define PG_STUBS_H

#include <setjmp.h>

/* Where ereport(ERROR) jumps to (NULL: abort), and what it reported. */
extern jmp_buf *pg_stub_error_jmp;
extern int	pg_stub_sqlerrcode;
extern char pg_stub_message[256];

#endif							/* PG_STUBS_H */
