/*
 * search_index.c — journaling.refresh_search_index(): build the per-user
 * search index that search_top() (search.c) reads, and the index's format
 * (search_index.h).
 *
 * Where the changes come from: writes to journal_entries log their
 * (user_id, day) pairs in journaling.stats_changes (stats_capture.c);
 * refresh_statistics() (refresh.c) consumes them and, once some user has an
 * index, hands them on to journaling.search_changes in the same transaction.
 * search_top() treats the days of both logs as written since the build.
 *
 * Protocol (one transaction, run as the extension owner with
 * row_security = off, so every entry of a user is indexed):
 *
 *  1. pg_try_advisory_xact_lock(SEARCH_INDEX_LOCK_KEY) and the statistics
 *     refresh's lock; if another call holds either, return mode 'skipped'
 *     at once.  Holding the refresh's lock keeps refresh_statistics() out
 *     while the index is first built: it hands pairs on only once an index
 *     row exists, and a change it consumed before that is in the first
 *     build (which reads every user's entries after the refresh committed).
 *  2. DELETE ... RETURNING every row of journaling.search_changes visible to
 *     the statement's snapshot; the users of those rows are rebuilt (on the
 *     first build, when no user has an index row, and with full: every user
 *     with entries; full also drops the index rows of users without).  A
 *     change handed on after that snapshot stays in the log, so search_top()
 *     keeps ranking its days from the table; a change whose row was consumed
 *     committed before it, so every later statement (each with a newer
 *     snapshot) reads its entries.  Deleting the log before reading the
 *     entries is what makes this safe: the other order could consume a
 *     change the index never saw.
 *  3. Per user: read every entry (id, entry_date, search_vector) in search
 *     order, gather each lexeme's postings in a hash table, spread the
 *     lexemes over about one bucket per SEARCH_BUCKET_BYTES of postings,
 *     and replace the user's rows of search_index and search_postings.
 *
 * A user's rebuild costs one read of the user's vectors, so it suits logs
 * that touch few users between calls (schedule it like the statistics).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "journaling.h"
#include "search_index.h"

/*
 * Key of the transaction-level advisory lock that serializes index builds in
 * a database: the one of refresh_statistics() (src/refresh.c) plus one.
 */
#define SEARCH_INDEX_LOCK_KEY INT64CONST(7670314527420216169)

/* Postings per bucket row, roughly: a query reads one bucket per lexeme. */
#define SEARCH_BUCKET_BYTES 16384
#define SEARCH_MAX_BUCKETS 65536

/* Entries fetched from the cursor at a time. */
#define SEARCH_BUILD_FETCH 1000

/*
 * Format
 */

/* Bucket of a lexeme: FNV-1a of its bytes (the same on every machine). */
int
SearchIndexBucket(const char *lexeme, int len, int nbuckets)
{
	uint32		h = 2166136261u;
	int			i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8) lexeme[i]) * 16777619u;
	return (int) (h % (uint32) nbuckets);
}

static inline uint32
read_u16(const uint8 *p)
{
	return (uint32) p[0] | ((uint32) p[1] << 8);
}

static inline uint32
read_u32(const uint8 *p)
{
	return (uint32) p[0] | ((uint32) p[1] << 8) | ((uint32) p[2] << 16) | ((uint32) p[3] << 24);
}

static void
index_corrupt(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("journaling.search_postings holds a malformed bucket"),
			 errhint("Rebuild the search index: SELECT * FROM journaling.refresh_search_index(true).")));
}

/* Read a varint; raise on a truncated one. */
static inline uint32
read_varint(const uint8 **pp, const uint8 *end)
{
	const uint8 *p = *pp;
	uint32		v = 0;
	int			shift = 0;

	for (;;)
	{
		if (p >= end || shift > 28)
			index_corrupt();
		v |= (uint32) (*p & 0x7f) << shift;
		if ((*p++ & 0x80) == 0)
			break;
		shift += 7;
	}
	*pp = p;
	return v;
}

/* Find a lexeme's posting list in a bucket; false when the lexeme is absent. */
bool
SearchIndexFind(const bytea *bucket, const char *lexeme, int len, SearchPostingCursor *cur)
{
	const uint8 *p = (const uint8 *) VARDATA_ANY(bucket);
	const uint8 *end = p + VARSIZE_ANY_EXHDR(bucket);

	while (p < end)
	{
		uint32		lexlen;
		uint32		nbytes;

		if (end - p < 2)
			index_corrupt();
		lexlen = read_u16(p);
		if ((uint32) (end - p) < 2 + lexlen + 8)
			index_corrupt();
		nbytes = read_u32(p + 2 + lexlen + 4);
		if ((uint32) (end - (p + 2 + lexlen + 8)) < nbytes)
			index_corrupt();
		if (lexlen == (uint32) len && memcmp(p + 2, lexeme, len) == 0)
		{
			cur->ndocs = read_u32(p + 2 + lexlen);
			cur->p = p + 2 + lexlen + 8;
			cur->end = cur->p + nbytes;
			cur->ordinal = -1;
			cur->npos = 0;
			cur->pos = NULL;
			return true;
		}
		p += 2 + lexlen + 8 + nbytes;
	}
	return false;
}

/* Step to the next entry of a posting list; false at its end. */
bool
SearchPostingNext(SearchPostingCursor *cur)
{
	if (cur->p >= cur->end)
		return false;
	cur->ordinal += (int32) read_varint(&cur->p, cur->end) + 1;
	cur->npos = read_varint(&cur->p, cur->end);
	if ((Size) (cur->end - cur->p) < (Size) cur->npos * 2)
		index_corrupt();
	cur->pos = cur->p;
	cur->p += (Size) cur->npos * 2;
	return true;
}

/*
 * Builder
 */

/* A growing byte buffer (StringInfo starts at 1 kB: too much per lexeme). */
typedef struct ByteBuf
{
	uint8	   *data;
	uint32		len;
	uint32		cap;
} ByteBuf;

static void
buf_reserve(ByteBuf *b, uint32 more)
{
	if (b->len + more <= b->cap)
		return;
	if ((Size) b->len + more > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("search index of one user exceeds 1 GB")));
	b->cap = (uint32) Min(Max((Size) b->cap * 2, (Size) b->len + more), MaxAllocSize);
	b->data = b->data ? repalloc(b->data, b->cap) : palloc(b->cap);
}

static void
buf_append(ByteBuf *b, const void *data, uint32 n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, data, n);
	b->len += n;
}

static void
buf_u16(ByteBuf *b, uint32 v)
{
	uint8		x[2] = {v & 0xff, (v >> 8) & 0xff};

	buf_append(b, x, 2);
}

static void
buf_u32(ByteBuf *b, uint32 v)
{
	uint8		x[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff};

	buf_append(b, x, 4);
}

static void
buf_varint(ByteBuf *b, uint32 v)
{
	uint8		x[5];
	uint32		n = 0;

	while (v >= 0x80)
	{
		x[n++] = (uint8) (v | 0x80);
		v >>= 7;
	}
	x[n++] = (uint8) v;
	buf_append(b, x, n);
}

/* One lexeme of the user being built, with its postings so far. */
typedef struct LexemePostings
{
	uint32		hash;
	uint16		len;
	const char *lexeme;
	int32		last;			/* ordinal of the last entry added */
	uint32		ndocs;
	ByteBuf		postings;
} LexemePostings;

/* Open-addressing table of the user's lexemes. */
typedef struct LexemeTable
{
	LexemePostings **slots;
	uint32		size;			/* a power of two */
	uint32		count;
} LexemeTable;

static void
table_init(LexemeTable *t, uint32 size)
{
	t->size = size;
	t->count = 0;
	t->slots = palloc0(sizeof(LexemePostings *) * size);
}

static void
table_grow(LexemeTable *t)
{
	LexemeTable bigger;
	uint32		i;

	table_init(&bigger, t->size * 2);
	for (i = 0; i < t->size; i++)
	{
		LexemePostings *lp = t->slots[i];
		uint32		j;

		if (lp == NULL)
			continue;
		for (j = lp->hash & (bigger.size - 1); bigger.slots[j] != NULL; j = (j + 1) & (bigger.size - 1))
			;
		bigger.slots[j] = lp;
	}
	bigger.count = t->count;
	pfree(t->slots);
	*t = bigger;
}

/* The lexeme's postings, created empty on first sight. */
static LexemePostings *
table_lookup(LexemeTable *t, const char *lexeme, int len)
{
	uint32		hash = hash_bytes((const unsigned char *) lexeme, len);
	uint32		i;
	LexemePostings *lp;

	for (i = hash & (t->size - 1); t->slots[i] != NULL; i = (i + 1) & (t->size - 1))
	{
		lp = t->slots[i];
		if (lp->hash == hash && lp->len == len && memcmp(lp->lexeme, lexeme, len) == 0)
			return lp;
	}
	lp = palloc0(sizeof(LexemePostings));
	lp->hash = hash;
	lp->len = (uint16) len;
	lp->lexeme = pnstrdup(lexeme, len);
	lp->last = -1;
	t->slots[i] = lp;
	if (++t->count * 2 > t->size)
		table_grow(t);
	return lp;
}

/* Add one entry's vector, as entry ordinal, to the table. */
static void
add_vector(LexemeTable *t, TSVector vec, int32 ordinal)
{
	WordEntry  *we = ARRPTR(vec);
	int			i;

	for (i = 0; i < vec->size; i++)
	{
		LexemePostings *lp = table_lookup(t, STRPTR(vec) + we[i].pos, we[i].len);
		uint32		npos = POSDATALEN(vec, &we[i]);
		WordEntryPos *pos = POSDATAPTR(vec, &we[i]);
		uint32		j;

		buf_varint(&lp->postings, (uint32) (ordinal - lp->last - 1));
		buf_varint(&lp->postings, npos);
		buf_reserve(&lp->postings, npos * 2);
		for (j = 0; j < npos; j++)
		{
			lp->postings.data[lp->postings.len++] = pos[j] & 0xff;
			lp->postings.data[lp->postings.len++] = (pos[j] >> 8) & 0xff;
		}
		lp->last = ordinal;
		lp->ndocs++;
	}
}

/* Saved plans, prepared on first use in this backend. */
static SPIPlanPtr read_plan = NULL;
static SPIPlanPtr drop_plan = NULL;
static SPIPlanPtr insert_index_plan = NULL;
static SPIPlanPtr insert_postings_plan = NULL;

/* Rebuild one user's index rows; returns the number of entries indexed. */
static int64
rebuild_user(Datum user_id)
{
	Oid			uuid_type[1] = {UUIDOID};
	Oid			index_types[3] = {UUIDOID, INT4OID, BYTEAOID};
	Oid			postings_types[3] = {UUIDOID, INT4ARRAYOID, BYTEAARRAYOID};
	Portal		portal;
	LexemeTable table;
	ByteBuf		entries = {NULL, 0, 0};
	int32		n = 0;
	Size		total = 0;
	int			nbuckets;
	ByteBuf    *buckets;
	Datum	   *bucket_no;
	Datum	   *bucket_data;
	int			nrows = 0;
	Datum		args[3];
	uint32		i;

	JournalingKeepPlan(&drop_plan, "DELETE FROM journaling.search_index WHERE user_id OPERATOR(pg_catalog.=) $1",
					   1, uuid_type, 0);
	if (SPI_execute_plan(drop_plan, &user_id, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "refresh_search_index: deleting the old index failed");

	table_init(&table, 1024);
	buf_reserve(&entries, VARHDRSZ);	/* room for the bytea header */
	entries.len = VARHDRSZ;
	JournalingKeepPlan(&read_plan,
					   "SELECT e.id, e.entry_date, e.search_vector FROM journaling.journal_entries e "
					   "WHERE e.user_id OPERATOR(pg_catalog.=) $1 "
					   "ORDER BY e.entry_date DESC, e.id",
					   1, uuid_type, 0);
	portal = SPI_cursor_open(NULL, read_plan, &user_id, NULL, false);
	for (;;)
	{
		uint64		r;

		SPI_cursor_fetch(portal, true, SEARCH_BUILD_FETCH);
		if (SPI_processed == 0)
			break;
		for (r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			Datum		vec;
			DateADT		day;
			uint8		daybytes[4];

			CHECK_FOR_INTERRUPTS();
			if (n == PG_INT32_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many entries for one user's search index")));
			buf_append(&entries, DatumGetUUIDP(SPI_getbinval(tup, desc, 1, &isnull))->data, UUID_LEN);
			day = DatumGetDateADT(SPI_getbinval(tup, desc, 2, &isnull));
			daybytes[0] = (uint32) day & 0xff;
			daybytes[1] = ((uint32) day >> 8) & 0xff;
			daybytes[2] = ((uint32) day >> 16) & 0xff;
			daybytes[3] = ((uint32) day >> 24) & 0xff;
			buf_append(&entries, daybytes, 4);
			vec = SPI_getbinval(tup, desc, 3, &isnull);
			if (!isnull)
			{
				TSVector	v = DatumGetTSVector(vec);

				add_vector(&table, v, n);
				if ((Pointer) v != DatumGetPointer(vec))
					pfree(v);
			}
			n++;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	if (n == 0)
		return 0;

	/* spread the lexemes over the buckets */
	for (i = 0; i < table.size; i++)
		if (table.slots[i] != NULL)
			total += 2 + table.slots[i]->len + 8 + table.slots[i]->postings.len;
	nbuckets = (int) Min(total / SEARCH_BUCKET_BYTES + 1, SEARCH_MAX_BUCKETS);
	buckets = palloc0(sizeof(ByteBuf) * nbuckets);
	for (i = 0; i < table.size; i++)
	{
		LexemePostings *lp = table.slots[i];
		ByteBuf    *b;

		if (lp == NULL)
			continue;
		b = &buckets[SearchIndexBucket(lp->lexeme, lp->len, nbuckets)];
		if (b->len == 0)
		{
			buf_reserve(b, VARHDRSZ);	/* room for the bytea header */
			b->len = VARHDRSZ;
		}
		buf_u16(b, lp->len);
		buf_append(b, lp->lexeme, lp->len);
		buf_u32(b, lp->ndocs);
		buf_u32(b, lp->postings.len);
		buf_append(b, lp->postings.data, lp->postings.len);
	}

	bucket_no = palloc(sizeof(Datum) * nbuckets);
	bucket_data = palloc(sizeof(Datum) * nbuckets);
	for (i = 0; i < (uint32) nbuckets; i++)
	{
		if (buckets[i].len == 0)
			continue;
		SET_VARSIZE(buckets[i].data, buckets[i].len);
		bucket_no[nrows] = Int32GetDatum((int32) i);
		bucket_data[nrows] = PointerGetDatum(buckets[i].data);
		nrows++;
	}

	SET_VARSIZE(entries.data, entries.len);

	JournalingKeepPlan(&insert_index_plan,
					   "INSERT INTO journaling.search_index (user_id, nbuckets, entries) VALUES ($1, $2, $3)",
					   3, index_types, 0);
	args[0] = user_id;
	args[1] = Int32GetDatum(nbuckets);
	args[2] = PointerGetDatum(entries.data);
	if (SPI_execute_plan(insert_index_plan, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "refresh_search_index: writing the index failed");

	JournalingKeepPlan(&insert_postings_plan,
					   "INSERT INTO journaling.search_postings (user_id, bucket, postings) "
					   "SELECT $1, b.bucket, b.postings "
					   "FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS b(bucket, postings)",
					   3, postings_types, 0);
	args[1] = PointerGetDatum(construct_array(bucket_no, nrows, INT4OID, sizeof(int32), true, TYPALIGN_INT));
	args[2] = PointerGetDatum(construct_array(bucket_data, nrows, BYTEAOID, -1, false, TYPALIGN_INT));
	if (SPI_execute_plan(insert_postings_plan, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "refresh_search_index: writing the postings failed");
	return n;
}

/* Compare uuids (for sorting the users to rebuild). */
static int
uuid_cmp_qsort(const void *a, const void *b)
{
	return memcmp(a, b, UUID_LEN);
}

/* Append column 1 (uuid) of every row of the last SPI result to users. */
static void
collect_users(pg_uuid_t **users, int64 *n, int64 *cap)
{
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (isnull)
			continue;
		if (*n == *cap)
		{
			*cap *= 2;
			*users = repalloc_huge(*users, sizeof(pg_uuid_t) * *cap);
		}
		(*users)[(*n)++] = *DatumGetUUIDP(d);
	}
}

/* Run a statement of no arguments; returns SPI_processed. */
static uint64
run_sql(const char *sql, int expected)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc != expected)
		elog(ERROR, "refresh_search_index: \"%s\" failed: %s", sql, SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * journaling.refresh_search_index(full): see the top of the file.  One row:
 * mode ('incremental', 'full' or 'skipped'), users and entries rebuilt, log
 * rows consumed, duration.
 */
PG_FUNCTION_INFO_V1(journaling_refresh_search_index);
Datum
journaling_refresh_search_index(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		full = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
	TimestampTz started = GetCurrentTimestamp();
	const char *mode = full ? "full" : "incremental";
	int64		nusers = 0;
	int64		nentries = 0;
	int64		changes = 0;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	InitMaterializedSRF(fcinfo, 0);

	/* both locks, or none: see above */
	if (!DatumGetBool(DirectFunctionCall1(pg_try_advisory_xact_lock_int8,
										  Int64GetDatum(SEARCH_INDEX_LOCK_KEY))) ||
		!DatumGetBool(DirectFunctionCall1(pg_try_advisory_xact_lock_int8,
										  Int64GetDatum(JOURNALING_REFRESH_LOCK_KEY))))
		mode = "skipped";
	else
	{
		pg_uuid_t  *users;
		int64		n = 0;
		int64		cap = 1024;
		int64		i;
		MemoryContext usercxt;
		MemoryContext oldcxt;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		users = palloc(sizeof(pg_uuid_t) * cap);

		/* 2. the log first, then the entries (see above) */
		run_sql("WITH c AS (DELETE FROM journaling.search_changes RETURNING user_id) "
				"SELECT c.user_id, pg_catalog.count(*) FROM c GROUP BY c.user_id", SPI_OK_SELECT);
		for (i = 0; i < (int64) SPI_processed; i++)
		{
			bool		isnull;

			changes += DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
		}
		collect_users(&users, &n, &cap);
		if (full)
		{
			run_sql("DELETE FROM journaling.search_index s WHERE NOT EXISTS "
					"(SELECT FROM journaling.journal_entries e WHERE e.user_id OPERATOR(pg_catalog.=) s.user_id)",
					SPI_OK_DELETE);
			run_sql("SELECT u.id FROM journaling.users u WHERE EXISTS "
					"(SELECT FROM journaling.journal_entries e WHERE e.user_id OPERATOR(pg_catalog.=) u.id)",
					SPI_OK_SELECT);
		}
		else
		{
			/*
			 * Every write is logged, so the users to rebuild are the logged
			 * ones, except on the first build (after installing, updating
			 * from 0.1 or TRUNCATE): then every user with entries.
			 */
			run_sql("SELECT u.id FROM journaling.users u "
					"WHERE NOT EXISTS (SELECT FROM journaling.search_index) "
					"AND EXISTS (SELECT FROM journaling.journal_entries e WHERE e.user_id OPERATOR(pg_catalog.=) u.id)",
					SPI_OK_SELECT);
		}
		collect_users(&users, &n, &cap);
		qsort(users, n, sizeof(pg_uuid_t), uuid_cmp_qsort);

		/* 3. each distinct user */
		usercxt = AllocSetContextCreate(CurrentMemoryContext, "journaling search index user",
										ALLOCSET_DEFAULT_SIZES);
		for (i = 0; i < n; i++)
		{
			if (i > 0 && memcmp(&users[i], &users[i - 1], UUID_LEN) == 0)
				continue;
			CHECK_FOR_INTERRUPTS();
			oldcxt = MemoryContextSwitchTo(usercxt);
			nentries += rebuild_user(UUIDPGetDatum(&users[i]));
			MemoryContextSwitchTo(oldcxt);
			MemoryContextReset(usercxt);
			nusers++;
		}
		MemoryContextDelete(usercxt);
		SPI_finish();
	}

	values[0] = CStringGetTextDatum(mode);
	values[1] = Int64GetDatum(nusers);
	values[2] = Int64GetDatum(nentries);
	values[3] = Int64GetDatum(changes);
	values[4] = DirectFunctionCall2(timestamp_mi, TimestampTzGetDatum(GetCurrentTimestamp()),
									TimestampTzGetDatum(started));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
