/*
 * journaling.h — declarations shared between the extension's C files.
 */
#ifndef JOURNALING_H
#define JOURNALING_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/uuid.h"

#include "compat.h"

/* identity.c */
extern void IdentityInit(void);
extern bool JournalingCurrentUserId(pg_uuid_t *out);

/* entry_vector.c */
#define JOURNALING_VECTOR_INPUT_LIMIT (256 * 1024)
extern int64 JournalingWordCount(const char *s, size_t len);

/* uuid5.c */
extern void JournalingUuid5(const char *name, size_t len, pg_uuid_t *out);
extern void JournalingUuid5Pair(const char *prefix, const char *id, size_t idlen, pg_uuid_t *out);
extern bool JournalingParseUuid(const char *s, size_t len, pg_uuid_t *out);
extern void JournalingUuidText(const pg_uuid_t *u, char *buf);

/* import.c and import_formats.c: the legacy JSON importer */
struct JrRecord;
struct JrValue;
struct pg_tz;

/* Target tables, in the order batches are flushed (referenced rows first). */
typedef enum ImportKind
{
	IK_USERS,
	IK_TOPICS,
	IK_SESSIONS,
	IK_ENTRIES,
	IK_MESSAGES,
	IK_MEMORY,
	IK_USAGE
} ImportKind;
#define IMPORT_KIND_COUNT 7

typedef struct ImportState ImportState;
typedef void (*ImportMapFn) (ImportState *st, struct JrRecord *rec);

/* One source format: how its records are laid out and how they map. */
typedef struct ImportFormat
{
	const char *name;
	int			layout;			/* JrLayout */
	const char *nested_key;
	ImportKind	kind;			/* the table its records (or faults) count against */
	ImportMapFn map;
} ImportFormat;

/* import_formats.c */
extern const char *const ImportKindNames[IMPORT_KIND_COUNT];
extern const ImportFormat *ImportFindFormat(const char *name);
extern const ImportFormat *ImportDetectFormat(const char *path, char top,
											  struct JrRecord *first);

/* import.c, called by the format mappers */
extern void ImportEmit(ImportState *st, ImportKind kind, int64 offset,
					   const char *source_id, StringInfo row);
extern void ImportReject(ImportState *st, ImportKind kind, int64 offset,
						 const char *source_id, int sqlstate, const char *message);
extern void ImportEnsureUser(ImportState *st, const pg_uuid_t *id, const char *username,
							 const char *source, const char *source_id);
extern void ImportSessionOwner(ImportState *st, const pg_uuid_t *session,
							   const char *source, const char *source_id, pg_uuid_t *owner);
extern bool ImportFirstSeen(ImportState *st, ImportKind kind, const pg_uuid_t *id,
							int64 *first_ordinal);
extern int	ImportNextSeq(ImportState *st, const pg_uuid_t *session);
extern const pg_uuid_t *ImportOwner(ImportState *st);
extern const char *ImportPath(ImportState *st);
extern const char *ImportOption(ImportState *st, const char *name);
extern struct pg_tz *ImportTimezone(ImportState *st, bool entries);
extern int64 ImportNextOrdinal(ImportState *st);

#endif							/* JOURNALING_H */
