/*
 * compat.h — shims over PostgreSQL major-version differences.
 *
 * Every "#if PG_VERSION_NUM" of the project lives here, so the rest of the
 * code is written against one API.  PostgreSQL 15 is what CI tests.
 */
#ifndef JOURNALING_COMPAT_H
#define JOURNALING_COMPAT_H

#if PG_VERSION_NUM < 150000
#error "journaling requires PostgreSQL 15 or later"
#endif

/*
 * GUC check hooks hand memory to guc.c: PostgreSQL 16 allocates it with
 * guc_malloc() and friends, earlier versions with plain malloc().
 */
#if PG_VERSION_NUM < 160000
#include <stdlib.h>
#include <string.h>
#define guc_malloc(elevel, size) malloc(size)
#define guc_strdup(elevel, str) strdup(str)
#define guc_free(ptr) free(ptr)
#endif

#endif							/* JOURNALING_COMPAT_H */
