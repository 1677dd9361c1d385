/*
 * search.c — journaling.search_top(): one user's best-ranked journal entries.
 *
 * journaling.search() (SQL) prepares the query and makes the snippets; for
 * one user it asks this function for the ranked rows.  The SQL it replaces
 * filtered with @@ and ranked with ts_rank_cd in the executor, which detoasts
 * every row's search_vector twice (once for the filter, once for the rank),
 * then sorted every matching row.  Here:
 *
 * - the user's rows are read through SPI as the caller, with one cached plan
 *   over the (user_id, ...) btree index, so row-level security applies
 *   exactly as it does to the SQL (the plan cache replans when the role or
 *   row_security changes), and only the columns ranking needs are fetched;
 * - each search_vector is detoasted once and handed to the built-in
 *   ts_match_vq (@@) and ts_rankcd_tt (ts_rank_cd with default weights and
 *   normalization), so the ranks are those of the SQL by construction;
 * - a bounded heap keeps the best max_results rows in the SQL order (rank
 *   DESC, entry_date DESC, id), comparing ranks as float4 ORDER BY does;
 * - title and content are fetched for the kept rows only, by primary key.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "tsearch/ts_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/uuid.h"

#include "journaling.h"

/* Rows fetched from the cursor at a time. */
#define SEARCH_FETCH_ROWS 1000

/* One ranked candidate. */
typedef struct SearchHit
{
	float4		rank;
	DateADT		entry_date;		/* NOT NULL in the table */
	pg_uuid_t	id;
} SearchHit;

/* Plans kept for the backend's life (the plan cache revalidates them). */
static SPIPlanPtr scan_plan = NULL;
static SPIPlanPtr fetch_plan = NULL;

/* Order of the SQL: rank DESC, entry_date DESC, id.  Negative when a comes first. */
static int
hit_cmp(const SearchHit *a, const SearchHit *b)
{
	int			c = float4_cmp_internal(b->rank, a->rank);

	if (c != 0)
		return c;
	if (a->entry_date != b->entry_date)
		return a->entry_date > b->entry_date ? -1 : 1;
	return memcmp(a->id.data, b->id.data, UUID_LEN);
}

/* qsort comparator over SearchHit. */
static int
hit_qsort_cmp(const void *a, const void *b)
{
	return hit_cmp((const SearchHit *) a, (const SearchHit *) b);
}

/* A fetched row, found by its id. */
typedef struct SearchRow
{
	pg_uuid_t	id;
	HeapTuple	tup;
} SearchRow;

/* qsort and bsearch comparator over SearchRow, by id. */
static int
row_id_cmp(const void *a, const void *b)
{
	return memcmp(((const SearchRow *) a)->id.data, ((const SearchRow *) b)->id.data, UUID_LEN);
}

/*
 * Bounded heap: heap[0] is the worst kept hit (the one that comes last), so
 * a new hit is kept only if it comes before heap[0].
 */
static void
heap_sift_down(SearchHit *heap, int n, int i)
{
	for (;;)
	{
		int			l = 2 * i + 1;
		int			r = l + 1;
		int			worst = i;
		SearchHit	tmp;

		if (l < n && hit_cmp(&heap[l], &heap[worst]) > 0)
			worst = l;
		if (r < n && hit_cmp(&heap[r], &heap[worst]) > 0)
			worst = r;
		if (worst == i)
			return;
		tmp = heap[i];
		heap[i] = heap[worst];
		heap[worst] = tmp;
		i = worst;
	}
}

/* The best hits seen so far: a bounded heap that grows with the hits. */
typedef struct SearchTop
{
	SearchHit  *heap;
	int			n;
	int			cap;
	int			limit;
} SearchTop;

/* Keep a hit if it is among the limit best seen. */
static void
top_offer(SearchTop *top, const SearchHit *hit)
{
	SearchHit  *heap;

	if (top->n < top->limit)
	{
		int			i;

		if (top->n == top->cap)
		{
			top->cap = (int) Min((int64) top->cap * 2, (int64) top->limit);
			top->heap = repalloc(top->heap, sizeof(SearchHit) * top->cap);
		}
		heap = top->heap;
		i = top->n++;
		heap[i] = *hit;
		while (i > 0)
		{
			int			parent = (i - 1) / 2;
			SearchHit	tmp;

			if (hit_cmp(&heap[i], &heap[parent]) <= 0)
				break;
			tmp = heap[i];
			heap[i] = heap[parent];
			heap[parent] = tmp;
			i = parent;
		}
	}
	else if (hit_cmp(hit, &top->heap[0]) < 0)
	{
		top->heap[0] = *hit;
		heap_sift_down(top->heap, top->n, 0);
	}
}

/* Prepare and keep a plan of fully qualified SQL. */
static SPIPlanPtr
keep_plan(const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

/*
 * Rank every row of the owner the caller may see that matches the query;
 * keep the best top->limit of them in top.
 */
static void
rank_rows(Datum owner, Datum tsq, SearchTop *top)
{
	Portal		portal;
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext,
												 "journaling search rows",
												 ALLOCSET_DEFAULT_SIZES);

	if (scan_plan == NULL)
	{
		Oid			types[1] = {UUIDOID};

		scan_plan = keep_plan("SELECT e.search_vector, e.entry_date, e.id "
							  "FROM journaling.journal_entries e "
							  "WHERE e.user_id OPERATOR(pg_catalog.=) $1",
							  1, types);
	}
	portal = SPI_cursor_open(NULL, scan_plan, &owner, NULL, true);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, SEARCH_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			Datum		vdatum;
			TSVector	vec;
			SearchHit	hit;
			MemoryContext oldcxt;

			CHECK_FOR_INTERRUPTS();
			vdatum = SPI_getbinval(tup, desc, 1, &isnull);
			if (isnull)
				continue;		/* NULL @@ q is not true */
			oldcxt = MemoryContextSwitchTo(rowcxt);
			vec = DatumGetTSVector(vdatum);
			if (DatumGetBool(DirectFunctionCall2(ts_match_vq, PointerGetDatum(vec), tsq)))
			{
				hit.rank = DatumGetFloat4(DirectFunctionCall2(ts_rankcd_tt, PointerGetDatum(vec), tsq));
				hit.entry_date = DatumGetDateADT(SPI_getbinval(tup, desc, 2, &isnull));
				memcpy(&hit.id, DatumGetUUIDP(SPI_getbinval(tup, desc, 3, &isnull)), sizeof(pg_uuid_t));
				top_offer(top, &hit);
			}
			MemoryContextSwitchTo(oldcxt);
			MemoryContextReset(rowcxt);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(rowcxt);
}

/*
 * journaling.search_top(tsq, owner, max_results): the owner's visible entries
 * matching tsq, best first (rank DESC, entry_date DESC, id), at most
 * max_results of them (NULL: all), with title, content and rank.
 */
PG_FUNCTION_INFO_V1(journaling_search_top);
Datum
journaling_search_top(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		tsq;
	Datum		owner;
	int64		limit;
	SearchTop	top;
	SearchHit  *heap;
	int			n;
	int			i;
	Datum	   *ids;
	SearchRow  *rows;
	Datum		args[2];
	Oid			types[2] = {UUIDOID, UUIDARRAYOID};
	uint64		j;

	InitMaterializedSRF(fcinfo, 0);
	if (!PG_ARGISNULL(2))
	{
		limit = PG_GETARG_INT32(2);
		if (limit < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE),
					 errmsg("LIMIT must not be negative")));
	}
	else
		limit = PG_INT32_MAX;
	/* A query without lexemes (only stop words) matches nothing. */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || limit == 0 || PG_GETARG_TSQUERY(0)->size == 0)
		PG_RETURN_NULL();
	tsq = PointerGetDatum(PG_GETARG_TSQUERY(0));	/* detoasted once, not per row */
	owner = PG_GETARG_DATUM(1);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	top.limit = (int) limit;
	top.cap = (int) Min(limit, 64);
	top.n = 0;
	top.heap = palloc(sizeof(SearchHit) * top.cap);
	rank_rows(owner, tsq, &top);
	heap = top.heap;
	n = top.n;
	if (n == 0)
	{
		SPI_finish();
		PG_RETURN_NULL();
	}
	qsort(heap, n, sizeof(SearchHit), hit_qsort_cmp);

	/* Title and content of the kept rows, by primary key. */
	ids = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		ids[i] = UUIDPGetDatum(&heap[i].id);
	if (fetch_plan == NULL)
		fetch_plan = keep_plan("SELECT e.id, e.user_id, e.entry_date, e.title, e.content "
							   "FROM journaling.journal_entries e "
							   "WHERE e.user_id OPERATOR(pg_catalog.=) $1 "
							   "AND e.id OPERATOR(pg_catalog.=) ANY ($2)",
							   2, types);
	args[0] = owner;
	args[1] = PointerGetDatum(construct_array(ids, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
	if (SPI_execute_plan(fetch_plan, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "search_top: fetching the kept rows failed");
	/*
	 * Emit them in rank order.  Both statements read the same snapshot, so
	 * every kept row is found (a policy with volatile functions aside: a row
	 * it hides on the second look is left out).
	 */
	rows = palloc(sizeof(SearchRow) * Max(SPI_processed, 1));
	for (j = 0; j < SPI_processed; j++)
	{
		bool		isnull;

		rows[j].tup = SPI_tuptable->vals[j];
		memcpy(&rows[j].id, DatumGetUUIDP(SPI_getbinval(rows[j].tup, SPI_tuptable->tupdesc, 1, &isnull)),
			   sizeof(pg_uuid_t));
	}
	qsort(rows, SPI_processed, sizeof(SearchRow), row_id_cmp);
	for (i = 0; i < n; i++)
	{
		SearchRow	key;
		SearchRow  *row;
		Datum		values[6];
		bool		nulls[6];
		int			k;

		key.id = heap[i].id;
		row = bsearch(&key, rows, SPI_processed, sizeof(SearchRow), row_id_cmp);
		if (row == NULL)
			continue;
		for (k = 0; k < 5; k++)
			values[k] = SPI_getbinval(row->tup, SPI_tuptable->tupdesc, k + 1, &nulls[k]);
		values[5] = Float4GetDatum(heap[i].rank);
		nulls[5] = false;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	PG_RETURN_NULL();
}
