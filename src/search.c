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
 *
 * When the owner has a search index (journaling.refresh_search_index(),
 * search_index.c) that the caller may read, the rows are not read at all:
 *
 * - the buckets of the query's lexemes give each lexeme's posting list, and
 *   an entry's candidates are merged from them in search order (all entries
 *   when the query matches a document without its lexemes, as !a does);
 * - an upper bound of the entry's rank is known from the postings alone:
 *   ts_rank_cd sums one term per cover, covers begin at distinct positions of
 *   the query's lexemes, and a term is at most the largest weight among
 *   them, so rank <= positions x largest weight.  An entry whose bound cannot
 *   beat the worst kept hit is skipped;
 * - the others get a tsvector of only the query's lexemes, with their
 *   positions, on which ts_match_vq and ts_rankcd_tt give exactly what they
 *   give on the whole vector (both look at the query's lexemes only);
 * - the entries of the days written since the index was built (logged in
 *   journaling.stats_changes until the statistics refresh hands them on to
 *   journaling.search_changes, see search_index.c) are ranked from the
 *   table instead, as above;
 * - the kept hits are then fetched as the caller: a hit the caller cannot
 *   see (a policy of its own) is left out and the choice made again.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "tsearch/ts_cache.h"
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
#include "utils/acl.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"

#include "journaling.h"
#include "search_index.h"
#include "search_prepare.h"

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
static SPIPlanPtr index_plan = NULL;
static SPIPlanPtr pending_plan = NULL;
static SPIPlanPtr buckets_plan = NULL;
static SPIPlanPtr pending_rows_plan = NULL;
static SPIPlanPtr all_plan = NULL;

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

/* Receives one result row: id, user_id, entry_date, title, content, rank. */
typedef void (*SearchRowFn) (void *arg, Datum *values, bool *nulls);

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

/* Receives one row of a cursor. */
typedef void (*SearchCursorFn) (void *arg, HeapTuple tup, TupleDesc desc);

/* Run a saved plan (read-only, as the caller) and hand every row to fn, in batches. */
static void
for_each_row(SPIPlanPtr plan, Datum *args, const char *nulls, SearchCursorFn fn, void *arg)
{
	Portal		portal = SPI_cursor_open(NULL, plan, args, nulls, true);

	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, SEARCH_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			CHECK_FOR_INTERRUPTS();
			fn(arg, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/* rank_rows()' state: the query, the kept hits, a per-row memory context. */
typedef struct RankRows
{
	Datum		tsq;
	SearchTop  *top;
	MemoryContext rowcxt;
} RankRows;

/* One row (search_vector, entry_date, id): keep it if it matches and ranks high enough. */
static void
rank_row(void *arg, HeapTuple tup, TupleDesc desc)
{
	RankRows   *rr = (RankRows *) arg;
	bool		isnull;
	Datum		vdatum = SPI_getbinval(tup, desc, 1, &isnull);
	TSVector	vec;
	SearchHit	hit;
	MemoryContext oldcxt;

	if (isnull)
		return;					/* NULL @@ q is not true */
	oldcxt = MemoryContextSwitchTo(rr->rowcxt);
	vec = DatumGetTSVector(vdatum);
	if (DatumGetBool(DirectFunctionCall2(ts_match_vq, PointerGetDatum(vec), rr->tsq)))
	{
		hit.rank = DatumGetFloat4(DirectFunctionCall2(ts_rankcd_tt, PointerGetDatum(vec), rr->tsq));
		hit.entry_date = DatumGetDateADT(SPI_getbinval(tup, desc, 2, &isnull));
		memcpy(&hit.id, DatumGetUUIDP(SPI_getbinval(tup, desc, 3, &isnull)), sizeof(pg_uuid_t));
		top_offer(rr->top, &hit);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(rr->rowcxt);
}

/*
 * Rank every row a plan returns (search_vector, entry_date, id; rows the
 * caller may see) that matches the query; keep the best top->limit of them
 * in top.
 */
static void
rank_rows(SPIPlanPtr plan, Datum *args, Datum tsq, SearchTop *top)
{
	RankRows	rr;

	rr.tsq = tsq;
	rr.top = top;
	rr.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "journaling search rows",
									  ALLOCSET_DEFAULT_SIZES);
	for_each_row(plan, args, NULL, rank_row, &rr);
	MemoryContextDelete(rr.rowcxt);
}

/*
 * The index path
 */

/* Weights of ts_rank_cd by weight class (D, C, B, A). */
static const double rank_weights[] = {0.1, 0.2, 0.4, 1.0};

/* One distinct lexeme of the query, with its posting list (if any). */
typedef struct IndexLexeme
{
	const char *lexeme;
	int			len;
	int			ndocs;			/* entries in its posting list (0: absent) */
	int32	   *ordinals;		/* ascending */
	uint16	   *npos;			/* positions per entry (0: stored without) */
	uint8	   *weight;			/* per entry: the largest weight class among them */
	float8	   *sumw;			/* per entry: the sum of their weights */
	const uint8 **pos;			/* 2 bytes each, little-endian */
	int			next;			/* merge cursor */
} IndexLexeme;

/* One position of a query lexeme in the candidate (DocRepresentation of tsrank.c). */
struct RankEntry
{
	int32		pos;
	uint8		wclass;
	int16		lex;
};

/* What the index says about one owner and one query. */
typedef struct IndexSearch
{
	TSQuery		query;
	int			nentries;
	const uint8 *entries;		/* SEARCH_ENTRY_SIZE bytes per ordinal */
	int			nlex;
	IndexLexeme *lex;			/* sorted in tsvector order */
	bool		all;			/* a document without the lexemes matches */
	bool		disjunctive;	/* only operands and OR: every cover is one position */
	bool		monotone;		/* operands (no weights), AND, OR, NOT of an operand: ranked here */
	int			nchain;			/* > 0: the query is one phrase of distinct words (see index_chain_bound) */
	int		   *chainlex;		/* per word of the phrase: its lexeme's index in lex */
	int		   *chainoff;		/* per word: its distance before the end of a match */
	int			chainspan;		/* the largest of those */
	int		   *chaincur;		/* per word: cursors into the candidate's positions */
	int		   *chainlo;
	bool	   *negated;		/* per lexeme: under a NOT */
	int		   *itemlex;		/* per query item: its lexeme's index in lex, or -1 */
	bool	   *have;			/* per lexeme: seen in the current stretch */
	struct RankEntry *doc;		/* the candidate's positions, in position order */
	DateADT    *pending;		/* logged days, ascending */
	int			npending;
	bool	   *excluded;		/* per ordinal: not visible to the caller */
	char	   *vecbuf;			/* room for one candidate's tsvector */
} IndexSearch;

/* Can the caller read the index and its log?  (Else the rows are scanned.) */
static bool
index_readable(void)
{
	static const char *const names[] = {"search_index", "search_postings", "search_changes",
	"stats_changes"};
	Oid			nsp = get_namespace_oid("journaling", false);
	int			i;

	for (i = 0; i < (int) lengthof(names); i++)
	{
		Oid			relid = get_relname_relid(names[i], nsp);

		if (!OidIsValid(relid) || pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			return false;
	}
	return true;
}

/* qsort comparator over IndexLexeme, in tsvector order (tsCompareString). */
static int
lexeme_cmp(const void *a, const void *b)
{
	const IndexLexeme *x = (const IndexLexeme *) a;
	const IndexLexeme *y = (const IndexLexeme *) b;
	int			c = memcmp(x->lexeme, y->lexeme, Min(x->len, y->len));

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* qsort comparator over DateADT. */
static int
day_qsort_cmp(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a;
	DateADT		y = *(const DateADT *) b;

	return (x > y) - (x < y);
}

/*
 * The query's distinct lexemes; false when an operand is a prefix (a prefix
 * may match lexemes of any bucket: the rows are scanned instead).
 */
static bool
index_query_lexemes(IndexSearch *is)
{
	QueryItem  *item = GETQUERY(is->query);
	char	   *operands = GETOPERAND(is->query);
	int			i;
	int			kept = 0;

	is->lex = palloc0(sizeof(IndexLexeme) * is->query->size);
	is->nlex = 0;
	for (i = 0; i < is->query->size; i++)
	{
		if (item[i].type != QI_VAL)
			continue;
		if (item[i].qoperand.prefix)
			return false;
		is->lex[is->nlex].lexeme = operands + item[i].qoperand.distance;
		is->lex[is->nlex].len = item[i].qoperand.length;
		is->nlex++;
	}
	qsort(is->lex, is->nlex, sizeof(IndexLexeme), lexeme_cmp);
	for (i = 0; i < is->nlex; i++)
		if (kept == 0 || lexeme_cmp(&is->lex[kept - 1], &is->lex[i]) != 0)
			is->lex[kept++] = is->lex[i];
	is->nlex = kept;
	return true;
}

/*
 * Phrases.  When the query is one phrase of distinct words without weights
 * or prefixes ('quiet' <-> 'weekend', as websearch_to_tsquery makes of
 * "quiet weekend"), a match is fixed by the position p of its end: each word
 * at p minus its distance before the end (a <d> b puts a at d plus b's width
 * before b's end, as TS_phrase_execute does).  ts_rank_cd's covers are then
 * matches (Cover() stops forward at the first entry that completes one, whose
 * end fixes it, and back at its first word, so the next cover starts past
 * it): a cover per match at most, each worth at most the largest weight among
 * the positions of the stretch it spans.  Summed over the matches, that is a
 * much tighter bound than every position times the largest weight, and a
 * candidate without a match is no match at all (@@ is false).
 */

/* The distance of each word of phrase item i before the end of a match, ending base later; returns i's width. */
static int
index_chain_offsets(IndexSearch *is, int i, int base)
{
	QueryItem  *item = &GETQUERY(is->query)[i];
	int			right,
				left;

	check_stack_depth();
	if (item->type == QI_VAL)
	{
		is->chainlex[is->nchain] = is->itemlex[i];
		is->chainoff[is->nchain] = base;
		is->chainspan = Max(is->chainspan, base);
		is->nchain++;
		return 0;
	}
	right = index_chain_offsets(is, i + 1, base);
	left = index_chain_offsets(is, i + item->qoperator.left, base + item->qoperator.distance + right);
	return item->qoperator.distance + left + right;
}

/* Is the query one phrase of distinct words without weights?  Then set up its offsets (else nchain = 0). */
static void
index_chain_setup(IndexSearch *is)
{
	QueryItem  *item = GETQUERY(is->query);
	int			i,
				j;

	is->nchain = 0;
	if (is->query->size < 3)
		return;
	for (i = 0; i < is->query->size; i++)
	{
		if (item[i].type == QI_OPR ? item[i].qoperator.oper != OP_PHRASE : item[i].qoperand.weight != 0)
			return;
		for (j = 0; j < i; j++)
			if (item[i].type == QI_VAL && item[j].type == QI_VAL && is->itemlex[i] == is->itemlex[j])
				return;
	}
	is->chainlex = palloc(sizeof(int) * is->query->size);
	is->chainoff = palloc(sizeof(int) * is->query->size);
	is->chaincur = palloc(sizeof(int) * is->query->size);
	is->chainlo = palloc(sizeof(int) * is->query->size);
	is->chainspan = 0;
	(void) index_chain_offsets(is, 0, 0);
}

/* Position and weight class of the j-th stored position of lexeme lx's current entry. */
#define CHAIN_WEP(lx, j) \
	((WordEntryPos) ((lx)->pos[(lx)->next][2 * (j)] | ((lx)->pos[(lx)->next][2 * (j) + 1] << 8)))

/*
 * Does a match end at position p, every word at its distance before p?
 * Called for ascending p: each word's cursor (chaincur) only moves forward.
 */
static bool
index_chain_match(const IndexSearch *is, int p)
{
	int			c;

	for (c = 0; c < is->nchain; c++)
	{
		const IndexLexeme *lx = &is->lex[is->chainlex[c]];
		int			n = lx->npos[lx->next];
		int			want = p - is->chainoff[c];

		while (is->chaincur[c] < n && WEP_GETPOS(CHAIN_WEP(lx, is->chaincur[c])) < want)
			is->chaincur[c]++;
		if (is->chaincur[c] >= n || WEP_GETPOS(CHAIN_WEP(lx, is->chaincur[c])) != want)
			return false;
	}
	return true;
}

/*
 * The rank bound of a candidate for a phrase query (see "Phrases"): the sum
 * over its matches of the largest weight among the positions of the
 * phrase's words in the match's stretch; 0 when it has no match, -1 when a
 * word is stored without positions (the general bound applies then).
 */
static double
index_chain_bound(const IndexSearch *is, int32 ordinal)
{
	const IndexLexeme *anchor = NULL;
	double		bound = 0.0;
	int			c,
				j;

	for (c = 0; c < is->nchain; c++)
	{
		const IndexLexeme *lx = &is->lex[is->chainlex[c]];

		if (lx->next >= lx->ndocs || lx->ordinals[lx->next] != ordinal)
			return 0.0;
		if (lx->npos[lx->next] == 0)
			return -1.0;
		is->chaincur[c] = is->chainlo[c] = 0;
		if (anchor == NULL && is->chainoff[c] == 0)
			anchor = lx;
	}
	Assert(anchor != NULL);
	for (j = 0; j < anchor->npos[anchor->next]; j++)
	{
		int			p = WEP_GETPOS(CHAIN_WEP(anchor, j));
		int			w = 0;

		if (!index_chain_match(is, p))
			continue;
		/* the largest weight among the words' positions from p - span to p */
		for (c = 0; c < is->nchain; c++)
		{
			const IndexLexeme *lx = &is->lex[is->chainlex[c]];
			int			n = lx->npos[lx->next];
			int			k;

			while (is->chainlo[c] < n && WEP_GETPOS(CHAIN_WEP(lx, is->chainlo[c])) < p - is->chainspan)
				is->chainlo[c]++;
			for (k = is->chainlo[c]; k < n && WEP_GETPOS(CHAIN_WEP(lx, k)) <= p; k++)
				w = Max(w, WEP_GETWEIGHT(CHAIN_WEP(lx, k)));
		}
		bound += rank_weights[w];
	}
	return bound * 1.0001;
}

/* Decode one lexeme's posting list into arrays. */
static void
index_decode(IndexLexeme *lx, SearchPostingCursor *cur, int nentries)
{
	int			k = 0;

	lx->ordinals = palloc(sizeof(int32) * Max(cur->ndocs, 1));
	lx->npos = palloc(sizeof(uint16) * Max(cur->ndocs, 1));
	lx->weight = palloc(sizeof(uint8) * Max(cur->ndocs, 1));
	lx->sumw = palloc(sizeof(float8) * Max(cur->ndocs, 1));
	lx->pos = palloc(sizeof(const uint8 *) * Max(cur->ndocs, 1));
	while (k < (int) cur->ndocs && SearchPostingNext(cur))
	{
		uint32		j;
		uint8		w = 0;
		float8		sum = 0.0;

		if (cur->ordinal >= nentries || cur->npos > MAXNUMPOS)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("journaling.search_postings does not match journaling.search_index"),
					 errhint("Rebuild the search index: SELECT * FROM journaling.refresh_search_index(true).")));
		lx->ordinals[k] = cur->ordinal;
		lx->npos[k] = (uint16) cur->npos;
		for (j = 0; j < cur->npos; j++)
		{
			w = Max(w, WEP_GETWEIGHT(SearchPostingPos(cur, j)));
			sum += rank_weights[WEP_GETWEIGHT(SearchPostingPos(cur, j))];
		}
		/* no positions: ranked as one position of weight D, bounded by A */
		lx->weight[k] = cur->npos > 0 ? w : 3;
		lx->sumw[k] = cur->npos > 0 ? sum : rank_weights[3];
		lx->pos[k] = cur->pos;
		k++;
	}
	lx->ndocs = k;
}

/*
 * Read what the index has for the owner: false when the owner has no index
 * row the caller can see, or the query has a prefix operand.
 */
static bool
index_open(IndexSearch *is, Datum owner)
{
	Oid			uuid_type[1] = {UUIDOID};
	Oid			bucket_types[2] = {UUIDOID, INT4ARRAYOID};
	bool		isnull;
	bytea	   *entries;
	int			nbuckets;
	Datum	   *buckets;
	Datum		args[2];
	uint64		r;
	int			i;
	Size		veclen;

	if (!index_query_lexemes(is) || !index_readable())
		return false;
	JournalingKeepPlan(&index_plan, "SELECT s.nbuckets, s.entries FROM journaling.search_index s "
					   "WHERE s.user_id OPERATOR(pg_catalog.=) $1", 1, uuid_type, 0);
	if (SPI_execute_plan(index_plan, &owner, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "search_top: reading the search index failed");
	if (SPI_processed != 1)
		return false;
	nbuckets = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	entries = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (VARSIZE_ANY_EXHDR(entries) % SEARCH_ENTRY_SIZE != 0 || nbuckets <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("journaling.search_index holds a malformed row")));
	is->entries = (const uint8 *) VARDATA_ANY(entries);
	is->nentries = (int) (VARSIZE_ANY_EXHDR(entries) / SEARCH_ENTRY_SIZE);

	/* the days written since the build */
	JournalingKeepPlan(&pending_plan, "SELECT c.day FROM journaling.search_changes c "
					   "WHERE c.user_id OPERATOR(pg_catalog.=) $1 "
					   "UNION "
					   "SELECT s.day FROM journaling.stats_changes s "
					   "WHERE s.user_id OPERATOR(pg_catalog.=) $1", 1, uuid_type, 0);
	if (SPI_execute_plan(pending_plan, &owner, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "search_top: reading the search index log failed");
	is->npending = (int) SPI_processed;
	is->pending = palloc(sizeof(DateADT) * Max(is->npending, 1));
	for (r = 0; r < SPI_processed; r++)
		is->pending[r] = DatumGetDateADT(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
	qsort(is->pending, is->npending, sizeof(DateADT), day_qsort_cmp);

	/* the buckets of the lexemes, then each lexeme's postings */
	buckets = palloc(sizeof(Datum) * Max(is->nlex, 1));
	for (i = 0; i < is->nlex; i++)
		buckets[i] = Int32GetDatum(SearchIndexBucket(is->lex[i].lexeme, is->lex[i].len, nbuckets));
	JournalingKeepPlan(&buckets_plan, "SELECT p.bucket, p.postings FROM journaling.search_postings p "
					   "WHERE p.user_id OPERATOR(pg_catalog.=) $1 "
					   "AND p.bucket OPERATOR(pg_catalog.=) ANY ($2)", 2, bucket_types, 0);
	args[0] = owner;
	args[1] = PointerGetDatum(construct_array(buckets, is->nlex, INT4OID, sizeof(int32), true, TYPALIGN_INT));
	if (SPI_execute_plan(buckets_plan, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "search_top: reading the search postings failed");
	for (r = 0; r < SPI_processed; r++)
	{
		int32		bucket = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
		bytea	   *data = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull));

		for (i = 0; i < is->nlex; i++)
		{
			SearchPostingCursor cur;

			if (DatumGetInt32(buckets[i]) == bucket &&
				SearchIndexFind(data, is->lex[i].lexeme, is->lex[i].len, &cur))
				index_decode(&is->lex[i], &cur, is->nentries);
		}
	}

	/* room for one candidate's vector: every lexeme with MAXNUMPOS positions */
	veclen = DATAHDRSIZE;
	for (i = 0; i < is->nlex; i++)
		veclen += sizeof(WordEntry) + is->lex[i].len + 2 * sizeof(uint16) + MAXNUMPOS * sizeof(WordEntryPos);
	is->vecbuf = palloc0(veclen);

	/* does a document with none of the lexemes match (a NOT)? */
	SET_VARSIZE(is->vecbuf, DATAHDRSIZE);
	((TSVector) is->vecbuf)->size = 0;
	is->all = DatumGetBool(DirectFunctionCall2(ts_match_vq, PointerGetDatum(is->vecbuf),
											   PointerGetDatum(is->query)));
	is->excluded = palloc0(sizeof(bool) * Max(is->nentries, 1));
	is->disjunctive = true;
	is->monotone = true;
	is->itemlex = palloc(sizeof(int) * is->query->size);
	for (i = 0; i < is->query->size; i++)
	{
		QueryItem  *item = &GETQUERY(is->query)[i];

		is->itemlex[i] = -1;
		if (item->type == QI_OPR)
		{
			if (item->qoperator.oper != OP_OR)
				is->disjunctive = false;
			if (item->qoperator.oper == OP_PHRASE ||
				(item->qoperator.oper == OP_NOT && item[1].type != QI_VAL))
				is->monotone = false;
		}
		else
		{
			IndexLexeme key;
			IndexLexeme *found;

			if (item->qoperand.weight != 0)
				is->monotone = false;
			key.lexeme = GETOPERAND(is->query) + item->qoperand.distance;
			key.len = item->qoperand.length;
			found = bsearch(&key, is->lex, is->nlex, sizeof(IndexLexeme), lexeme_cmp);
			is->itemlex[i] = (int) (found - is->lex);
		}
	}
	is->have = palloc0(sizeof(bool) * Max(is->nlex, 1));
	is->negated = palloc0(sizeof(bool) * Max(is->nlex, 1));
	index_chain_setup(is);
	for (i = 0; i < is->query->size; i++)
		if (GETQUERY(is->query)[i].type == QI_OPR && GETQUERY(is->query)[i].qoperator.oper == OP_NOT &&
			is->itemlex[i + 1] >= 0)
			is->negated[is->itemlex[i + 1]] = true;
	{
		Size		most = 0;

		for (i = 0; i < is->nlex; i++)
		{
			int			k;
			Size		npos = 0;

			for (k = 0; k < is->lex[i].ndocs; k++)
				npos = Max(npos, is->lex[i].npos[k]);
			most += npos;
		}
		is->doc = palloc(sizeof(struct RankEntry) * Max(most, 1));
	}
	return true;
}

/* Was the day written since the index was built? */
static bool
index_day_pending(const IndexSearch *is, DateADT day)
{
	return is->npending > 0 &&
		bsearch(&day, is->pending, is->npending, sizeof(DateADT), day_qsort_cmp) != NULL;
}

/*
 * Upper bound of the candidate's rank (see the top of the file): its
 * positions of the query's lexemes times the largest weight among them.
 * When the query has only OR operators, any one position is a cover (of
 * no noise), so the rank is the sum of the positions' weights.  For a
 * phrase, the bound of its matches (see "Phrases"), or -1 when it has none.
 * A little above, for the rounding of the sums.
 */
static double
index_bound(const IndexSearch *is, int32 ordinal)
{
	int64		npos = 0;
	int			w = 0;
	double		sum = 0.0;
	int			i;

	if (is->nchain > 0)
	{
		double		bound = index_chain_bound(is, ordinal);

		if (bound >= 0.0)
			return bound > 0.0 ? bound : -1.0;
	}
	for (i = 0; i < is->nlex; i++)
	{
		const IndexLexeme *lx = &is->lex[i];
		int			k = lx->next;

		if (k < lx->ndocs && lx->ordinals[k] == ordinal)
		{
			npos += Max(lx->npos[k], 1);
			w = Max(w, lx->weight[k]);
			sum += lx->sumw[k];
		}
	}
	if (is->disjunctive)
		return sum * 1.0001;
	return (double) npos * rank_weights[w] * 1.0001;
}

/* The candidate's tsvector in is->vecbuf: the query's lexemes it has, with their positions. */
static void
index_candidate(IndexSearch *is, int32 ordinal)
{
	TSVector	vec = (TSVector) is->vecbuf;
	WordEntry  *we = ARRPTR(vec);
	int			nlex = 0;
	int			i;
	char	   *str;
	uint32		off = 0;

	for (i = 0; i < is->nlex; i++)
		if (is->lex[i].next < is->lex[i].ndocs && is->lex[i].ordinals[is->lex[i].next] == ordinal)
			nlex++;
	vec->size = nlex;
	str = STRPTR(vec);
	nlex = 0;
	for (i = 0; i < is->nlex; i++)
	{
		IndexLexeme *lx = &is->lex[i];
		int			k = lx->next;
		uint16		n;
		uint32		j;
		WordEntryPos *pos;

		if (k >= lx->ndocs || lx->ordinals[k] != ordinal)
			continue;
		n = lx->npos[k];
		we[nlex].len = lx->len;
		we[nlex].pos = off;
		we[nlex].haspos = n > 0;
		memcpy(str + off, lx->lexeme, lx->len);
		off += lx->len;
		if (n > 0)
		{
			off = SHORTALIGN(off);
			memcpy(str + off, &n, sizeof(uint16));
			pos = (WordEntryPos *) (str + off + sizeof(uint16));
			for (j = 0; j < n; j++)
				pos[j] = (WordEntryPos) (lx->pos[k][2 * j] | (lx->pos[k][2 * j + 1] << 8));
			off += sizeof(uint16) + n * sizeof(WordEntryPos);
		}
		nlex++;
	}
	SET_VARSIZE(vec, CALCDATASIZE(nlex, off));
}

/* ts_rank_cd's 1 / weight per weight class: its float weights, as double. */
static const double rank_inverse_weights[] = {1.0 / (double) 0.1f, 1.0 / (double) 0.2f,
											  1.0 / (double) 0.4f, 1.0 / (double) 1.0f};

/* Does a query of operands, AND, OR and NOT hold for the lexemes in is->have? */
static bool
monotone_holds(const IndexSearch *is, int i)
{
	const QueryItem *item = &GETQUERY(is->query)[i];

	check_stack_depth();
	if (item->type == QI_VAL)
		return is->have[is->itemlex[i]];
	if (item->qoperator.oper == OP_NOT)
		return !monotone_holds(is, i + 1);
	if (item->qoperator.oper == OP_AND)
		return monotone_holds(is, i + 1) && monotone_holds(is, i + item->qoperator.left);
	return monotone_holds(is, i + 1) || monotone_holds(is, i + item->qoperator.left);
}

static int
rank_entry_cmp(const void *a, const void *b)
{
	int32		x = ((const struct RankEntry *) a)->pos;
	int32		y = ((const struct RankEntry *) b)->pos;

	return (x > y) - (x < y);
}

/*
 * ts_match_vq and ts_rankcd_tt (default weights, no normalization) of the
 * candidate, for a query of operands without weights, AND, OR and NOT of an
 * operand: tsrank.c's calc_rank_cd step for step -- the same covers
 * (Cover(): from the current start, the first entry where the query holds,
 * then back to the last where it holds; the next search starts after the
 * cover's first entry) and the same double arithmetic -- without its
 * allocations and TS_execute calls.  A NOT holds in every stretch of a
 * candidate without its operand.  False when the candidate cannot be ranked
 * here (it has a negated lexeme, a lexeme without positions, or two lexemes
 * at one position, where the order of equal positions would matter): the
 * caller asks the server then.
 */
static bool
index_fast_rank(IndexSearch *is, int32 ordinal, bool *matches, float4 *rank)
{
	struct RankEntry *doc = is->doc;
	int			len = 0;
	int			i;
	int			start = 0;
	double		wdoc = 0.0;

	for (i = 0; i < is->nlex; i++)
	{
		IndexLexeme *lx = &is->lex[i];
		int			k = lx->next;
		uint32		j;

		is->have[i] = k < lx->ndocs && lx->ordinals[k] == ordinal;
		if (!is->have[i])
			continue;
		if (lx->npos[k] == 0 || is->negated[i])
			return false;
		for (j = 0; j < lx->npos[k]; j++)
		{
			WordEntryPos wep = (WordEntryPos) (lx->pos[k][2 * j] | (lx->pos[k][2 * j + 1] << 8));

			doc[len].pos = WEP_GETPOS(wep);
			doc[len].wclass = WEP_GETWEIGHT(wep);
			doc[len].lex = (int16) i;
			len++;
		}
	}
	*matches = monotone_holds(is, 0);
	*rank = 0;
	if (!*matches)
		return true;
	qsort(doc, len, sizeof(struct RankEntry), rank_entry_cmp);
	for (i = 1; i < len; i++)
		if (doc[i].pos == doc[i - 1].pos)
			return false;

	for (;;)
	{
		int			end = -1;
		int			begin = -1;
		int			ptr;
		double		invsum = 0.0;
		int			noise;

		/* the first entry from start where the query holds */
		memset(is->have, 0, sizeof(bool) * is->nlex);
		for (ptr = start; ptr < len; ptr++)
		{
			is->have[doc[ptr].lex] = true;
			if (monotone_holds(is, 0))
			{
				end = ptr;
				break;
			}
		}
		if (end < 0)
			break;
		/* back from there to the last entry where it holds */
		memset(is->have, 0, sizeof(bool) * is->nlex);
		for (ptr = end; ptr >= start; ptr--)
		{
			is->have[doc[ptr].lex] = true;
			if (monotone_holds(is, 0))
			{
				begin = ptr;
				break;
			}
		}
		Assert(begin >= 0);
		for (ptr = begin; ptr <= end; ptr++)
			invsum += rank_inverse_weights[doc[ptr].wclass];
		noise = (doc[end].pos - doc[begin].pos) - (end - begin);
		if (noise < 0)
			noise = (end - begin) / 2;
		wdoc += ((double) (end - begin + 1)) / invsum / ((double) (1 + noise));
		start = begin + 1;
	}
	*rank = (float4) wdoc;
	return true;
}

/*
 * ts_match_vq and ts_rankcd_tt of the candidate for a phrase of distinct
 * words (see "Phrases"): every match is a cover, in the order of their ends
 * (a later match starts at a later position, so past the previous cover's
 * first entry), spanning the query lexemes' positions from its first word
 * to its last; each adds its entries over the sum of their inverse weights,
 * over 1 + its noise, as calc_rank_cd does, in the same order.  False when
 * the candidate cannot be ranked here (a word stored without positions, or
 * two words at one position, where the order of equal positions would
 * matter).
 */
static bool
index_chain_rank(IndexSearch *is, int32 ordinal, bool *matches, float4 *rank)
{
	struct RankEntry *doc = is->doc;
	const IndexLexeme *anchor = NULL;
	int			len = 0,
				lo = 0,
				hi = 0,
				c,
				i;
	double		wdoc = 0.0;

	*matches = false;
	*rank = 0;
	for (c = 0; c < is->nchain; c++)
	{
		const IndexLexeme *lx = &is->lex[is->chainlex[c]];
		int			j;

		if (lx->next >= lx->ndocs || lx->ordinals[lx->next] != ordinal)
			return true;
		if (lx->npos[lx->next] == 0)
			return false;
		for (j = 0; j < lx->npos[lx->next]; j++)
		{
			doc[len].pos = WEP_GETPOS(CHAIN_WEP(lx, j));
			doc[len].wclass = WEP_GETWEIGHT(CHAIN_WEP(lx, j));
			doc[len].lex = (int16) c;
			len++;
		}
		is->chaincur[c] = 0;
		if (anchor == NULL && is->chainoff[c] == 0)
			anchor = lx;
	}
	qsort(doc, len, sizeof(struct RankEntry), rank_entry_cmp);
	for (i = 1; i < len; i++)
		if (doc[i].pos == doc[i - 1].pos)
			return false;

	for (i = 0; i < anchor->npos[anchor->next]; i++)
	{
		int			p = WEP_GETPOS(CHAIN_WEP(anchor, i));
		double		invsum = 0.0;
		int			noise,
					k;

		if (!index_chain_match(is, p))
			continue;
		/* the cover: the entries from p - span to p */
		while (doc[lo].pos < p - is->chainspan)
			lo++;
		while (doc[hi].pos < p)
			hi++;
		for (k = lo; k <= hi; k++)
			invsum += rank_inverse_weights[doc[k].wclass];
		noise = (doc[hi].pos - doc[lo].pos) - (hi - lo);
		if (noise < 0)
			noise = (hi - lo) / 2;
		wdoc += ((double) (hi - lo + 1)) / invsum / ((double) (1 + noise));
		*matches = true;
	}
	*rank = (float4) wdoc;
	return true;
}

/*
 * Offer every indexed entry that matches the query and is neither excluded
 * nor on a logged day to top, skipping those whose rank bound cannot beat
 * the worst kept hit.
 */
static void
index_rank(IndexSearch *is, Datum tsq, SearchTop *top, MemoryContext rowcxt)
{
	int32		ordinal = -1;
	int			i;

	for (i = 0; i < is->nlex; i++)
		is->lex[i].next = 0;
	for (;;)
	{
		SearchHit	hit;
		double		bound;
		MemoryContext oldcxt;

		/* the next candidate: every entry, or the next of the posting lists */
		if (is->all)
			ordinal++;
		else
		{
			int32		next = PG_INT32_MAX;

			for (i = 0; i < is->nlex; i++)
				if (is->lex[i].next < is->lex[i].ndocs)
					next = Min(next, is->lex[i].ordinals[is->lex[i].next]);
			ordinal = next;
		}
		if (ordinal >= is->nentries)
			break;
		CHECK_FOR_INTERRUPTS();
		SearchIndexEntry(is->entries, ordinal, &hit.id, &hit.entry_date);
		if (!is->excluded[ordinal] && !index_day_pending(is, hit.entry_date))
		{
			bound = index_bound(is, ordinal);
			hit.rank = (float4) bound;
			if (bound >= 0.0 && (top->n < top->limit || hit_cmp(&hit, &top->heap[0]) < 0))
			{
				bool		matches;

				if (!(is->nchain > 0 ? index_chain_rank(is, ordinal, &matches, &hit.rank) :
					  is->monotone && index_fast_rank(is, ordinal, &matches, &hit.rank)))
				{
					/* the server's own functions, on the candidate's vector */
					index_candidate(is, ordinal);
					oldcxt = MemoryContextSwitchTo(rowcxt);
					matches = DatumGetBool(DirectFunctionCall2(ts_match_vq, PointerGetDatum(is->vecbuf), tsq));
					if (matches)
						hit.rank = DatumGetFloat4(DirectFunctionCall2(ts_rankcd_tt, PointerGetDatum(is->vecbuf), tsq));
					MemoryContextSwitchTo(oldcxt);
					MemoryContextReset(rowcxt);
				}
				if (matches)
					top_offer(top, &hit);
			}
		}
		for (i = 0; i < is->nlex; i++)
			if (is->lex[i].next < is->lex[i].ndocs && is->lex[i].ordinals[is->lex[i].next] == ordinal)
				is->lex[i].next++;
	}
}

/* The ordinal of an indexed entry, or -1 (a binary search in search order). */
static int32
index_find_entry(const IndexSearch *is, const SearchHit *hit)
{
	int32		lo = 0;
	int32		hi = is->nentries - 1;

	while (lo <= hi)
	{
		int32		mid = lo + (hi - lo) / 2;
		SearchHit	e;
		int			c;

		SearchIndexEntry(is->entries, mid, &e.id, &e.entry_date);
		/* search order is entry_date DESC, id: hit_cmp's order at equal ranks */
		e.rank = hit->rank;
		c = hit_cmp(&e, hit);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * The owner's visible entries matching tsq, best first (rank DESC,
 * entry_date DESC, id), at most limit of them, handed to emit one by one as
 * (id, user_id, entry_date, title, content, rank).
 */
static void
search_user_rows(Datum tsq, Datum owner, int64 limit, SearchRowFn emit, void *arg)
{
	SearchTop	top;
	SearchTop	pending;
	IndexSearch is;
	bool		indexed;
	SearchHit  *heap;
	int			n;
	int			i;
	Datum	   *ids;
	SearchRow  *rows = NULL;
	Datum		args[2];
	Oid			types[2] = {UUIDOID, UUIDARRAYOID};
	uint64		j;
	MemoryContext rowcxt;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "journaling search candidates",
								   ALLOCSET_SMALL_SIZES);

	memset(&is, 0, sizeof(is));
	is.query = DatumGetTSQuery(tsq);
	indexed = index_open(&is, owner);
	if (indexed)
	{
		/* the rows of the days logged since the index was built, from the table */
		pending.limit = (int) limit;
		pending.cap = (int) Min(limit, 64);
		pending.n = 0;
		pending.heap = palloc(sizeof(SearchHit) * pending.cap);
		if (is.npending > 0)
		{
			Oid			pending_types[2] = {UUIDOID, DATEARRAYOID};
			Datum	   *days = palloc(sizeof(Datum) * is.npending);

			for (i = 0; i < is.npending; i++)
				days[i] = DateADTGetDatum(is.pending[i]);
			JournalingKeepPlan(&pending_rows_plan, "SELECT e.search_vector, e.entry_date, e.id "
							   "FROM journaling.journal_entries e "
							   "WHERE e.user_id OPERATOR(pg_catalog.=) $1 "
							   "AND e.entry_date OPERATOR(pg_catalog.=) ANY ($2)",
							   2, pending_types, 0);
			args[0] = owner;
			args[1] = PointerGetDatum(construct_array(days, is.npending, DATEOID, sizeof(DateADT),
													  true, TYPALIGN_INT));
			rank_rows(pending_rows_plan, args, tsq, &pending);
		}
	}
	else
		JournalingKeepPlan(&scan_plan, "SELECT e.search_vector, e.entry_date, e.id "
						   "FROM journaling.journal_entries e "
						   "WHERE e.user_id OPERATOR(pg_catalog.=) $1",
						   1, types, 0);

	/* Choose the hits, then fetch them; with the index, again if one is hidden. */
	for (;;)
	{
		bool		again = false;

		top.limit = (int) limit;
		top.cap = (int) Min(limit, 64);
		top.n = 0;
		top.heap = palloc(sizeof(SearchHit) * top.cap);
		if (indexed)
		{
			for (i = 0; i < pending.n; i++)
				top_offer(&top, &pending.heap[i]);
			index_rank(&is, tsq, &top, rowcxt);
		}
		else
			rank_rows(scan_plan, &owner, tsq, &top);
		heap = top.heap;
		n = top.n;
		if (n == 0)
		{
			SPI_finish();
			return;
		}
		qsort(heap, n, sizeof(SearchHit), hit_qsort_cmp);

		/* Title and content of the kept rows, by primary key. */
		ids = palloc(sizeof(Datum) * n);
		for (i = 0; i < n; i++)
			ids[i] = UUIDPGetDatum(&heap[i].id);
		JournalingKeepPlan(&fetch_plan, "SELECT e.id, e.user_id, e.entry_date, e.title, e.content "
						   "FROM journaling.journal_entries e "
						   "WHERE e.user_id OPERATOR(pg_catalog.=) $1 "
						   "AND e.id OPERATOR(pg_catalog.=) ANY ($2)",
						   2, types, 0);
		args[0] = owner;
		args[1] = PointerGetDatum(construct_array(ids, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
		if (SPI_execute_plan(fetch_plan, args, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "search_top: fetching the kept rows failed");
		rows = palloc(sizeof(SearchRow) * Max(SPI_processed, 1));
		for (j = 0; j < SPI_processed; j++)
		{
			bool		isnull;

			rows[j].tup = SPI_tuptable->vals[j];
			memcpy(&rows[j].id, DatumGetUUIDP(SPI_getbinval(rows[j].tup, SPI_tuptable->tupdesc, 1, &isnull)),
				   sizeof(pg_uuid_t));
		}
		qsort(rows, SPI_processed, sizeof(SearchRow), row_id_cmp);
		if (!indexed || SPI_processed == (uint64) n)
			break;
		/* an indexed hit the caller cannot see: choose without it */
		for (i = 0; i < n; i++)
		{
			SearchRow	key;
			int32		ordinal;

			key.id = heap[i].id;
			if (bsearch(&key, rows, SPI_processed, sizeof(SearchRow), row_id_cmp) != NULL)
				continue;
			ordinal = index_find_entry(&is, &heap[i]);
			if (ordinal >= 0 && !is.excluded[ordinal] && !index_day_pending(&is, heap[i].entry_date))
			{
				is.excluded[ordinal] = true;
				again = true;
			}
		}
		if (!again)
			break;
		SPI_freetuptable(SPI_tuptable);
	}

	/*
	 * Emit them in rank order.  Both statements read the same snapshot, so
	 * every kept row is found (a policy with volatile functions aside: a row
	 * it hides on the second look is left out).
	 */
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
		emit(arg, values, nulls);
	}
	SPI_finish();
}

/* The limit argument: NULL means all, a negative one is refused as LIMIT does. */
static int64
search_limit(FunctionCallInfo fcinfo, int argno)
{
	int64		limit;

	if (PG_ARGISNULL(argno))
		return PG_INT32_MAX;
	limit = PG_GETARG_INT32(argno);
	if (limit < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE),
				 errmsg("LIMIT must not be negative")));
	return limit;
}

/* search_top()'s row: as search_user_rows() gives it. */
static void
emit_top_row(void *arg, Datum *values, bool *nulls)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) arg;

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
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
	int64		limit;

	InitMaterializedSRF(fcinfo, 0);
	limit = search_limit(fcinfo, 2);
	/* A query without lexemes (only stop words) matches nothing. */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || limit == 0 || PG_GETARG_TSQUERY(0)->size == 0)
		PG_RETURN_NULL();
	/* the query detoasted once, not per row */
	search_user_rows(PointerGetDatum(PG_GETARG_TSQUERY(0)), PG_GETARG_DATUM(1), limit,
					 emit_top_row, rsinfo);
	PG_RETURN_NULL();
}

/* One search() call: its result set and what every row shares. */
typedef struct SearchCall
{
	ReturnSetInfo *rsinfo;
	Oid			config;			/* pg_catalog.english */
	Datum		tsq;
	Datum		snippet_options;
	bool		no_snippet;		/* snippet options NULL: snippet() is strict */
	Datum		matched_query;
	FmgrInfo	snippet;		/* journaling.snippet(), its per-call cache in fn_extra */
	MemoryContext rowcxt;
	int64		nrows;			/* rows returned so far */
} SearchCall;

/* search()'s row: search_user_rows()' columns with the snippet and the query used. */
static void
emit_search_row(void *arg, Datum *values, bool *nulls)
{
	SearchCall *call = (SearchCall *) arg;
	Datum		out[7];
	bool		outnulls[7];
	MemoryContext oldcxt = MemoryContextSwitchTo(call->rowcxt);

	out[0] = values[0];
	outnulls[0] = nulls[0];
	out[1] = values[1];
	outnulls[1] = nulls[1];
	out[2] = values[2];
	outnulls[2] = nulls[2];
	out[3] = values[3];
	outnulls[3] = nulls[3];
	out[4] = values[5];
	outnulls[4] = nulls[5];
	outnulls[5] = nulls[4] || call->no_snippet;
	out[5] = outnulls[5] ? (Datum) 0 :
		FunctionCall4(&call->snippet, ObjectIdGetDatum(call->config), values[4],
					  call->tsq, call->snippet_options);
	out[6] = call->matched_query;
	outnulls[6] = false;
	tuplestore_putvalues(call->rsinfo->setResult, call->rsinfo->setDesc, out, outnulls);
	call->nrows++;
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(call->rowcxt);
}

/* One row of the all-users query (search_user_rows()' columns): a row of search(). */
static void
emit_all_row(void *arg, HeapTuple tup, TupleDesc desc)
{
	Datum		values[6];
	bool		nulls[6];
	int			k;

	for (k = 0; k < 6; k++)
		values[k] = SPI_getbinval(tup, desc, k + 1, &nulls[k]);
	emit_search_row(arg, values, nulls);
}

/* Every visible row matching the query, best first, through the GIN index. */
static void
search_all_rows(SearchCall *call, Datum limit, bool limit_null)
{
	Oid			types[2] = {TSQUERYOID, INT8OID};
	Datum		args[2];
	char		argnulls[2] = {' ', limit_null ? 'n' : ' '};

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	JournalingKeepPlan(&all_plan, "SELECT e.id, e.user_id, e.entry_date, e.title, e.content, "
					   "pg_catalog.ts_rank_cd(e.search_vector, $1) AS rank "
					   "FROM journaling.journal_entries e "
					   "WHERE e.search_vector OPERATOR(pg_catalog.@@) $1 "
					   "ORDER BY rank DESC, e.entry_date DESC, e.id LIMIT $2",
					   2, types, 0);
	args[0] = call->tsq;
	args[1] = limit;
	for_each_row(all_plan, args, argnulls, emit_all_row, call);
	SPI_finish();
}

/* Make tsq the query of the call (and of matched_query). */
static void
search_set_query(SearchCall *call, TSQuery tsq)
{
	call->tsq = PointerGetDatum(tsq);
	call->matched_query = CStringGetTextDatum(DatumGetCString(DirectFunctionCall1(tsqueryout, call->tsq)));
}

/*
 * journaling.search(query, user_id, max_results, options): see DESIGN.md §4.
 * The options are read and the query made as search_prepare() does
 * (search_prepare.c); one user's rows come from search_user_rows(),
 * everyone's through the GIN index; snippet() is called for the rows
 * returned only.  Typo correction for one user waits for the search when
 * every word of the query is required: it is needed only if nothing is
 * found (see search_prepare.c).
 */
PG_FUNCTION_INFO_V1(journaling_search);
Datum
journaling_search(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SearchOptions opts;
	SearchCall	call;
	int64		limit;
	TSQuery		tsq;
	pg_uuid_t	identity;
	pg_uuid_t  *owner;
	bool		later;
	Oid			snippet_types[4] = {REGCONFIGOID, TEXTOID, TSQUERYOID, TEXTOID};

	InitMaterializedSRF(fcinfo, 0);
	SearchReadOptions(PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3), &opts);
	limit = search_limit(fcinfo, 2);
	if (PG_ARGISNULL(0) || limit == 0)
		PG_RETURN_NULL();
	tsq = SearchQuery(PG_GETARG_TEXT_PP(0));
	/* whose words correct the query: the user searched, else the caller's identity */
	if (!PG_ARGISNULL(1))
		owner = PG_GETARG_UUID_P(1);
	else
		owner = JournalingCurrentUserId(&identity) ? &identity : NULL;
	later = !PG_ARGISNULL(1) && SearchQueryAllRequired(tsq);
	if (!later)
		tsq = SearchCorrectQuery(tsq, owner, &opts);

	call.rsinfo = rsinfo;
	call.config = get_ts_config_oid(list_make2(makeString("pg_catalog"), makeString("english")), false);
	call.no_snippet = (opts.snippet_options == NULL);
	call.snippet_options = PointerGetDatum(opts.snippet_options);
	call.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "journaling search row",
										ALLOCSET_DEFAULT_SIZES);
	call.nrows = 0;
	fmgr_info(LookupFuncName(list_make2(makeString("journaling"), makeString("snippet")), 4,
							 snippet_types, false),
			  &call.snippet);
	search_set_query(&call, tsq);
	if (!PG_ARGISNULL(1))
	{
		/* a query without lexemes (only stop words) matches nothing */
		if (tsq->size > 0)
			search_user_rows(call.tsq, PG_GETARG_DATUM(1), limit, emit_search_row, &call);
		if (later && call.nrows == 0 && tsq->size > 0)
		{
			TSQuery		corrected = SearchCorrectQuery(tsq, owner, &opts);

			if (corrected != tsq && DatumGetBool(DirectFunctionCall2(tsquery_ne, PointerGetDatum(corrected),
																	 PointerGetDatum(tsq))))
			{
				search_set_query(&call, corrected);
				search_user_rows(call.tsq, PG_GETARG_DATUM(1), limit, emit_search_row, &call);
			}
		}
	}
	else
		search_all_rows(&call, Int64GetDatum(limit), PG_ARGISNULL(2));
	MemoryContextDelete(call.rowcxt);
	PG_RETURN_NULL();
}
