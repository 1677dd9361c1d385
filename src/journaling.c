/*
 * journaling.c — module entry point: initializes every subsystem once.
 */
#include "postgres.h"

#include "fmgr.h"

#include "journaling.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Called once when the library is loaded into a backend. */
void
_PG_init(void)
{
	IdentityInit();
	ImportInit();
	StatsCaptureInit();
	SnippetInit();
}
