/*
 * journaling.h — declarations shared between the extension's C files.
 */
#ifndef JOURNALING_H
#define JOURNALING_H

#include "fmgr.h"
#include "utils/uuid.h"

#include "compat.h"

/* identity.c */
extern void IdentityInit(void);
extern bool JournalingCurrentUserId(pg_uuid_t *out);

/* entry_vector.c */
#define JOURNALING_VECTOR_INPUT_LIMIT (256 * 1024)
extern int64 JournalingWordCount(const char *s, size_t len);

#endif							/* JOURNALING_H */
