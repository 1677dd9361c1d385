/*
 * mood_trend.c — journaling.mood_trend(): one user's mood per day, ISO week
 * or month bucket from the stored per-day states.
 *
 * A call runs at most three small queries, prepared once per backend with a
 * generic plan (SPI_keepplan; the plan cache re-plans them when a table, the
 * role or row_security changes, so row-level security always applies as the
 * caller):
 *
 *   1. the caller's pending days in journaling.stats_changes (written since
 *      the last refresh; the log has no index and is normally empty), for
 *      week buckets in the same query as the stored weeks of
 *      journaling.weekly_stats that lie wholly in the range (when the caller
 *      may read that table; else as for day and month buckets),
 *   2. only when days are pending, mood_agg over the entries of those days,
 *   3. the stored per-day states of journaling.daily_stats: for day and
 *      month buckets those of the range; for week buckets, only when there
 *      are any, those of the partial weeks at the ends of the range and of
 *      the weeks with pending days (whose stored weeks are stale).
 *
 * A stored week is the fold of its daily states in day order from the empty
 * state (rollup), which is what this code does with the days of a bucket, so
 * the answer is the same whichever states are read.
 *
 * Daily states stream in day order from the executor (a DestReceiver, no
 * copies into an SPI tuple table), merged with the few recomputed pending
 * days, into the current bucket; a finished bucket is written out at once
 * with its moving average over itself and the up to three preceding calendar
 * buckets, combined in bucket order from the empty state exactly as rollup()
 * over the buckets in a RANGE window would.  Memory does not grow with the
 * number of days.  For week buckets the stored rows (a week's state or a
 * day's) are collected with the recomputed days, sorted and then fed the same
 * way: one per week, a few per partial week.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"

#include "journaling.h"
#include "moodstats.h"

/* The recomputed statistics of one pending day. */
typedef struct TrendDay
{
	int32		day;
	int64		entries;
	MoodStats	stats;
} TrendDay;

/* Bucket kinds. */
typedef enum TrendBucketKind
{
	BUCKET_DAY,
	BUCKET_WEEK,
	BUCKET_MONTH
} TrendBucketKind;

/* The moving window spans the current bucket and this many keys back. */
#define TREND_SPAN_DAYS		3
#define TREND_SPAN_WEEKS	21	/* in days: week keys are days */
#define TREND_SPAN_MONTHS	3
/* Buckets a window can hold: the current one and three preceding ones. */
#define TREND_WINDOW		4

/* One bucket of the answer: what the moving window needs of it. */
typedef struct TrendBucket
{
	int64		key;			/* day, week start or month number: the window's order */
	int64		n;				/* moods counted */
	ms_dd		sy;				/* their sum */
} TrendBucket;

/* The state of one call. */
typedef struct TrendState
{
	TrendBucketKind kind;
	ReturnSetInfo *rsinfo;
	MemoryContext cxt;			/* where the arrays of the call live */
	/* pending days (sorted, distinct once collected) */
	int32	   *pending;
	int			npending;
	int			pending_cap;
	/* their recomputed states, in day order, merged into the stream */
	TrendDay   *raw;
	int			nraw;
	int			raw_cap;
	int			raw_next;
	/* the bucket being filled */
	bool		open;
	int32		start;
	int64		key;
	int64		entries;
	MoodStats	stats;
	/* the last finished buckets, oldest first */
	TrendBucket window[TREND_WINDOW];
	int			nwindow;
} TrendState;

/* What a query returns into. */
typedef enum TrendTarget
{
	TARGET_PENDING,				/* (day): pending days */
	TARGET_RAW,					/* (day, entries, mood) of pending days */
	TARGET_DAILY,				/* (day, entries, mood) stored, in day order */
	TARGET_WEEKS,				/* pending (day, NULL, NULL) and stored weeks */
	TARGET_DAYS					/* (day, entries, mood) stored, any order */
} TrendTarget;

typedef struct TrendReceiver
{
	DestReceiver pub;
	TrendTarget target;
	TrendState *st;
} TrendReceiver;

enum
{
	PLAN_PENDING,
	PLAN_DAILY,
	PLAN_RAW,
	PLAN_WEEKS,
	PLAN_DAYS,
	NUM_PLANS
};

static const char *const plan_sql[NUM_PLANS] = {
	"SELECT c.day FROM journaling.stats_changes c "
	"WHERE c.user_id OPERATOR(pg_catalog.=) $1 "
	"AND c.day OPERATOR(pg_catalog.>=) $2 AND c.day OPERATOR(pg_catalog.<=) $3",

	"SELECT d.day, d.entries, d.mood FROM journaling.daily_stats d "
	"WHERE d.user_id OPERATOR(pg_catalog.=) $1 "
	"AND d.day OPERATOR(pg_catalog.>=) $2 AND d.day OPERATOR(pg_catalog.<=) $3 "
	"ORDER BY d.day",

	"SELECT e.entry_date, pg_catalog.count(*), "
	"journaling.mood_agg(e.mood_score::pg_catalog.float8, e.entry_date) "
	"FROM journaling.journal_entries e "
	"WHERE e.user_id OPERATOR(pg_catalog.=) $1 "
	"AND e.entry_date OPERATOR(pg_catalog.=) ANY ($2) "
	"GROUP BY e.entry_date ORDER BY e.entry_date",

	/* the pending days of the range $2..$3 and the stored weeks of $4..$5 */
	"SELECT c.day, NULL::pg_catalog.int8, NULL::journaling.moodstats "
	"FROM journaling.stats_changes c "
	"WHERE c.user_id OPERATOR(pg_catalog.=) $1 "
	"AND c.day OPERATOR(pg_catalog.>=) $2 AND c.day OPERATOR(pg_catalog.<=) $3 "
	"UNION ALL "
	"SELECT w.week, w.entries, w.mood FROM journaling.weekly_stats w "
	"WHERE w.user_id OPERATOR(pg_catalog.=) $1 "
	"AND w.week OPERATOR(pg_catalog.>=) $4 AND w.week OPERATOR(pg_catalog.<=) $5",

	"SELECT d.day, d.entries, d.mood FROM journaling.daily_stats d "
	"WHERE d.user_id OPERATOR(pg_catalog.=) $1 "
	"AND d.day OPERATOR(pg_catalog.=) ANY ($2)",
};

static const int plan_nargs[NUM_PLANS] = {3, 3, 2, 5, 2};
static const Oid plan_types[NUM_PLANS][5] = {
	{UUIDOID, DATEOID, DATEOID},
	{UUIDOID, DATEOID, DATEOID},
	{UUIDOID, DATEARRAYOID},
	{UUIDOID, DATEOID, DATEOID, DATEOID, DATEOID},
	{UUIDOID, DATEARRAYOID},
};

static SPIPlanPtr plans[NUM_PLANS];

/* qsort and bsearch comparator of days. */
static int
cmp_day(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/* qsort comparator of recomputed or stored days by day. */
static int
cmp_trend_day(const void *a, const void *b)
{
	return cmp_day(&((const TrendDay *) a)->day, &((const TrendDay *) b)->day);
}

/* The saved plan of a query, prepared on first use. */
static SPIPlanPtr
trend_plan(int which)
{
	JournalingKeepPlan(&plans[which], plan_sql[which], plan_nargs[which], (Oid *) plan_types[which],
					   CURSOR_OPT_GENERIC_PLAN);
	return plans[which];
}

/* Room for one more item of size item in *arr (count used, *cap allocated). */
static void *
trend_grow(void *arr, int count, int *cap, Size item, MemoryContext cxt)
{
	if (count < *cap)
		return arr;
	if ((Size) *cap * 2 * item > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many pending days for mood_trend")));
	*cap = (*cap == 0) ? 16 : *cap * 2;
	return arr == NULL ? MemoryContextAlloc(cxt, *cap * item) : repalloc(arr, *cap * item);
}

/*
 * The bucket of a day, as date_trunc(bucket, day::timestamp)::date: its first
 * day, and its key in the window's order (days for day and week buckets,
 * months since year 0 for month buckets).
 */
static void
trend_bucket_of(TrendBucketKind kind, int32 day, int32 *start, int64 *key)
{
	int			jd = day + POSTGRES_EPOCH_JDATE;
	int			year,
				month,
				mday;

	if (kind == BUCKET_MONTH)
	{
		j2date(jd, &year, &month, &mday);
		*start = date2j(year, month, 1) - POSTGRES_EPOCH_JDATE;
		*key = (int64) year * 12 + (month - 1);
		return;
	}
	/* ISO weeks start on Monday; j2day() counts from Sunday = 0 */
	*start = (kind == BUCKET_WEEK) ? day - (j2day(jd) + 6) % 7 : day;
	*key = *start;
}

/*
 * Write out the open bucket with its moving average: the mean of the buckets
 * within the span, combined oldest first from the empty state (the count and
 * mood sum of ms_combine(), which is all the mean reads).
 */
static void
trend_close_bucket(TrendState *st)
{
	int64		span = (st->kind == BUCKET_DAY) ? TREND_SPAN_DAYS :
		(st->kind == BUCKET_WEEK) ? TREND_SPAN_WEEKS : TREND_SPAN_MONTHS;
	const MoodStats *s = &st->stats;
	MoodStats	window;			/* only n and sy: all that ms_mean() reads */
	Datum		values[8];
	bool		nulls[8];
	bool		valid;
	double		slope;
	int			keep = 0;
	int			i;

	if (!st->open)
		return;
	st->open = false;

	/* slide: drop the buckets that left the window, append this one */
	for (i = 0; i < st->nwindow; i++)
		if (st->window[i].key >= st->key - span)
			st->window[keep++] = st->window[i];
	Assert(keep < TREND_WINDOW);
	st->window[keep].key = st->key;
	st->window[keep].n = s->n;
	st->window[keep].sy = s->sy;
	st->nwindow = keep + 1;

	window.n = 0;
	for (i = 0; i < st->nwindow; i++)
	{
		const TrendBucket *b = &st->window[i];

		if (b->n == 0)
			continue;
		if (window.n == 0)
		{
			window.n = b->n;
			window.sy = b->sy;
			continue;
		}
		if (__builtin_add_overflow(window.n, b->n, &window.n))
			moodstats_check_rc(MS_OVERFLOW);
		window.sy = ms_dd_add(window.sy, b->sy);
	}

	memset(nulls, 0, sizeof(nulls));
	values[0] = DateADTGetDatum(st->start);
	values[1] = Int64GetDatum(st->entries);
	nulls[2] = nulls[4] = nulls[5] = (s->n < 1);
	if (s->n >= 1)
	{
		values[2] = Float8GetDatum(ms_mean(s));
		values[4] = Float8GetDatum(s->min);
		values[5] = Float8GetDatum(s->max);
	}
	nulls[3] = (s->n < 2);
	if (s->n >= 2)
		values[3] = Float8GetDatum(sqrt(ms_variance(s)));
	slope = ms_slope(s, &valid);
	nulls[6] = !valid;
	values[6] = Float8GetDatum(slope);
	nulls[7] = (window.n < 1);
	if (window.n >= 1)
		values[7] = Float8GetDatum(ms_mean(&window));
	tuplestore_putvalues(st->rsinfo->setResult, st->rsinfo->setDesc, values, nulls);
}

/* Add one day's statistics (days arrive in increasing order). */
static void
trend_add_day(TrendState *st, int32 day, int64 entries, const MoodStats *stats)
{
	int32		start;
	int64		key;

	trend_bucket_of(st->kind, day, &start, &key);
	if (!st->open || start != st->start)
	{
		trend_close_bucket(st);
		st->open = true;
		st->start = start;
		st->key = key;
		st->entries = 0;
		ms_init(&st->stats);
	}
	st->entries += entries;
	moodstats_check_rc(ms_combine(&st->stats, stats));
}

/* Add the recomputed pending days before the given day (all: PG_INT32_MAX). */
static void
trend_add_raw_before(TrendState *st, int32 day)
{
	while (st->raw_next < st->nraw && st->raw[st->raw_next].day < day)
	{
		TrendDay   *d = &st->raw[st->raw_next++];

		trend_add_day(st, d->day, d->entries, &d->stats);
	}
}

/* A day's mood state from a query's slot (mood_agg gives no NULL, be safe). */
static const MoodStats *
trend_slot_stats(TupleTableSlot *slot, MoodStats *empty)
{
	if (slot->tts_isnull[2])
	{
		ms_init(empty);
		return empty;
	}
	return moodstats_checked((MoodStats *) DatumGetPointer(slot->tts_values[2]));
}

/* Whether a day is pending (its stored state is stale). */
static bool
trend_is_pending(const TrendState *st, int32 day)
{
	return st->npending > 0 &&
		bsearch(&day, st->pending, st->npending, sizeof(int32), cmp_day) != NULL;
}

/* Keep a row (day, entries, mood) in the raw array. */
static void
trend_push_raw(TrendState *st, int32 day, TupleTableSlot *slot)
{
	MoodStats	empty;

	st->raw = trend_grow(st->raw, st->nraw, &st->raw_cap, sizeof(TrendDay), st->cxt);
	st->raw[st->nraw].day = day;
	st->raw[st->nraw].entries = DatumGetInt64(slot->tts_values[1]);
	st->raw[st->nraw].stats = *trend_slot_stats(slot, &empty);
	st->nraw++;
}

/* DestReceiver callback: take one row. */
static bool
trend_receive(TupleTableSlot *slot, DestReceiver *self)
{
	TrendReceiver *r = (TrendReceiver *) self;
	TrendState *st = r->st;
	int32		day;
	MoodStats	empty;

	CHECK_FOR_INTERRUPTS();
	slot_getallattrs(slot);
	day = DatumGetDateADT(slot->tts_values[0]);
	switch (r->target)
	{
		case TARGET_WEEKS:
			if (!slot->tts_isnull[1])
			{
				trend_push_raw(st, day, slot);
				break;
			}
			/* FALLTHROUGH */
		case TARGET_PENDING:
			st->pending = trend_grow(st->pending, st->npending, &st->pending_cap,
									 sizeof(int32), st->cxt);
			st->pending[st->npending++] = day;
			break;
		case TARGET_DAYS:
			/* a pending day's stored state is stale: its recomputed one replaces it */
			if (!trend_is_pending(st, day))
				trend_push_raw(st, day, slot);
			break;
		case TARGET_RAW:
			trend_push_raw(st, day, slot);
			break;
		case TARGET_DAILY:
			if (trend_is_pending(st, day))
				break;
			trend_add_raw_before(st, day);
			trend_add_day(st, day, DatumGetInt64(slot->tts_values[1]),
						  trend_slot_stats(slot, &empty));
			break;
	}
	return true;
}

/* DestReceiver callbacks with nothing to do. */
static void
trend_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
trend_shutdown(DestReceiver *self)
{
}

static void
trend_destroy(DestReceiver *self)
{
}

/* Run a saved plan with the given arguments into the call's state. */
static void
trend_run(int which, TrendTarget target, Datum *args, TrendState *st)
{
	int			nargs = plan_nargs[which];
	TrendReceiver r;
	SPIExecuteOptions options;
	ParamListInfo params = makeParamList(nargs);
	int			i;
	int			rc;

	for (i = 0; i < nargs; i++)
	{
		params->params[i].value = args[i];
		params->params[i].isnull = false;
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = plan_types[which][i];
	}
	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = trend_receive;
	r.pub.rStartup = trend_startup;
	r.pub.rShutdown = trend_shutdown;
	r.pub.rDestroy = trend_destroy;
	r.pub.mydest = DestNone;
	r.target = target;
	r.st = st;
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;
	options.dest = &r.pub;
	rc = SPI_execute_plan_extended(trend_plan(which), &options);
	/* SPI reports a SELECT into a receiver of its own as a utility statement */
	if (rc != SPI_OK_UTILITY)
		elog(ERROR, "mood_trend query failed: %s", SPI_result_code_string(rc));
}

/* A one-dimensional date[] of the given elements. */
static Datum
trend_date_array(Datum *elems, int n)
{
	return PointerGetDatum(construct_array(elems, n, DATEOID, sizeof(DateADT), true, TYPALIGN_INT));
}

/* The Monday of a day's ISO week. */
static int32
trend_week_of(int32 day)
{
	int32		start;
	int64		key;

	trend_bucket_of(BUCKET_WEEK, day, &start, &key);
	return start;
}

/*
 * The whole ISO weeks of the range [since, until] (an infinite end keeps all
 * weeks on its side whole): their first day *first and last day *last, or
 * false when there is none.
 */
static bool
trend_whole_weeks(DateADT since, DateADT until, DateADT *first, DateADT *last)
{
	int64		f = since;
	int64		l = until;

	if (DATE_IS_NOEND(since) || DATE_IS_NOBEGIN(until))
		return false;
	if (!DATE_IS_NOBEGIN(since) && trend_week_of(since) != since)
		f = (int64) trend_week_of(since) + 7;
	if (!DATE_IS_NOEND(until) && (int64) trend_week_of(until) + 6 != until)
		l = (int64) trend_week_of(until) - 1;
	if (f > l || !(DATE_IS_NOBEGIN(f) || IS_VALID_DATE(f)) ||
		!(DATE_IS_NOEND(l) || IS_VALID_DATE(l)))
		return false;
	*first = (DateADT) f;
	*last = (DateADT) l;
	return true;
}

/*
 * Sort the pending days and drop duplicates, then recompute their states
 * from the entries into the raw array (in day order).
 */
static void
trend_recompute_pending(TrendState *st, Datum user)
{
	Datum	   *elems;
	Datum		raw_args[2];
	int			n = 0;
	int			i;

	if (st->npending == 0)
		return;
	qsort(st->pending, st->npending, sizeof(int32), cmp_day);
	for (i = 0; i < st->npending; i++)
		if (n == 0 || st->pending[i] != st->pending[n - 1])
			st->pending[n++] = st->pending[i];
	st->npending = n;
	elems = (Datum *) palloc(n * sizeof(Datum));
	for (i = 0; i < n; i++)
		elems[i] = DateADTGetDatum(st->pending[i]);
	raw_args[0] = user;
	raw_args[1] = trend_date_array(elems, n);
	trend_run(PLAN_RAW, TARGET_RAW, raw_args, st);
}

/*
 * Whether the caller may read journaling.weekly_stats (granted by
 * grant_app_role(); roles granted before version 0.2 may not until it is
 * called again, and read the daily states instead).
 */
static bool
trend_weeks_readable(void)
{
	Oid			relid = get_relname_relid("weekly_stats", get_namespace_oid("journaling", false));

	return OidIsValid(relid) && pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
}

/*
 * Week buckets over whole weeks: one query reads the pending days and the
 * stored weeks; a week with a pending day is dropped and read as days
 * instead, like the partial weeks at the ends of the range (a second query,
 * only when there are such days).  Everything is collected in the raw array
 * with the recomputed pending days and sorted by day.
 */
static void
trend_collect_weeks(TrendState *st, Datum *args, DateADT first, DateADT last)
{
	DateADT		since = DatumGetDateADT(args[1]);
	DateADT		until = DatumGetDateADT(args[2]);
	int32	   *stale;			/* whole weeks with pending days, ascending */
	int			nstale = 0;
	Datum	   *days;
	int			ndays = 0;
	int			nweeks;
	int			keep = 0;
	Datum		qargs[5];
	DateADT		d;
	int			i;
	int			j;

	qargs[0] = args[0];
	qargs[1] = args[1];
	qargs[2] = args[2];
	qargs[3] = DateADTGetDatum(first);
	qargs[4] = DateADTGetDatum(last);
	trend_run(PLAN_WEEKS, TARGET_WEEKS, qargs, st);
	nweeks = st->nraw;
	trend_recompute_pending(st, args[0]);

	/* up to 6 days at each end, 7 per week with pending days */
	stale = (int32 *) palloc(st->npending * sizeof(int32));
	days = (Datum *) palloc((12 + st->npending * 7) * sizeof(Datum));
	if (!DATE_IS_NOBEGIN(since))
		for (d = since; d < first; d++)
			days[ndays++] = DateADTGetDatum(d);
	for (i = 0; i < st->npending; i++)
	{
		int32		start = trend_week_of(st->pending[i]);

		if (st->pending[i] < first || st->pending[i] > last ||
			(nstale > 0 && stale[nstale - 1] == start))
			continue;
		stale[nstale++] = start;
		for (j = 0; j < 7; j++)
			days[ndays++] = DateADTGetDatum(start + j);
	}
	/* drop the stale stored weeks (they come first in raw) */
	for (i = 0; i < nweeks; i++)
		if (nstale == 0 || bsearch(&st->raw[i].day, stale, nstale, sizeof(int32), cmp_day) == NULL)
			st->raw[keep++] = st->raw[i];
	if (keep < nweeks)
	{
		memmove(&st->raw[keep], &st->raw[nweeks], (st->nraw - nweeks) * sizeof(TrendDay));
		st->nraw -= nweeks - keep;
	}
	if (!DATE_IS_NOEND(until))
		for (d = until; d > last; d--)
			days[ndays++] = DateADTGetDatum(d);
	if (ndays > 0)
	{
		qargs[1] = trend_date_array(days, ndays);
		trend_run(PLAN_DAYS, TARGET_DAYS, qargs, st);
	}
	if (st->nraw > 1)
		qsort(st->raw, st->nraw, sizeof(TrendDay), cmp_trend_day);
}

/* Parse the bucket argument (NULL or unknown: error). */
static TrendBucketKind
trend_bucket_kind(FunctionCallInfo fcinfo)
{
	char	   *name;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("bucket must not be null"),
				 errhint("Use 'day', 'week' or 'month'.")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (strcmp(name, "day") == 0)
		return BUCKET_DAY;
	if (strcmp(name, "week") == 0)
		return BUCKET_WEEK;
	if (strcmp(name, "month") == 0)
		return BUCKET_MONTH;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown bucket \"%s\"", name),
			 errhint("Use 'day', 'week' or 'month'.")));
	return BUCKET_DAY;			/* not reached */
}

/*
 * mood_trend(user_id, bucket, since, until): see the file comment.  Not
 * STRICT: since and until default to NULL (unbounded); a NULL user has no
 * buckets.
 */
PG_FUNCTION_INFO_V1(journaling_mood_trend);
Datum
journaling_mood_trend(PG_FUNCTION_ARGS)
{
	TrendState	st;
	Datum		args[3];
	DateADT		first;
	DateADT		last;

	memset(&st, 0, sizeof(st));
	st.kind = trend_bucket_kind(fcinfo);
	st.cxt = CurrentMemoryContext;
	/* the caller's result descriptor when it has one: no pg_proc lookup */
	st.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	InitMaterializedSRF(fcinfo, (st.rsinfo != NULL && IsA(st.rsinfo, ReturnSetInfo) &&
								 st.rsinfo->expectedDesc != NULL) ? MAT_SRF_USE_EXPECTED_DESC : 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	args[0] = PG_GETARG_DATUM(0);
	args[1] = DateADTGetDatum(PG_ARGISNULL(2) ? DATEVAL_NOBEGIN : PG_GETARG_DATEADT(2));
	args[2] = DateADTGetDatum(PG_ARGISNULL(3) ? DATEVAL_NOEND : PG_GETARG_DATEADT(3));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (st.kind == BUCKET_WEEK &&
		trend_whole_weeks(DatumGetDateADT(args[1]), DatumGetDateADT(args[2]), &first, &last) &&
		trend_weeks_readable())
		trend_collect_weeks(&st, args, first, last);
	else
	{
		trend_run(PLAN_PENDING, TARGET_PENDING, args, &st);
		trend_recompute_pending(&st, args[0]);
		trend_run(PLAN_DAILY, TARGET_DAILY, args, &st);
	}
	trend_add_raw_before(&st, PG_INT32_MAX);
	trend_close_bucket(&st);
	SPI_finish();
	return (Datum) 0;
}
