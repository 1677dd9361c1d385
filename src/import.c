/*
 * import.c — the legacy JSON import driver and its SQL functions.
 *
 * read_records(), import_json(), import_file(), import_directory().  Input
 * is read by json_reader.c one record at a time; the format's mapper
 * (import_formats.c) turns each record into normalized rows, validated in C.
 * Rows are batched per target table and inserted with one prepared
 * INSERT ... SELECT unnest($1)::type, unnest($2)::type, ... per batch (one
 * text[] per column, cast to the column's type as COPY's input functions
 * would; uuid[] and timestamptz[] for those columns, read in C from the
 * values the mapper wrote), as the calling user (row-level security,
 * constraints and triggers apply), in a subtransaction: a plain INSERT while
 * no row of that table has collided with an existing one, then ON CONFLICT
 * on the primary key.  Only when a batch fails is it retried row by row,
 * each in its own subtransaction, to isolate the bad rows ("validate in C
 * first; batch, then isolate").  Cancels and other non-data errors are
 * re-thrown.
 * import_errors rows are queued and written the same way, one array per
 * column.
 *
 * In best_effort mode a rejected row is counted and written to
 * import_errors; in strict mode the first one raises, naming its ordinal and
 * byte offset.  dry_run does everything inside a subtransaction that is
 * rolled back at the end.
 */
#include "postgres.h"

#include <sys/stat.h>

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "import_seen.h"
#include "journaling.h"
#include "json_reader.h"

/*
 * A batch of rows goes in with one statement in one subtransaction, kept:
 * PostgreSQL keeps the memory of every committed subtransaction that
 * allocated (8 kB, as an INSERT does on a table with statement triggers,
 * like journal_entries) until the transaction ends, so the number of
 * batches, not only their size, is what an import's memory grows with.
 */
#define BATCH_ROWS			4000
#define BATCH_BYTES			(4 * 1024 * 1024)
/* import_errors rows written at once */
#define ERROR_BATCH_ROWS	1000
#define ISOLATE_ROWS		8	/* failing ranges this small are tried row by row */
#define PROGRESS_INTERVAL_MS 10000

/* counters per kind */
enum
{
	C_PROCESSED,
	C_IMPORTED,
	C_SKIPPED,
	C_FAILED
};

/* Rows waiting to be inserted into one table. */
typedef struct Batch
{
	StringInfoData rows;		/* "{...},{...}" */
	int			n;
	int			cap;
	int64	   *ordinal;
	int64	   *offset;
	char	  **source_id;
	int		   *start;			/* row i is rows.data[start[i] .. start[i+1]) */
	int		   *keys;			/* where each row's members start in rows.data: */
	int		   *first_key;		/* row i's are keys[first_key[i] .. first_key[i+1]) */
	int			nkeys;
	int			keys_cap;
} Batch;

/* hash entries */
typedef struct SeqEntry
{
	pg_uuid_t	session;
	int			seq;
	int64		file_no;		/* the last file it got messages from (0: none) */
	pg_uuid_t	owner;
	bool		owner_known;
} SeqEntry;

typedef struct UserEntry
{
	pg_uuid_t	id;
} UserEntry;

/* import_errors columns queued per row (run_id is the call's) */
enum
{
	E_FILE,
	E_ORDINAL,
	E_OFFSET,
	E_KIND,
	E_SOURCE_ID,
	E_SQLSTATE,
	E_MESSAGE,
	E_COLS
};

/* import_errors rows waiting to be written: one array per column. */
typedef struct ErrorQueue
{
	int			n;
	Size		bytes;
	Datum		values[E_COLS][ERROR_BATCH_ROWS];
	bool		nulls[E_COLS][ERROR_BATCH_ROWS];
} ErrorQueue;

struct ImportState
{
	/* options */
	pg_uuid_t	owner;
	bool		owner_is_default;
	bool		owner_ensured;
	pg_tz	   *tz;
	pg_tz	   *entries_tz;
	bool		update;
	bool		strict;
	bool		dry_run;
	Jsonb	   *options;
	const char *format_name;

	/* read_records mode */
	bool		collect;
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;

	/* run */
	int64		run_id;
	int64		counts[IMPORT_KIND_COUNT][4];
	int64		undetected;
	int64		notes;
	SPIPlanPtr	insert_plan[IMPORT_KIND_COUNT][IMPORT_CONFLICT_COUNT];
	bool		collided[IMPORT_KIND_COUNT];	/* a batch hit a unique violation */
	SPIPlanPtr	error_plan;
	SPIPlanPtr	user_plan;
	SPIPlanPtr	owner_plan;
	SPIPlanPtr	session_plan;
	SPIPlanPtr	count_plan;
	HTAB	   *users;			/* users ensured in this call */
	HTAB	   *sessions;		/* session -> owner, next seq */
	MemoryContext call_cxt;
	MemoryContext file_cxt;
	MemoryContext record_cxt;
	MemoryContext batch_cxt;
	MemoryContext flush_cxt;
	Batch		batch[IMPORT_KIND_COUNT];
	ErrorQueue	errors;			/* import_errors rows not yet written */
	MemoryContext error_cxt;	/* their values */

	/* file */
	const char *path;			/* NULL for a document */
	const char *file_label;		/* import_errors.file */
	const ImportFormat *format;
	int64		ordinal;
	ImportSeen *seen;			/* ids of this file's records */
	int64		file_no;		/* files begun in this call */
	List	   *touched;		/* sessions that got messages in this file */
	JrReader   *reader;

	/* progress */
	TimestampTz started;
	TimestampTz last_progress;
	int64		records;
	int64		bytes_done;
};

static void flush_all(ImportState *st);

/*
 * Prepare a statement for this call, with a generic plan: the parameters of
 * the batch statements are whole batches, which custom plans would copy
 * into the plan as constants and plan again for each of the first calls.
 */
static SPIPlanPtr
prepare(const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	return plan;
}

/* Whether an error must not be swallowed as a bad record. */
static bool
must_rethrow(ErrorData *edata)
{
	return edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
		edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
		edata->sqlerrcode == ERRCODE_OUT_OF_MEMORY ||
		ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_INSUFFICIENT_RESOURCES ||
		ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_OPERATOR_INTERVENTION ||
		ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_INTERNAL_ERROR ||
		ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_INSUFFICIENT_PRIVILEGE ||
		ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_SYSTEM_ERROR;
}

/* Text of a SQLSTATE. */
static const char *
sqlstate_text(int code)
{
	return unpack_sql_state(code);
}

/* A text[] of the first n values (NULL where nulls says). */
static Datum
text_array(Datum *values, bool *nulls, int n)
{
	int			lb = 1;

	return PointerGetDatum(construct_md_array(values, nulls, 1, &n, &lb, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Write the queued import_errors rows in one statement (one array per column). */
static void
flush_errors(ImportState *st)
{
	ErrorQueue *q = &st->errors;
	Datum		args[E_COLS + 1];
	int			c;

	if (q->n == 0)
		return;
	args[0] = Int64GetDatum(st->run_id);
	for (c = 0; c < E_COLS; c++)
		args[c + 1] = (c == E_ORDINAL || c == E_OFFSET)
			? PointerGetDatum(construct_array(q->values[c], q->n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE))
			: text_array(q->values[c], q->nulls[c], q->n);
	if (SPI_execute_plan(st->error_plan, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record import errors");
	q->n = 0;
	q->bytes = 0;
	MemoryContextReset(st->error_cxt);
}

/* Queue a text value of an import_errors row. */
static void
queue_text(ErrorQueue *q, int col, const char *s)
{
	q->nulls[col][q->n] = (s == NULL);
	if (s)
	{
		q->values[col][q->n] = CStringGetTextDatum(s);
		q->bytes += strlen(s);
	}
}

/* Queue an import_errors row; written in batches. */
static void
queue_error(ImportState *st, const char *kind, int64 ordinal, int64 offset,
			const char *source_id, const char *sqlstate, const char *message)
{
	ErrorQueue *q = &st->errors;
	MemoryContext old = MemoryContextSwitchTo(st->error_cxt);

	queue_text(q, E_FILE, st->file_label);
	q->values[E_ORDINAL][q->n] = Int64GetDatum(ordinal);
	q->values[E_OFFSET][q->n] = Int64GetDatum(offset);
	queue_text(q, E_KIND, kind);
	queue_text(q, E_SOURCE_ID, source_id);
	queue_text(q, E_SQLSTATE, sqlstate);
	queue_text(q, E_MESSAGE, message);
	MemoryContextSwitchTo(old);
	if (++q->n >= ERROR_BATCH_ROWS || q->bytes >= BATCH_BYTES)
		flush_errors(st);
}

/* Record (or in strict mode raise) a rejected row. */
static void
record_failure(ImportState *st, int kind, int64 ordinal, int64 offset,
			   const char *source_id, int sqlstate, const char *message)
{
	if (kind >= 0)
		st->counts[kind][C_FAILED]++;
	if (st->strict)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("record %lld at byte offset %lld of %s is invalid: %s",
						(long long) ordinal, (long long) offset, st->file_label, message),
				 source_id ? errdetail("Source id: %s.", source_id) : 0,
				 errhint("Nothing was imported.  Fix the record, or import with mode best_effort to skip bad records.")));
	if (st->collect)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, source_id == NULL, true, false};

		values[0] = Int64GetDatum(ordinal);
		values[1] = Int64GetDatum(offset);
		values[2] = CStringGetTextDatum(kind >= 0 ? ImportKindNames[kind] : "unknown");
		values[3] = source_id ? CStringGetTextDatum(source_id) : (Datum) 0;
		values[4] = (Datum) 0;
		values[5] = CStringGetTextDatum(psprintf("%s: %s", sqlstate_text(sqlstate), message));
		tuplestore_putvalues(st->tupstore, st->tupdesc, values, nulls);
		return;
	}
	queue_error(st, kind >= 0 ? ImportKindNames[kind] : "unknown", ordinal, offset, source_id,
				sqlstate_text(sqlstate), message);
}

/* Append a row to its batch, flushing every batch when one is full. */
void
ImportEmit(ImportState *st, ImportKind kind, int64 offset, const char *source_id, const ImpRow *row)
{
	Batch	   *b = &st->batch[kind];
	int64		ordinal = ++st->ordinal;
	MemoryContext old;
	int			k;

	st->counts[kind][C_PROCESSED]++;
	if (st->collect)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, source_id == NULL, false, true};

		values[0] = Int64GetDatum(ordinal);
		values[1] = Int64GetDatum(offset);
		values[2] = CStringGetTextDatum(ImportKindNames[kind]);
		values[3] = source_id ? CStringGetTextDatum(source_id) : (Datum) 0;
		values[4] = DirectFunctionCall1(jsonb_in, CStringGetDatum(row->buf.data));
		values[5] = (Datum) 0;
		tuplestore_putvalues(st->tupstore, st->tupdesc, values, nulls);
		return;
	}
	old = MemoryContextSwitchTo(st->batch_cxt);
	if (b->n == b->cap)
	{
		int			cap = b->cap ? b->cap * 2 : 64;

		if (b->cap == 0)
		{
			initStringInfo(&b->rows);
			b->ordinal = palloc(cap * sizeof(int64));
			b->offset = palloc(cap * sizeof(int64));
			b->source_id = palloc(cap * sizeof(char *));
			b->start = palloc((cap + 1) * sizeof(int));
			b->first_key = palloc((cap + 1) * sizeof(int));
			b->keys_cap = cap * 16;
			b->keys = palloc(b->keys_cap * sizeof(int));
			b->nkeys = 0;
		}
		else
		{
			b->ordinal = repalloc(b->ordinal, cap * sizeof(int64));
			b->offset = repalloc(b->offset, cap * sizeof(int64));
			b->source_id = repalloc(b->source_id, cap * sizeof(char *));
			b->start = repalloc(b->start, (cap + 1) * sizeof(int));
			b->first_key = repalloc(b->first_key, (cap + 1) * sizeof(int));
		}
		b->cap = cap;
	}
	if (b->nkeys + row->nkeys > b->keys_cap)
	{
		b->keys_cap = Max(b->keys_cap * 2, b->nkeys + row->nkeys);
		b->keys = repalloc(b->keys, b->keys_cap * sizeof(int));
	}
	b->ordinal[b->n] = ordinal;
	b->offset[b->n] = offset;
	b->source_id[b->n] = source_id ? pstrdup(source_id) : NULL;
	b->start[b->n] = b->rows.len;
	b->first_key[b->n] = b->nkeys;
	for (k = 0; k < row->nkeys; k++)
		b->keys[b->nkeys++] = b->rows.len + row->keys[k];
	appendBinaryStringInfo(&b->rows, row->buf.data, row->buf.len);
	b->n++;
	b->start[b->n] = b->rows.len;
	b->first_key[b->n] = b->nkeys;
	MemoryContextSwitchTo(old);
	if (b->n >= BATCH_ROWS || b->rows.len >= BATCH_BYTES)
		flush_all(st);
}

/* A row the mapper rejected. */
void
ImportReject(ImportState *st, ImportKind kind, int64 offset, const char *source_id,
			 int sqlstate, const char *message)
{
	int64		ordinal = ++st->ordinal;

	st->counts[kind][C_PROCESSED]++;
	record_failure(st, kind, ordinal, offset, source_id, sqlstate, message);
}

/*
 * The batch INSERT of a kind with an ON CONFLICT clause (IMPORT_CONFLICT_*),
 * prepared on first use in this call.
 */
static SPIPlanPtr
insert_plan(ImportState *st, ImportKind kind, int conflict)
{
	if (st->insert_plan[kind][conflict] == NULL)
	{
		int			n = ImportColumnCount(kind);
		Oid		   *types = palloc(n * sizeof(Oid));
		int			c;

		for (c = 0; c < n; c++)
		{
			int			how = ImportColumnHow(kind, c);

			types[c] = how == IMPORT_COL_UUID ? UUIDARRAYOID :
				how == IMPORT_COL_STAMP ? TIMESTAMPTZARRAYOID : TEXTARRAYOID;
		}
		st->insert_plan[kind][conflict] = prepare(ImportInsertSql(kind, conflict), n, types);
	}
	return st->insert_plan[kind][conflict];
}

/*
 * Run a kind's batch statement on rows [from, to) of its batch but those
 * marked in skip (if given): each column becomes one array parameter
 * (ImportColumnDatum's elements; a value that is not of the column's type
 * raises here, inside the caller's subtransaction, as the cast would).
 * Returns rows inserted or updated.
 */
static uint64
run_insert(ImportState *st, ImportKind kind, int conflict, int from, int to, const bool *skip)
{
	Batch	   *b = &st->batch[kind];
	int			ncols = ImportColumnCount(kind);
	int			nrows = 0;
	int			r;
	Datum	   *args;
	Datum	  **elems;
	bool	  **nulls;
	int		   *how;
	MemoryContext old = MemoryContextSwitchTo(st->flush_cxt);
	int			c,
				i,
				rc;
	int			lb = 1;

	for (r = from; r < to; r++)
		nrows += !(skip && skip[r]);
	args = palloc(ncols * sizeof(Datum));
	elems = palloc(ncols * sizeof(Datum *));
	nulls = palloc(ncols * sizeof(bool *));
	how = palloc(ncols * sizeof(int));
	for (c = 0; c < ncols; c++)
	{
		elems[c] = palloc(nrows * sizeof(Datum));
		nulls[c] = palloc(nrows * sizeof(bool));
		for (i = 0; i < nrows; i++)
			nulls[c][i] = true;
		how[c] = ImportColumnHow(kind, c);
	}
	for (i = 0, r = from; r < to; r++)
	{
		int			k;

		if (skip && skip[r])
			continue;

		/*
		 * Each member of the row as written by import_map.c: the key (a
		 * column name, no escapes) from its quote to the next quote, then a
		 * colon, then the value up to the next member's comma or the
		 * closing brace.
		 */
		c = 0;
		for (k = b->first_key[r]; k < b->first_key[r + 1]; k++)
		{
			const char *key = b->rows.data + b->keys[k] + 1;
			const char *colon = strchr(key, '"') + 1;
			size_t		keylen = colon - 1 - key;
			int			end = (k + 1 < b->first_key[r + 1] ? b->keys[k + 1] : b->start[r + 1]) - 1;
			int			n;

			/* the column, searched from the one after the last match */
			for (n = 0; n < ncols; n++, c = (c + 1) % ncols)
			{
				const char *name = ImportColumnName(kind, c);

				if (strncmp(name, key, keylen) == 0 && name[keylen] == '\0')
				{
					elems[c][i] = ImportColumnDatum(colon + 1, b->rows.data + end - (colon + 1), how[c],
													&nulls[c][i]);
					c = (c + 1) % ncols;
					break;
				}
			}
		}
		i++;
	}
	for (c = 0; c < ncols; c++)
	{
		Oid			elemtype;
		int16		typlen;
		bool		typbyval;
		char		typalign;

		ImportColumnElement(how[c], &elemtype, &typlen, &typbyval, &typalign);
		args[c] = PointerGetDatum(construct_md_array(elems[c], nulls[c], 1, &nrows, &lb,
													 elemtype, typlen, typbyval, typalign));
	}
	MemoryContextSwitchTo(old);
	rc = SPI_execute_plan(insert_plan(st, kind, conflict), args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "batch insert failed: %s", SPI_result_code_string(rc));
	MemoryContextReset(st->flush_cxt);
	return SPI_processed;
}

/*
 * Try run_insert() in a subtransaction, kept or (keep false: only to see
 * whether the rows go in) rolled back; false with *edata (in the caller's
 * context) if it raised a data error.  Cancels and system errors are
 * re-thrown.
 */
static bool
try_insert(ImportState *st, ImportKind kind, int conflict, int from, int to, const bool *skip,
		   bool keep, uint64 *done, ErrorData **edata)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		*done = run_insert(st, kind, conflict, from, to, skip);
		if (keep)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(oldcxt);
		e = CopyErrorData();
		if (must_rethrow(e))
			PG_RE_THROW();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		*edata = e;
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* Try row i of a kind's batch alone (kept or rolled back); a failure is recorded. */
static bool
try_row(ImportState *st, ImportKind kind, int conflict, int i, bool keep, uint64 *done)
{
	Batch	   *b = &st->batch[kind];
	ErrorData  *edata;

	CHECK_FOR_INTERRUPTS();
	if (try_insert(st, kind, conflict, i, i + 1, NULL, keep, done, &edata))
		return true;
	record_failure(st, kind, b->ordinal[i], b->offset[i], b->source_id[i],
				   edata->sqlerrcode, edata->message);
	FreeErrorData(edata);
	return false;
}

/* Whether rows [from, to) of a kind's batch go in together (rolled back). */
static bool
probe_rows(ImportState *st, ImportKind kind, int conflict, int from, int to)
{
	uint64		done;
	ErrorData  *edata;

	CHECK_FOR_INTERRUPTS();
	if (try_insert(st, kind, conflict, from, to, NULL, false, &done, &edata))
		return true;
	FreeErrorData(edata);
	return false;
}

/*
 * Mark in bad the rows of [lo, hi), a range that failed, that fail alone,
 * recording their errors; returns how many.  The halves are probed and a
 * failing one searched the same way, so that a few bad rows cost a few
 * statements; when both halves fail (many bad rows), or the range is
 * small, each row is tried alone.  Every probe is rolled back.
 */
static int
find_bad(ImportState *st, ImportKind kind, int conflict, int lo, int hi, bool *bad)
{
	int			mid = lo + (hi - lo) / 2;
	int			nbad = 0;
	int			i;

	if (hi - lo > ISOLATE_ROWS)
	{
		bool		left = probe_rows(st, kind, conflict, lo, mid);
		bool		right = probe_rows(st, kind, conflict, mid, hi);

		if (left || right)
			return (left ? 0 : find_bad(st, kind, conflict, lo, mid, bad)) +
				(right ? 0 : find_bad(st, kind, conflict, mid, hi, bad));
	}
	for (i = lo; i < hi; i++)
	{
		uint64		done;

		if (!try_row(st, kind, conflict, i, false, &done))
		{
			bad[i] = true;
			nbad++;
		}
	}
	return nbad;
}

/*
 * Insert a kind's batch: all at once, or, when that fails, its good rows
 * at once after finding the bad ones row by row.
 *
 * Until a batch of this kind has collided with an existing row, it is tried
 * as a plain INSERT: when it succeeds, every row was new, which is what
 * ON CONFLICT DO NOTHING would have done without its per-row arbiter probe
 * and speculative insertion.  A unique violation retries the batch with the
 * ON CONFLICT clause (kept for the rest of the call); any other error goes
 * straight to isolating the bad rows.
 *
 * The rows that fail alone are found by probes rolled back (find_bad),
 * then the good ones are inserted in one subtransaction: PostgreSQL keeps
 * the memory context of every committed subtransaction that allocated in
 * it (8 kB each, as the INSERT does on a table with statement triggers,
 * like journal_entries) until the transaction ends, so committing one per
 * row would grow the call's memory with every row of a batch with a bad
 * one.  Only if the good rows fail together (rows that conflict with each
 * other) are they inserted one at a time, each kept.
 */
static void
flush_kind(ImportState *st, ImportKind kind)
{
	Batch	   *b = &st->batch[kind];
	int			conflict = st->update ? IMPORT_CONFLICT_UPDATE : IMPORT_CONFLICT_SKIP;
	bool		whole = b->n > 1;
	uint64		done = 0;
	ErrorData  *edata = NULL;
	bool	   *bad;
	int			nbad = 0;
	int			i;

	if (b->n == 0)
		return;
	if (conflict == IMPORT_CONFLICT_SKIP && !st->collided[kind])
	{
		if (try_insert(st, kind, IMPORT_CONFLICT_ERROR, 0, b->n, NULL, true, &done, &edata))
		{
			st->counts[kind][C_IMPORTED] += done;
			st->counts[kind][C_SKIPPED] += b->n - done;
			b->n = 0;
			return;
		}
		if (edata->sqlerrcode == ERRCODE_UNIQUE_VIOLATION)
			st->collided[kind] = true;
		else
			whole = false;
		FreeErrorData(edata);
	}
	if (whole)
	{
		if (try_insert(st, kind, conflict, 0, b->n, NULL, true, &done, &edata))
		{
			st->counts[kind][C_IMPORTED] += done;
			st->counts[kind][C_SKIPPED] += b->n - done;
			b->n = 0;
			return;
		}
		FreeErrorData(edata);
	}
	/* isolate the rows that fail alone */
	bad = MemoryContextAllocZero(st->batch_cxt, b->n * sizeof(bool));
	nbad = find_bad(st, kind, conflict, 0, b->n, bad);
	/* the good ones together, or one at a time if they fail together */
	if (nbad < b->n && try_insert(st, kind, conflict, 0, b->n, bad, true, &done, &edata))
	{
		st->counts[kind][C_IMPORTED] += done;
		st->counts[kind][C_SKIPPED] += b->n - nbad - done;
	}
	else if (nbad < b->n)
	{
		FreeErrorData(edata);
		for (i = 0; i < b->n; i++)
			if (!bad[i] && try_row(st, kind, conflict, i, true, &done))
				st->counts[kind][done ? C_IMPORTED : C_SKIPPED]++;
	}
	pfree(bad);
	b->n = 0;
}

/* Insert every pending batch, referenced tables first. */
static void
flush_all(ImportState *st)
{
	int			k;

	if (st->collect)
		return;
	for (k = 0; k < IMPORT_KIND_COUNT; k++)
		flush_kind(st, (ImportKind) k);
	flush_errors(st);
	for (k = 0; k < IMPORT_KIND_COUNT; k++)
		if (st->batch[k].cap)
		{
			st->batch[k].cap = 0;
			st->batch[k].n = 0;
		}
	MemoryContextReset(st->batch_cxt);
}

/* Make sure a users row exists (once per call). */
void
ImportEnsureUser(ImportState *st, const pg_uuid_t *id, const char *username,
				 const char *source, const char *source_id)
{
	bool		found;
	Datum		args[4];

	if (st->collect)
		return;
	hash_search(st->users, id, HASH_ENTER, &found);
	if (found)
		return;
	args[0] = UUIDPGetDatum(id);
	args[1] = CStringGetTextDatum(username);
	args[2] = CStringGetTextDatum(source);
	args[3] = CStringGetTextDatum(source_id);
	if (SPI_execute_plan(st->user_plan, args, NULL, false, 0) < 0)
		elog(ERROR, "could not create user %s", username);
}

/* The owner of single-user sources, its users row created on first use. */
const pg_uuid_t *
ImportOwner(ImportState *st)
{
	if (!st->owner_ensured)
	{
		char		txt[40];

		st->owner_ensured = true;
		JournalingUuidText(&st->owner, txt);
		if (st->owner_is_default)
			ImportEnsureUser(st, &st->owner, "default", "journaling", "default");
		else
			ImportEnsureUser(st, &st->owner, txt, "journaling", txt);
	}
	return &st->owner;
}

/* Session bookkeeping entry of this call. */
static SeqEntry *
session_entry(ImportState *st, const pg_uuid_t *session)
{
	bool		found;
	SeqEntry   *e = hash_search(st->sessions, session, HASH_ENTER, &found);

	if (!found)
	{
		e->seq = 0;
		e->file_no = 0;
		e->owner_known = false;
	}
	return e;
}

/*
 * Owner of an existing session; when there is none, the session row is
 * created for the default owner (not counted as a record).
 */
void
ImportSessionOwner(ImportState *st, const pg_uuid_t *session, const char *source,
				   const char *source_id, pg_uuid_t *owner)
{
	SeqEntry   *e = session_entry(st, session);
	Datum		args[4];

	if (!e->owner_known)
	{
		e->owner = *ImportOwner(st);
		if (!st->collect)
		{
			flush_all(st);
			args[0] = UUIDPGetDatum(session);
			if (SPI_execute_plan(st->owner_plan, args, NULL, false, 1) == SPI_OK_SELECT && SPI_processed == 1)
			{
				bool		isnull;
				Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

				e->owner = *DatumGetUUIDP(d);
			}
			else
			{
				args[0] = UUIDPGetDatum(&e->owner);
				args[1] = UUIDPGetDatum(session);
				args[2] = CStringGetTextDatum(source);
				args[3] = CStringGetTextDatum(source_id);
				if (SPI_execute_plan(st->session_plan, args, NULL, false, 0) < 0)
					elog(ERROR, "could not create session %s", source_id);
			}
		}
		e->owner_known = true;
	}
	*owner = e->owner;
}

/*
 * Next message number (1-based) of a session in this call.  The session's
 * count is updated after each file it got messages from (a session's
 * messages may be split between files of one import_directory call).
 */
int
ImportNextSeq(ImportState *st, const pg_uuid_t *session)
{
	SeqEntry   *e = session_entry(st, session);
	MemoryContext old;

	if (e->file_no != st->file_no)
	{
		pg_uuid_t  *copy;

		old = MemoryContextSwitchTo(st->file_cxt);
		copy = palloc(sizeof(pg_uuid_t));
		*copy = *session;
		st->touched = lappend(st->touched, copy);
		MemoryContextSwitchTo(old);
		e->file_no = st->file_no;
	}
	return ++e->seq;
}

/* False (with the first ordinal) if this kind already had the id in this file. */
bool
ImportFirstSeen(ImportState *st, ImportKind kind, const pg_uuid_t *id, int64 *first_ordinal)
{
	return ImportSeenAdd(st->seen, kind, id, st->ordinal + 1, first_ordinal);
}

/* Path of the file being read, or NULL for a document. */
const char *
ImportPath(ImportState *st)
{
	return st->path;
}

/* A string option, or NULL. */
const char *
ImportOption(ImportState *st, const char *name)
{
	JsonbValue	k;
	JsonbValue *v;

	k.type = jbvString;
	k.val.string.val = (char *) name;
	k.val.string.len = strlen(name);
	v = findJsonbValueFromContainer(&st->options->root, JB_FOBJECT, &k);
	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* Time zone for naive timestamps (entries: entries_timezone). */
pg_tz *
ImportTimezone(ImportState *st, bool entries)
{
	return entries ? st->entries_tz : st->tz;
}

/* Ordinal the next row will get. */
int64
ImportNextOrdinal(ImportState *st)
{
	return st->ordinal + 1;
}

/* A boolean option. */
static bool
option_bool(ImportState *st, const char *name, bool dflt)
{
	JsonbValue	k;
	JsonbValue *v;

	k.type = jbvString;
	k.val.string.val = (char *) name;
	k.val.string.len = strlen(name);
	v = findJsonbValueFromContainer(&st->options->root, JB_FOBJECT, &k);
	if (v == NULL || v->type == jbvNull)
		return dflt;
	if (v->type == jbvBool)
		return v->val.boolean;
	if (v->type == jbvString && (strncmp(v->val.string.val, "true", 4) == 0 || strncmp(v->val.string.val, "false", 5) == 0))
		return v->val.string.val[0] == 't';
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"%s\" must be a boolean", name)));
	return dflt;
}

/* A time zone option. */
static pg_tz *
option_tz(ImportState *st, const char *name, const char *dflt)
{
	const char *v = ImportOption(st, name);
	pg_tz	   *tz;

	if (v == NULL)
		v = dflt;
	tz = pg_tzset(v);
	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" of option \"%s\" is not recognized", v, name)));
	return tz;
}

/* Parse and check the options object. */
static void
parse_options(ImportState *st, Jsonb *options)
{
	static const char *const known[] = {"user_id", "timezone", "entries_timezone", "on_conflict",
	"mode", "dry_run", "chat_id", "memory_user", NULL};
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	const char *s;

	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object")));
	st->options = options;
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			const char *const *k;
			bool		ok = false;
			char	   *name = pnstrdup(v.val.string.val, v.val.string.len);

			for (k = known; *k; k++)
				if (strcmp(*k, name) == 0)
					ok = true;
			if (!ok)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown import option \"%s\"", name),
						 errhint("Known options: user_id, timezone, entries_timezone, on_conflict, mode, dry_run, chat_id, memory_user.")));
		}
	}
	s = ImportOption(st, "user_id");
	if (s)
	{
		if (!JournalingParseUuid(s, strlen(s), &st->owner))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("option \"user_id\" is not a uuid: \"%s\"", s)));
	}
	else if (!JournalingCurrentUserId(&st->owner))
	{
		JournalingUuid5("user:default", strlen("user:default"), &st->owner);
		st->owner_is_default = true;
	}
	st->tz = option_tz(st, "timezone", "UTC");
	st->entries_tz = option_tz(st, "entries_timezone", ImportOption(st, "timezone") ? ImportOption(st, "timezone") : "UTC");
	s = ImportOption(st, "on_conflict");
	if (s && strcmp(s, "update") == 0)
		st->update = true;
	else if (s && strcmp(s, "skip") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"on_conflict\" must be \"skip\" or \"update\", not \"%s\"", s)));
	s = ImportOption(st, "mode");
	if (s && strcmp(s, "strict") == 0)
		st->strict = true;
	else if (s && strcmp(s, "best_effort") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"mode\" must be \"best_effort\" or \"strict\", not \"%s\"", s)));
	st->dry_run = option_bool(st, "dry_run", false);
}

/* Allocator for the reader: the per-record context. */
static void *
reader_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

/* What the file read callback needs. */
typedef struct FileSource
{
	FILE	   *fp;
	ImportState *st;
} FileSource;

static void progress(ImportState *st, JrReader *r);

/*
 * Read callback over a server file: one chunk; reports progress (the reader
 * checks for interrupts before every chunk).
 */
static size_t
file_read(void *ctx, char *buf, size_t cap)
{
	FileSource *src = (FileSource *) ctx;
	size_t		n;

	if (src->st->reader)
		progress(src->st, src->st->reader);
	n = fread(buf, 1, cap, src->fp);
	if (n == 0 && ferror(src->fp))
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read the import file: %m")));
	return n;
}

/* The JSON reader's interrupt hook: a cancel or timeout stops a long parse. */
static void
reader_check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

/* Called once from _PG_init: make the JSON reader cancellable. */
void
ImportInit(void)
{
	jr_interrupt_hook = reader_check_interrupts;
}

/* Set up the state of one call. */
static ImportState *
state_create(Jsonb *options, bool collect)
{
	ImportState *st = palloc0(sizeof(ImportState));
	HASHCTL		ctl;

	st->call_cxt = AllocSetContextCreate(CurrentMemoryContext, "journaling import", ALLOCSET_DEFAULT_SIZES);
	st->file_cxt = AllocSetContextCreate(st->call_cxt, "journaling import file", ALLOCSET_DEFAULT_SIZES);
	st->record_cxt = AllocSetContextCreate(st->call_cxt, "journaling import record", ALLOCSET_DEFAULT_SIZES);
	st->error_cxt = AllocSetContextCreate(st->call_cxt, "journaling import errors", ALLOCSET_DEFAULT_SIZES);
	st->batch_cxt = AllocSetContextCreate(st->call_cxt, "journaling import batch", ALLOCSET_DEFAULT_SIZES);
	st->flush_cxt = AllocSetContextCreate(st->call_cxt, "journaling import flush", ALLOCSET_DEFAULT_SIZES);
	st->collect = collect;
	parse_options(st, options);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(pg_uuid_t);
	ctl.entrysize = sizeof(UserEntry);
	ctl.hcxt = st->call_cxt;
	st->users = hash_create("journaling import users", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.entrysize = sizeof(SeqEntry);
	st->sessions = hash_create("journaling import sessions", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	st->started = st->last_progress = GetCurrentTimestamp();
	return st;
}

/* Prepare the statements of an importing call and open its import_runs row. */
static void
state_begin_run(ImportState *st, const char *source, const char *format)
{
	Oid			error_t[E_COLS + 1] = {INT8OID, TEXTARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Oid			user_t[4] = {UUIDOID, TEXTOID, TEXTOID, TEXTOID};
	Oid			owner_t[1] = {UUIDOID};
	Oid			sess_t[4] = {UUIDOID, UUIDOID, TEXTOID, TEXTOID};
	Oid			run_t[3] = {TEXTOID, TEXTOID, JSONBOID};
	Datum		args[3];
	bool		isnull;

	st->error_plan = prepare("INSERT INTO journaling.import_errors "
							 "(run_id, file, ordinal, byte_offset, kind, source_id, sqlstate, message) "
							 "SELECT $1, pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4), "
							 "pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7), pg_catalog.unnest($8)",
							 E_COLS + 1, error_t);
	st->user_plan = prepare("INSERT INTO journaling.users (id, username, source, source_id) "
							"VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4, user_t);
	st->owner_plan = prepare("SELECT user_id FROM journaling.chat_sessions "
							 "WHERE id OPERATOR(pg_catalog.=) $1 LIMIT 1", 1, owner_t);
	st->session_plan = prepare("INSERT INTO journaling.chat_sessions (user_id, id, source, source_id) "
							   "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4, sess_t);
	st->count_plan = prepare("UPDATE journaling.chat_sessions s SET message_count = m.n, "
							 "last_message_at = m.last "
							 "FROM (SELECT user_id, session_id, pg_catalog.count(*)::pg_catalog.int4 AS n, "
							 "pg_catalog.max(created_at) AS last FROM journaling.messages "
							 "WHERE session_id OPERATOR(pg_catalog.=) ANY ($1) GROUP BY 1, 2) m "
							 "WHERE s.user_id OPERATOR(pg_catalog.=) m.user_id "
							 "AND s.id OPERATOR(pg_catalog.=) m.session_id", 1, (Oid[]) {UUIDARRAYOID});
	args[0] = CStringGetTextDatum(source);
	args[1] = CStringGetTextDatum(format);
	args[2] = JsonbPGetDatum(st->options);
	if (SPI_execute_with_args("INSERT INTO journaling.import_runs (source, format, options) "
							  "VALUES ($1, $2, $3) RETURNING id", 3, run_t, args, NULL, false, 1)
		!= SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not create the import_runs row");
	st->run_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* Close the import_runs row with the counts. */
static void
state_end_run(ImportState *st)
{
	StringInfoData counts;
	int64		tot[4] = {0, 0, 0, 0};
	int			k,
				c;
	Datum		args[7];
	Oid			types[7] = {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, JSONBOID, INT8OID};

	flush_errors(st);
	initStringInfo(&counts);
	appendStringInfoChar(&counts, '{');
	for (k = 0; k < IMPORT_KIND_COUNT; k++)
	{
		if (st->counts[k][C_PROCESSED] == 0)
			continue;
		appendStringInfo(&counts, "%s\"%s\": {\"processed\": " INT64_FORMAT ", \"imported\": " INT64_FORMAT
						 ", \"skipped\": " INT64_FORMAT ", \"failed\": " INT64_FORMAT "}",
						 counts.len > 1 ? ", " : "", ImportKindNames[k],
						 st->counts[k][0], st->counts[k][1], st->counts[k][2], st->counts[k][3]);
		for (c = 0; c < 4; c++)
			tot[c] += st->counts[k][c];
	}
	appendStringInfoChar(&counts, '}');
	args[0] = Int64GetDatum(st->run_id);
	args[1] = Int64GetDatum(tot[0] + st->undetected);
	args[2] = Int64GetDatum(tot[1]);
	args[3] = Int64GetDatum(tot[2]);
	args[4] = Int64GetDatum(tot[3] + st->undetected);
	args[5] = DirectFunctionCall1(jsonb_in, CStringGetDatum(counts.data));
	args[6] = Int64GetDatum(st->notes);
	if (SPI_execute_with_args("UPDATE journaling.import_runs SET finished_at = pg_catalog.clock_timestamp(), "
							  "processed = $2, imported = $3, skipped = $4, failed = $5, counts = $6, notes = $7 "
							  "WHERE id OPERATOR(pg_catalog.=) $1", 7, types, args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not update the import_runs row");
}

/* Record a note (not a failure) for the record that starts at ordinal. */
static void
record_note(ImportState *st, int64 ordinal, int64 offset, int n)
{
	st->notes++;
	if (st->collect)
		return;
	queue_error(st, "note", ordinal, offset, NULL, "01000",
				psprintf("%d non-finite number%s (NaN or Infinity): stored as JSON string%s in jsonb columns, NULL in typed columns",
						 n, n == 1 ? "" : "s", n == 1 ? "" : "s"));
}

/* A fault in the JSON itself: the rest of the input is lost. */
static void
json_fault(ImportState *st, JrReader *r, ImportKind kind)
{
	int64		ordinal = r->empty ? 0 : st->ordinal + 1;
	int64		offset = r->empty ? 0 : r->record_offset;

	if (!r->empty)
		st->ordinal++;
	st->counts[kind][C_PROCESSED]++;
	if (st->strict && r->empty)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("%s is empty", st->file_label),
				 errdetail("%s", r->error),
				 errhint("Nothing was imported.")));
	record_failure(st, kind, ordinal, offset, r->record_key[0] ? pstrdup(r->record_key) : NULL,
				   ERRCODE_INVALID_TEXT_REPRESENTATION,
				   r->error);
}

/* Progress NOTICE every PROGRESS_INTERVAL_MS on long inputs. */
static void
progress(ImportState *st, JrReader *r)
{
	TimestampTz now = GetCurrentTimestamp();

	if (TimestampDifferenceExceeds(st->last_progress, now, PROGRESS_INTERVAL_MS))
	{
		long		secs;
		int			usecs;
		double		elapsed;
		int64		bytes = st->bytes_done + jr_position(r);

		TimestampDifference(st->started, now, &secs, &usecs);
		elapsed = secs + usecs / 1e6;
		ereport(NOTICE,
				(errmsg("import progress: " INT64_FORMAT " records, %.1f MB read, %.0f records/s",
						st->records, bytes / 1048576.0, elapsed > 0 ? st->records / elapsed : 0.0)));
		st->last_progress = now;
	}
}

/*
 * errcode() for a path the caller named that could not be opened: a name too
 * long or with too many symbolic links is a bad argument, not the internal
 * error errcode_for_file_access() reports for those.
 */
static int
errcode_for_path(int err)
{
	if (err == ENAMETOOLONG || err == ELOOP)
		return errcode(ERRCODE_INVALID_PARAMETER_VALUE);
	return errcode_for_file_access();
}

/* Open a reader on the file or the document. */
static void
open_reader(ImportState *st, JrReader *r, const char *path, const char *doc, size_t doclen, FILE **fp, bool probe)
{
	if (path)
	{
		char	   *buf = MemoryContextAlloc(st->file_cxt, JR_CHUNK_SIZE);

		FileSource *src = MemoryContextAlloc(st->file_cxt, sizeof(FileSource));

		*fp = AllocateFile(path, PG_BINARY_R);
		if (*fp == NULL)
		{
			int			err = errno;

			ereport(ERROR,
					(errcode_for_path(err),
					 errmsg("could not open file \"%s\" for reading: %m", path)));
		}
		src->fp = *fp;
		src->st = st;
		jr_init_stream(r, file_read, src, buf, reader_alloc, st->record_cxt);
	}
	else
		jr_init_memory(r, doc, doclen, reader_alloc, st->record_cxt);
	r->probe = probe;
}

/* Close the reader's file. */
static void
close_reader(FILE **fp)
{
	if (*fp)
		FreeFile(*fp);
	*fp = NULL;
}

/* Detect the format of a file or document; NULL if it cannot be told. */
static const ImportFormat *
detect(ImportState *st, const char *path, const char *doc, size_t doclen)
{
	JrReader	r;
	JrRecord	rec;
	FILE	   *fp = NULL;
	const ImportFormat *f = NULL;
	JrStatus	s;

	open_reader(st, &r, path, doc, doclen, &fp, true);
	if (jr_begin(&r, JR_LAYOUT_COLLECTION, NULL) == JR_OK)
	{
		s = jr_next(&r, &rec);
		if (s == JR_OK)
			f = ImportDetectFormat(path, r.top, &rec);
		else if (s == JR_END)
			f = ImportDetectFormat(path, r.top, NULL);
		else if (r.record_key[0] || r.top == '[')
			f = ImportDetectFormat(path, r.top, NULL);
	}
	close_reader(&fp);
	MemoryContextReset(st->record_cxt);
	return f;
}

/* Import (or, collecting, read) one file or document with a format. */
static void
import_one(ImportState *st, const char *path, const char *doc, size_t doclen, const char *format)
{
	JrReader	r;
	JrRecord	rec;
	FILE	   *fp = NULL;
	JrStatus	s;
	const ImportFormat *f;

	MemoryContextReset(st->file_cxt);
	st->path = path;
	st->file_label = path ? path : "the document";
	st->ordinal = 0;
	st->file_no++;
	st->touched = NIL;

	if (strcmp(format, "auto") == 0)
	{
		f = detect(st, path, doc, doclen);
		if (f == NULL)
		{
			if (st->strict || path == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("could not detect the format of %s", st->file_label),
						 errhint("Pass the format explicitly, e.g. 'journaling_ai.entries'.")));
			st->undetected++;
			record_failure(st, -1, 0, 0, NULL, ERRCODE_INVALID_PARAMETER_VALUE,
						   "could not detect the format of the file; pass the format explicitly");
			return;
		}
	}
	else
	{
		f = ImportFindFormat(format);
		if (f == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown import format \"%s\"", format),
					 errhint("Known formats: auto, entries, sessions, journaling_ai.entries, journaling_ai.topics, journaling_ai.sessions, journaling_ai.messages, llm_council.conversation, llm_council.usage, donna.session, donna.history, donna.memory, donna.user, dayone, jrnl, journey.")));
	}
	st->format = f;
	st->seen = ImportSeenCreate(st->file_cxt);

	open_reader(st, &r, path, doc, doclen, &fp, false);
	st->reader = &r;
	s = jr_begin(&r, (JrLayout) f->layout, f->nested_key);
	while (s == JR_OK)
	{
		int64		first = st->ordinal + 1;

		CHECK_FOR_INTERRUPTS();
		s = jr_next(&r, &rec);
		if (s != JR_OK)
			break;
		{
			MemoryContext old = MemoryContextSwitchTo(st->record_cxt);

			f->map(st, &rec);
			MemoryContextSwitchTo(old);
		}
		if (r.nonfinite_seen)
			record_note(st, first, rec.offset, r.nonfinite_seen);
		MemoryContextReset(st->record_cxt);
		if ((++st->records & 1023) == 0)
			progress(st, &r);
	}
	if (s == JR_ERROR)
		json_fault(st, &r, f->kind);
	st->bytes_done += jr_position(&r);
	close_reader(&fp);
	ImportSeenFree(st->seen, st->file_label);
	st->seen = NULL;
	flush_all(st);

	/* sessions that got messages: their count and last message time */
	if (!st->collect && st->touched != NIL)
	{
		Datum	   *elems = palloc(list_length(st->touched) * sizeof(Datum));
		ListCell   *lc;
		int			i = 0;
		Datum		arg;

		foreach(lc, st->touched)
			elems[i++] = UUIDPGetDatum(lfirst(lc));
		arg = PointerGetDatum(construct_array(elems, i, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
		if (SPI_execute_plan(st->count_plan, &arg, NULL, false, 0) < 0)
			elog(ERROR, "could not update message counts");
	}
	st->reader = NULL;
}

/* Error unless the caller may read server files. */
static void
require_read_server_files(const char *fn)
{
	if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for function %s", fn),
				 errdetail("Only roles with privileges of the \"pg_read_server_files\" role may import server files.")));
}

/* Output rows of an import: one per kind with records, then "total". */
static void
emit_counts(ImportState *st, ReturnSetInfo *rsinfo)
{
	int64		tot[4] = {0, 0, 0, 0};
	int			k,
				c;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	for (k = 0; k < IMPORT_KIND_COUNT; k++)
	{
		if (st->counts[k][C_PROCESSED] == 0)
			continue;
		values[0] = CStringGetTextDatum(ImportKindNames[k]);
		for (c = 0; c < 4; c++)
		{
			values[c + 1] = Int64GetDatum(st->counts[k][c]);
			tot[c] += st->counts[k][c];
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	values[0] = CStringGetTextDatum("total");
	tot[C_PROCESSED] += st->undetected;
	tot[C_FAILED] += st->undetected;
	for (c = 0; c < 4; c++)
		values[c + 1] = Int64GetDatum(tot[c]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* A directory by identity: the key of the set of directories already walked. */
typedef struct DirId
{
	dev_t		dev;
	ino_t		ino;
} DirId;

/*
 * Files under dir (recursively) whose names end in .json.  Symbolic links
 * are followed, but each directory is walked once (seen holds the ones
 * walked), so links back up the tree neither loop nor list a file twice.
 */
static void
collect_files(const char *dir, List **files, HTAB *seen)
{
	DIR		   *d;
	struct dirent *de;
	struct stat stbuf;
	DirId		id;
	bool		found;

	check_stack_depth();
	if (stat(dir, &stbuf) == 0)
	{
		memset(&id, 0, sizeof(id));
		id.dev = stbuf.st_dev;
		id.ino = stbuf.st_ino;
		hash_search(seen, &id, HASH_ENTER, &found);
		if (found)
			return;
	}
	d = AllocateDir(dir);
	if (d == NULL)
	{
		int			err = errno;

		ereport(ERROR,
				(errcode_for_path(err),
				 errmsg("could not open directory \"%s\": %m", dir)));
	}
	while ((de = ReadDir(d, dir)) != NULL)
	{
		char	   *p;
		size_t		len = strlen(de->d_name);

		CHECK_FOR_INTERRUPTS();
		if (de->d_name[0] == '.')
			continue;
		p = psprintf("%s/%s", dir, de->d_name);
		if (stat(p, &stbuf) != 0)
			continue;
		if (S_ISDIR(stbuf.st_mode))
			collect_files(p, files, seen);
		else if (S_ISREG(stbuf.st_mode) && len > 5 && strcmp(de->d_name + len - 5, ".json") == 0)
			*files = lappend(*files, p);
	}
	FreeDir(d);
}

/* Import order of a file in a directory: what others refer to first. */
static int
file_rank(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t		len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (strstr(path, "/users/"))
		return 0;
	if (strcmp(base, "topics.json") == 0)
		return 1;
	if (strcmp(base, "sessions.json") == 0 || (len > 13 && strcmp(base + len - 13, "_session.json") == 0))
		return 2;
	if (strstr(path, "/conversations/"))
		return 3;
	if (strcmp(base, "messages.json") == 0 || strstr(path, "/chat_sessions/"))
		return 5;
	if (strstr(path, "/memory/"))
		return 6;
	if (strstr(path, "/usage/"))
		return 7;
	return 4;
}

/* list_sort comparator: by rank, then path. */
static int
file_cmp(const ListCell *a, const ListCell *b)
{
	const char *pa = lfirst(a);
	const char *pb = lfirst(b);
	int			ra = file_rank(pa);
	int			rb = file_rank(pb);

	if (ra != rb)
		return ra - rb;
	return strcmp(pa, pb);
}

/* Common body of the importing functions. */
static void
run_import(FunctionCallInfo fcinfo, const char *fn, const char *path, text *doc,
		   const char *format, Jsonb *options, bool directory)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ImportState *st;
	MemoryContext oldcxt;
	ResourceOwner oldowner;
	List	   *files = NIL;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	st = state_create(options, false);
	st->format_name = format;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	oldcxt = MemoryContextSwitchTo(st->call_cxt);
	oldowner = CurrentResourceOwner;
	if (st->dry_run)
	{
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(st->call_cxt);
	}
	state_begin_run(st, path ? path : "document", format);
	if (directory)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(DirId);
		ctl.entrysize = sizeof(DirId);
		ctl.hcxt = CurrentMemoryContext;
		collect_files(path, &files,
					  hash_create("journaling import directories", 64, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT));
		list_sort(files, file_cmp);
		foreach(lc, files)
			import_one(st, lfirst(lc), NULL, 0, "auto");
	}
	else if (path)
		import_one(st, path, NULL, 0, format);
	else
		import_one(st, NULL, VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), format);
	state_end_run(st);
	if (st->dry_run)
	{
		RollbackAndReleaseCurrentSubTransaction();
		CurrentResourceOwner = oldowner;
	}
	MemoryContextSwitchTo(oldcxt);
	SPI_finish();
	emit_counts(st, rsinfo);
}

/* journaling.read_records(document, format, options): normalized records, nothing written. */
PG_FUNCTION_INFO_V1(journaling_read_records);
Datum
journaling_read_records(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *doc = PG_GETARG_TEXT_PP(0);
	char	   *format = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ImportState *st;

	InitMaterializedSRF(fcinfo, 0);
	st = state_create(PG_GETARG_JSONB_P(2), true);
	st->tupstore = rsinfo->setResult;
	st->tupdesc = rsinfo->setDesc;
	import_one(st, NULL, VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), format);
	return (Datum) 0;
}

/* journaling.import_json(document, format, options): import a client-supplied document. */
PG_FUNCTION_INFO_V1(journaling_import_json);
Datum
journaling_import_json(PG_FUNCTION_ARGS)
{
	run_import(fcinfo, "import_json", NULL, PG_GETARG_TEXT_PP(0),
			   text_to_cstring(PG_GETARG_TEXT_PP(1)), PG_GETARG_JSONB_P(2), false);
	return (Datum) 0;
}

/* journaling.import_file(path, format, options): import a server file. */
PG_FUNCTION_INFO_V1(journaling_import_file);
Datum
journaling_import_file(PG_FUNCTION_ARGS)
{
	require_read_server_files("import_file");
	run_import(fcinfo, "import_file", text_to_cstring(PG_GETARG_TEXT_PP(0)), NULL,
			   text_to_cstring(PG_GETARG_TEXT_PP(1)), PG_GETARG_JSONB_P(2), false);
	return (Datum) 0;
}

/* journaling.import_directory(path, options): import a legacy data folder. */
PG_FUNCTION_INFO_V1(journaling_import_directory);
Datum
journaling_import_directory(PG_FUNCTION_ARGS)
{
	require_read_server_files("import_directory");
	run_import(fcinfo, "import_directory", text_to_cstring(PG_GETARG_TEXT_PP(0)), NULL,
			   "auto", PG_GETARG_JSONB_P(1), true);
	return (Datum) 0;
}
