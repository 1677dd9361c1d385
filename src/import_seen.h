/*
 * import_seen.h — the import's per-file set of record ids (import_seen.c).
 */
#ifndef IMPORT_SEEN_H
#define IMPORT_SEEN_H

#include "utils/uuid.h"

typedef struct ImportSeen ImportSeen;

extern ImportSeen *ImportSeenCreate(MemoryContext parent);
extern bool ImportSeenAdd(ImportSeen *s, int kind, const pg_uuid_t *id, int64 ordinal,
						  int64 *first_ordinal);
extern void ImportSeenFree(ImportSeen *s, const char *label);

#endif							/* IMPORT_SEEN_H */
