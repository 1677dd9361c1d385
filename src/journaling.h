/*
 * journaling.h — declarations shared between the extension's C files.
 */
#ifndef JOURNALING_H
#define JOURNALING_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "datatype/timestamp.h"
#include "pgtime.h"
#include "utils/uuid.h"

#include "json_reader.h"

#include "compat.h"

/* Value of one hexadecimal digit, or -1. */
static inline int
JournalingHexValue(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* identity.c */
extern void IdentityInit(void);
extern bool JournalingCurrentUserId(pg_uuid_t *out);

/* stats_capture.c */
extern void StatsCaptureInit(void);

/* snippet.c */
extern void SnippetInit(void);

/* spi_plans.c (a SPIPlanPtr *: executor/spi.h is left to the files that run SQL) */
struct _SPI_plan;
extern void JournalingKeepPlan(struct _SPI_plan **plan, const char *sql, int nargs, Oid *types,
							   int cursor_options);

/*
 * refresh.c, search_index.c: key of the transaction-level advisory lock that
 * serializes statistics refreshes in a database (the bytes of "jrnlrfsh"
 * read as a big-endian int8); search index builds hold it too, see
 * search_index.c.
 */
#define JOURNALING_REFRESH_LOCK_KEY INT64CONST(7670314527420216168)

/* entry_vector.c */
#define JOURNALING_VECTOR_INPUT_LIMIT (256 * 1024)
extern int64 JournalingWordCount(const char *s, size_t len);

/* uuid5.c */
extern void JournalingUuid5(const char *name, size_t len, pg_uuid_t *out);
extern void JournalingUuid5Pair(const char *prefix, const char *id, size_t idlen, pg_uuid_t *out);
extern bool JournalingParseUuid(const char *s, size_t len, pg_uuid_t *out);
extern void JournalingUuidText(const pg_uuid_t *u, char *buf);

/* import.c, import_formats.c, import_map.c, import_targets.c: the legacy JSON importer */

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
typedef void (*ImportMapFn) (ImportState *st, JrRecord *rec);

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
											  JrRecord *first);

/* import_map.c */
/* A row under construction: a JSON object of column values. */
#define IMP_ROW_MAX_KEYS 32
typedef struct ImpRow
{
	StringInfoData buf;
	bool		first;
	int			nkeys;
	int			keys[IMP_ROW_MAX_KEYS];	/* where each member's key starts in buf */
} ImpRow;

/* Per-record mapping context: the record, its owner and the first failure. */
typedef struct ImpMap
{
	ImportState *st;
	JrRecord   *rec;
	const JrValue *obj;
	ImportKind	kind;
	int64		offset;
	const char *source_id;
	int			sqlstate;
	char		message[300];
} ImpMap;

extern void ImpAppendSi(void *ctx, const char *s, size_t n);
extern void ImpRowBegin(ImpRow *r);
extern void ImpRowKey(ImpRow *r, const char *key);
extern void ImpRowText(ImpRow *r, const char *key, const char *s, size_t len);
extern void ImpRowCstr(ImpRow *r, const char *key, const char *s);
extern void ImpRowRaw(ImpRow *r, const char *key, const char *json);
extern void ImpRowJson(ImpRow *r, const char *key, const JrValue *v);
extern void ImpRowUuid(ImpRow *r, const char *key, const pg_uuid_t *u);
extern void ImpRowTs(ImpRow *r, const char *key, TimestampTz ts);
extern void ImpRowEmit(ImportState *st, ImpRow *r, ImportKind kind, int64 offset, const char *source_id);
extern void ImpRowMetadataX(ImpRow *r, const JrValue *obj, const char *const *mapped,
							const JrValue *extra, const char *extra_source);
extern void ImpRowMetadata(ImpRow *r, const JrValue *obj, const char *const *mapped, const JrValue *extra);
extern bool ImpIsObjectish(const JrValue *v);
extern void ImpRowObject(ImpRow *r, const char *key, const JrValue *v);
extern const JrValue *ImpGetString(const JrValue *obj, const char *key, bool *bad);
extern const char *ImpTypeName(const JrValue *v);
extern bool ImpIsBlank(const char *s, size_t len);
extern bool ImpParseTs(const char *s, size_t len, pg_tz *naive_tz, TimestampTz *ts, bool *naive,
					   struct pg_tm *tm);
extern void ImpLocalDate(TimestampTz ts, pg_tz *tz, char *buf);
extern void ImpMapFail(ImpMap *m, int sqlstate, const char *fmt,...) pg_attribute_printf(3, 4);
extern bool ImpMapRejected(ImpMap *m);
extern void ImpMapInit(ImpMap *m, ImportState *st, JrRecord *rec, const JrValue *obj, ImportKind kind, int64 offset);
extern bool ImpMapTs(ImpMap *m, ImpRow *r, const char *key, const char *col, pg_tz *tz, TimestampTz *ts, struct pg_tm *tm, bool *naive);
extern void ImpMapId(ImpMap *m, const char *prefix, const JrValue *idv, pg_uuid_t *id);
extern void ImpMapUnique(ImpMap *m, const pg_uuid_t *id);
extern const JrValue *ImpMapContent(ImpMap *m, const char *key, bool required);
extern void ImpMapText(ImpMap *m, ImpRow *r, const char *key, const char *col);
extern void ImpMapBool(ImpMap *m, ImpRow *r, const char *key, const char *col);
extern void ImpMapNumber(ImpMap *m, ImpRow *r, const char *key, const char *col);
extern void ImpMapTags(ImpMap *m, ImpRow *r, const char *key, const char *col);
extern void ImpMapMood(ImpMap *m, ImpRow *r, const char *key);
extern void ImpRowOwner(ImpRow *r, ImportState *st);

/* import_targets.c */
#define IMPORT_COL_PLAIN	0	/* scalar text as is */
#define IMPORT_COL_ARRAY	1	/* text[] literal */
#define IMPORT_COL_JSON		2	/* jsonb: the value as JSON */
#define IMPORT_COL_UUID		3	/* uuid, passed as uuid[] */
#define IMPORT_COL_STAMP	4	/* timestamptz, passed as timestamptz[] */
extern int	ImportColumnCount(ImportKind kind);
extern const char *ImportColumnName(ImportKind kind, int i);
extern int	ImportColumnHow(ImportKind kind, int i);
#define IMPORT_CONFLICT_ERROR	0	/* plain INSERT: a duplicate raises */
#define IMPORT_CONFLICT_SKIP	1	/* ON CONFLICT (primary key) DO NOTHING */
#define IMPORT_CONFLICT_UPDATE	2	/* ON CONFLICT (primary key) DO UPDATE */
#define IMPORT_CONFLICT_COUNT	3
extern char *ImportInsertSql(ImportKind kind, int conflict);
extern text *ImportColumnText(const JrValue *v, int how);
extern Datum ImportColumnDatum(const char *json, size_t len, int how, bool *isnull);
extern void ImportColumnElement(int how, Oid *elemtype, int16 *typlen, bool *typbyval, char *typalign);

/* import.c */
extern void ImportInit(void);

/* import.c, called by the format mappers */
extern void ImportEmit(ImportState *st, ImportKind kind, int64 offset,
					   const char *source_id, const ImpRow *row);
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
extern pg_tz *ImportTimezone(ImportState *st, bool entries);
extern int64 ImportNextOrdinal(ImportState *st);

/* snippet_select.c — the word list of a headline and ts_headline's selection rules */
/* Token types of the default parser (wparser_def.c) that selection cares about. */
#define TT_URL			5
#define TT_SCIENTIFIC	7
#define TT_VERSION		8
#define TT_SPACE		12
#define TT_TAG			13
#define TT_PROTOCOL		14
#define TT_NUMHWORD		15
#define TT_ASCIIHWORD	16
#define TT_HWORD		17
#define TT_DECIMAL		20
#define TT_SIGNEDINT	21
#define TT_UNSIGNEDINT	22
#define TT_ENTITY		23

#define HL_REPLACE(t)	((t) == TT_TAG)
#define HL_SKIP(t)		((t) == TT_URL || (t) == TT_NUMHWORD || (t) == TT_ASCIIHWORD || (t) == TT_HWORD)
#define NONWORD(t)		((t) == TT_SPACE || HL_REPLACE(t) || HL_SKIP(t))
#define IDIGNORE(t)		((t) == TT_TAG || (t) == TT_PROTOCOL || (t) == TT_SPACE || (t) == TT_ENTITY)
#define NOEND(t)		(NONWORD(t) || (t) == TT_SCIENTIFIC || (t) == TT_VERSION || \
						 (t) == TT_DECIMAL || (t) == TT_SIGNEDINT || (t) == TT_UNSIGNEDINT || \
						 IDIGNORE(t))

/* Flag bits of SnipWord.flags */
#define SW_SELECTED		0x01
#define SW_IN			0x02
#define SW_REPLACE		0x04
#define SW_REPEATED		0x08
#define SW_SKIP			0x10
#define SW_GAP			0x20	/* first token after a part of the document left unparsed */

/* One entry of the word list (a token, or a repeated entry for a further operand). */
typedef struct SnipWord
{
	int32		off;			/* byte offset of the token in the document */
	uint16		len;			/* byte length of the token */
	uint8		type;			/* parser token type */
	uint8		flags;			/* SW_* */
	uint16		pos;			/* tsvector position, capped like LIMITPOS */
	int32		item;			/* index of the matched query item, or -1 */
	int32		vidx;			/* index the entry has in ts_headline's word list, up
								 * to a constant per parsed window (see snip_windows) */
} SnipWord;

/* Cover-test callback: does the query match words lo..hi (inclusive)? */
typedef bool (*SnipCoverTest) (void *arg, int lo, int hi);

/* What selection needs: the word list, sorted indexes of words with items, the test. */
typedef struct SnipSelect
{
	SnipWord   *words;
	int			nwords;
	int		   *itemwords;		/* indexes of words with item >= 0, ascending */
	int			nitemwords;
	bool		monotone;		/* the query has no NOT: matches only grow with the range */
	SnipCoverTest test;
	void	   *testarg;
	/* set by SnipSelectHeadline: fragments marked (MaxFragments > 0), and
	 * whether a fragment's stretch to the right ran into the last word */
	int			nfragments;
	bool		reached_end;
} SnipSelect;

/* Parsed headline options, with ts_headline's defaults. */
typedef struct SnipOptions
{
	int			min_words;
	int			max_words;
	int			shortword;
	int			max_fragments;
	bool		highlightall;
	char	   *startsel;
	char	   *stopsel;
	char	   *fragdelim;
} SnipOptions;

/* Validate the options as ts_headline does and mark the words to show. */
extern void SnipSelectHeadline(SnipSelect *s, const SnipOptions *o);

/* Index of the first element of an ascending int array that is >= key (n if none). */
extern int	SnipLowerBound(const int *a, int n, int key);

#endif							/* JOURNALING_H */
