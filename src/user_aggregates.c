/*
 * user_aggregates.c — the per-user aggregates of the statistics refresh:
 *
 *   journaling.top_tags(tags text[], k int)  the k most frequent tags over
 *       the arrays of a group, most frequent first, ties in byte ("C")
 *       order; NULL elements and NULL arrays are skipped; NULL when there
 *       is no tag or k = 0.  What array_agg over GROUP BY tag ORDER BY
 *       count DESC, tag COLLATE "C" LIMIT k gives, without unnesting every
 *       array into rows, hashing them in the executor and sorting them.
 *
 *   journaling.streak_lengths(day date, today date)  {current, longest}:
 *       the runs of consecutive distinct days of a group; current is the
 *       longest run that starts no later than today and ends no earlier
 *       than the day before (0 if none), longest the longest run.  What
 *       the row_number() "gaps and islands" query of journaling.streaks()
 *       gives, in one pass over the days in any order.
 *
 * Both keep their state in the aggregate's memory context: top_tags one
 * entry per distinct tag, streak_lengths one int32 per input day.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"

#include "journaling.h"

/* One distinct tag and how often it occurred. */
typedef struct TagCount
{
	char	   *tag;
	int			len;
	uint32		hash;
	int64		count;
} TagCount;

/* top_tags state: the distinct tags, and an open-addressing index of them. */
typedef struct TopTagsState
{
	MemoryContext cxt;
	int32		k;
	TagCount   *tags;
	int			ntags;
	int			tags_cap;
	int		   *slots;			/* index into tags + 1; 0 = empty */
	int			nslots;			/* a power of two, > 2 * ntags */
} TopTagsState;

/* Memory context of the calling aggregate, or an error outside one. */
static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in a non-aggregate context", name)));
	return cxt;
}

/* Rebuild the slot index with room for twice as many tags. */
static void
top_tags_rehash(TopTagsState *st)
{
	int			nslots = st->nslots ? st->nslots * 2 : 64;
	int			i;

	if ((Size) nslots > MaxAllocHugeSize / sizeof(TagCount) || nslots > PG_INT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct tags for top_tags")));

	if (st->slots)
		pfree(st->slots);
	st->slots = MemoryContextAllocExtended(st->cxt, (Size) nslots * sizeof(int),
										   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	st->nslots = nslots;
	for (i = 0; i < st->ntags; i++)
	{
		int			s = st->tags[i].hash & (nslots - 1);

		while (st->slots[s] != 0)
			s = (s + 1) & (nslots - 1);
		st->slots[s] = i + 1;
	}
}

/* Count one occurrence of a tag. */
static void
top_tags_add(TopTagsState *st, const char *tag, int len)
{
	uint32		hash = hash_bytes((const unsigned char *) tag, len);
	int			s;
	TagCount   *t;

	if (st->ntags * 2 >= st->nslots)
		top_tags_rehash(st);
	for (s = hash & (st->nslots - 1); st->slots[s] != 0; s = (s + 1) & (st->nslots - 1))
	{
		t = &st->tags[st->slots[s] - 1];
		if (t->hash == hash && t->len == len && memcmp(t->tag, tag, len) == 0)
		{
			t->count++;
			return;
		}
	}
	if (st->ntags == st->tags_cap)
	{
		st->tags_cap = st->tags_cap ? st->tags_cap * 2 : 32;
		st->tags = st->tags == NULL
			? MemoryContextAlloc(st->cxt, st->tags_cap * sizeof(TagCount))
			: repalloc_huge(st->tags, st->tags_cap * sizeof(TagCount));
	}
	t = &st->tags[st->ntags];
	t->tag = MemoryContextAlloc(st->cxt, len);
	memcpy(t->tag, tag, len);
	t->len = len;
	t->hash = hash;
	t->count = 1;
	st->slots[s] = ++st->ntags;
}

/* top_tags transition: count the non-NULL elements of one array. */
PG_FUNCTION_INFO_V1(journaling_top_tags_trans);
Datum
journaling_top_tags_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "top_tags_trans");
	TopTagsState *st = PG_ARGISNULL(0) ? NULL : (TopTagsState *) PG_GETARG_POINTER(0);
	ArrayType  *tags;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (st == NULL)
	{
		if (PG_ARGISNULL(2) || PG_GETARG_INT32(2) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the number of tags of top_tags must be zero or more")));
		st = MemoryContextAllocZero(cxt, sizeof(TopTagsState));
		st->cxt = cxt;
		st->k = PG_GETARG_INT32(2);
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	tags = PG_GETARG_ARRAYTYPE_P(1);
	deconstruct_array(tags, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			continue;
		t = DatumGetTextPP(elems[i]);
		top_tags_add(st, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	PG_RETURN_POINTER(st);
}

/* Most frequent first; equal counts in byte order, a prefix first ("C"). */
static int
tag_count_cmp(const void *a, const void *b)
{
	const TagCount *x = (const TagCount *) a;
	const TagCount *y = (const TagCount *) b;
	int			c;

	if (x->count != y->count)
		return (x->count > y->count) ? -1 : 1;
	c = memcmp(x->tag, y->tag, Min(x->len, y->len));
	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* top_tags final: the k most frequent tags, or NULL without any tag. */
PG_FUNCTION_INFO_V1(journaling_top_tags_final);
Datum
journaling_top_tags_final(PG_FUNCTION_ARGS)
{
	TopTagsState *st;
	Datum	   *out;
	int			n;
	int			i;

	aggregate_context(fcinfo, "top_tags_final");
	st = PG_ARGISNULL(0) ? NULL : (TopTagsState *) PG_GETARG_POINTER(0);
	if (st == NULL || st->ntags == 0 || st->k == 0)
		PG_RETURN_NULL();
	/* the final function may run more than once: sort a copy of the entries */
	n = Min(st->k, st->ntags);
	out = palloc(n * sizeof(Datum));
	{
		TagCount   *sorted = palloc(st->ntags * sizeof(TagCount));

		memcpy(sorted, st->tags, st->ntags * sizeof(TagCount));
		qsort(sorted, st->ntags, sizeof(TagCount), tag_count_cmp);
		for (i = 0; i < n; i++)
			out[i] = PointerGetDatum(cstring_to_text_with_len(sorted[i].tag, sorted[i].len));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* streak_lengths state: the days seen (with repeats) and the reference day. */
typedef struct DayRunsState
{
	MemoryContext cxt;
	DateADT		today;
	DateADT    *days;
	int64		ndays;
	int64		cap;
} DayRunsState;

/* streak_lengths transition: remember one day (NULL days are skipped). */
PG_FUNCTION_INFO_V1(journaling_streak_lengths_trans);
Datum
journaling_streak_lengths_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = aggregate_context(fcinfo, "streak_lengths_trans");
	DayRunsState *st = PG_ARGISNULL(0) ? NULL : (DayRunsState *) PG_GETARG_POINTER(0);

	if (st == NULL)
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the reference day of streak_lengths must not be null")));
		st = MemoryContextAllocZero(cxt, sizeof(DayRunsState));
		st->cxt = cxt;
		st->today = PG_GETARG_DATEADT(2);
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	if (st->ndays == st->cap)
	{
		st->cap = st->cap ? st->cap * 2 : 128;
		if ((Size) st->cap * sizeof(DateADT) > MaxAllocHugeSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many days for streak_lengths")));
		st->days = st->days == NULL
			? MemoryContextAllocHuge(cxt, st->cap * sizeof(DateADT))
			: repalloc_huge(st->days, st->cap * sizeof(DateADT));
	}
	st->days[st->ndays++] = PG_GETARG_DATEADT(1);
	PG_RETURN_POINTER(st);
}

static int
date_cmp_qsort(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a;
	DateADT		y = *(const DateADT *) b;

	return (x > y) - (x < y);
}

/*
 * streak_lengths final: {current, longest} over the distinct days, NULL
 * without any day.  Infinite days are runs of their own (no finite day is
 * next to them).
 */
PG_FUNCTION_INFO_V1(journaling_streak_lengths_final);
Datum
journaling_streak_lengths_final(PG_FUNCTION_ARGS)
{
	DayRunsState *st;
	int64		today;
	int64		i;
	int64		run_first = 0;
	int32		run_len = 0;
	int32		current = 0;
	int32		longest = 0;
	bool		sorted = true;
	Datum		out[2];

	aggregate_context(fcinfo, "streak_lengths_final");
	st = PG_ARGISNULL(0) ? NULL : (DayRunsState *) PG_GETARG_POINTER(0);
	if (st == NULL || st->ndays == 0)
		PG_RETURN_NULL();
	today = st->today;
	/* the days usually arrive in order (an index on (user, day)) */
	for (i = 1; i < st->ndays && sorted; i++)
		sorted = st->days[i - 1] <= st->days[i];
	if (!sorted)
		qsort(st->days, st->ndays, sizeof(DateADT), date_cmp_qsort);
	for (i = 0; i <= st->ndays; i++)
	{
		int64		d = (i < st->ndays) ? st->days[i] : 0;

		if (i > 0 && i < st->ndays && d == st->days[i - 1])
			continue;			/* a repeated day */
		if (i > 0 && (i == st->ndays || d != (int64) st->days[i - 1] + 1))
		{
			/* the run that ended at days[i - 1] */
			int64		run_last = st->days[i - 1];

			longest = Max(longest, run_len);
			if (run_first <= today && run_last >= today - 1)
				current = Max(current, run_len);
			run_len = 0;
		}
		if (i == st->ndays)
			break;
		if (run_len == 0)
			run_first = d;
		run_len++;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	out[0] = Int32GetDatum(current);
	out[1] = Int32GetDatum(longest);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, 2, INT4OID, sizeof(int32), true, TYPALIGN_INT));
}
