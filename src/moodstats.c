/*
 * moodstats.c — the journaling.moodstats type and the mood aggregates.
 *
 * journaling.moodstats is a fixed-size state (MoodStats in moodstats_math.h)
 * holding count, exact day sums, double-double mood sums, min/max mood and
 * first/last day.  From it the accessors give what count, avg, var_samp,
 * stddev_samp, min, max and regr_slope give over the same rows.
 *
 * NULL handling: a row whose mood is NULL is ignored entirely (as count(mood)
 * or avg(mood) ignore it).  A row with a mood but a NULL day counts for n,
 * mean, variance, stddev, min and max, but not for slope, first_day and
 * last_day (as regr_slope(mood, day) ignores it).
 *
 * Moving windows: the sums are removable, min/max/first/last are not.  The
 * moving-aggregate state (MoodWindow, internal) therefore adds four monotone
 * queues.  PostgreSQL removes rows from a moving frame in the order it added
 * them (the inverse transition always gets the earliest row of the state), so
 * each queue keeps the candidates for the extreme in arrival order and the
 * extreme of the frame is always at its front: O(1) amortized per row, no
 * frame restarts, memory bounded by the frame size.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "journaling.h"
#include "moodstats.h"

StaticAssertDecl(sizeof(MoodStats) == MOODSTATS_SIZE,
				 "MoodStats must match INTERNALLENGTH of journaling.moodstats");

#define DatumGetMoodStatsP(X)	((MoodStats *) DatumGetPointer(X))
#define PG_GETARG_MOODSTATS_P(n) moodstats_checked(DatumGetMoodStatsP(PG_GETARG_DATUM(n)))
#define PG_RETURN_MOODSTATS_P(x) PG_RETURN_POINTER(x)

/* One candidate of a monotone queue: a value and the arrival number of its row. */
typedef struct MoodQueueItem
{
	double		value;
	int64		seq;
} MoodQueueItem;

/* A deque in a growable ring buffer. */
typedef struct MoodQueue
{
	MoodQueueItem *items;
	int			capacity;		/* a power of two */
	int			start;
	int			count;
} MoodQueue;

/* Moving-aggregate state of mood_agg. */
typedef struct MoodWindow
{
	MoodStats	stats;			/* sums (min/max/first/last unused here) */
	int64		moods_in;		/* rows with a mood added so far */
	int64		moods_out;		/* ... and removed */
	int64		days_in;		/* rows with a mood and a day added */
	int64		days_out;		/* ... and removed */
	MoodQueue	min_mood;		/* increasing values */
	MoodQueue	max_mood;		/* decreasing values */
	MoodQueue	first_day;		/* increasing values */
	MoodQueue	last_day;		/* decreasing values */
} MoodWindow;

/* Aggregate state of mood_ewma. */
typedef struct MoodEwma
{
	bool		started;
	double		value;
} MoodEwma;

/* Validate a mood argument. */
static inline double
moodstats_mood_arg(double y)
{
	if (!isfinite(y))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mood must be a finite number, not %s", isnan(y) ? "NaN" : (y > 0 ? "Infinity" : "-Infinity")),
				 errdetail("NaN and infinite moods cannot be aggregated.")));
	return y;
}

/* Validate a day argument and return its day number (days since 2000-01-01). */
static inline int32
moodstats_day_arg(DateADT d)
{
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("day must be a finite date, not %s", DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity")));
	return (int32) d;
}

/*
 * True when the state is internally consistent (used on external input, so
 * every other function may rely on it).
 */
static bool
moodstats_consistent(const MoodStats *s)
{
	const ms_dd *dd[4] = {&s->sy, &s->syy, &s->syp, &s->sxy};
	int			i;

	if (s->reserved[0] != 0 || s->reserved[1] != 0 || s->reserved[2] != 0 || s->reserved2 != 0)
		return false;
	if (s->n < 0 || s->np < 0 || s->np > s->n)
		return false;
	for (i = 0; i < 4; i++)
		if (!ms_dd_finite(*dd[i]) || dd[i]->hi + dd[i]->lo != dd[i]->hi)
			return false;
	if (!isfinite(s->min) || !isfinite(s->max) || ms_get_sxx(s) < 0 || s->syy.hi < 0)
		return false;
	if (s->n == 0 && (s->min != 0 || s->max != 0 || s->sy.hi != 0 || s->syy.hi != 0))
		return false;
	if (s->n > 0 && s->min > s->max)
		return false;
	if (s->np == 0 && (s->first_day != 0 || s->last_day != 0 || s->sx != 0 ||
					   ms_get_sxx(s) != 0 || s->syp.hi != 0 || s->sxy.hi != 0))
		return false;
	if (s->np > 0 && (s->first_day > s->last_day ||
					  DATE_NOT_FINITE(s->first_day) || DATE_NOT_FINITE(s->last_day)))
		return false;
	return true;
}

/* ---------------------------------------------------------------------
 * Text and binary I/O.
 *
 * Text form: (v=1,n=3,np=3,sy=HI/LO,syy=HI/LO,min=X,max=X,first=D,last=D,
 * sx=I,sxx=I,syp=HI/LO,sxy=HI/LO) with every double in the shortest form
 * that reads back exactly and days as day numbers (days since 2000-01-01).
 * ---------------------------------------------------------------------
 */

/* Append the shortest exact decimal form of a double. */
static void
append_double(StringInfo buf, double x)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(x, tmp);
	appendStringInfoString(buf, tmp);
}

/* Append a double-double as HI/LO. */
static void
append_dd(StringInfo buf, const char *key, ms_dd v)
{
	appendStringInfo(buf, ",%s=", key);
	append_double(buf, v.hi);
	appendStringInfoChar(buf, '/');
	append_double(buf, v.lo);
}

/* Append a 128-bit integer in decimal. */
static void
append_int128(StringInfo buf, __int128 v)
{
	char		tmp[48];
	int			i = sizeof(tmp);
	unsigned __int128 u = (v < 0) ? -(unsigned __int128) v : (unsigned __int128) v;

	tmp[--i] = '\0';
	do
	{
		tmp[--i] = (char) ('0' + (int) (u % 10));
		u /= 10;
	} while (u != 0);
	if (v < 0)
		tmp[--i] = '-';
	appendStringInfoString(buf, tmp + i);
}

/* Parser over the text form; errors name the input. */
typedef struct MoodParser
{
	const char *input;
	const char *p;
} MoodParser;

/* Raise the malformed-input error. */
static void
parse_fail(MoodParser *ps, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type moodstats: \"%s\"", ps->input),
			 errdetail("Expected %s at character %d.", what, (int) (ps->p - ps->input) + 1)));
}

/* Consume "key=" (preceded by a comma unless first). */
static void
parse_key(MoodParser *ps, const char *key, bool first)
{
	size_t		len = strlen(key);

	if (!first)
	{
		if (*ps->p != ',')
			parse_fail(ps, "\",\"");
		ps->p++;
	}
	if (strncmp(ps->p, key, len) != 0 || ps->p[len] != '=')
		parse_fail(ps, psprintf("\"%s=\"", key));
	ps->p += len + 1;
}

/*
 * Parse a finite double.  strtod() reports ERANGE for subnormal results too,
 * which the output writes (tiny moods and low parts): like float8in, only an
 * overflow or an underflow to zero is out of range.
 */
static double
parse_double(MoodParser *ps)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(ps->p, &end);
	if (end == ps->p || !isfinite(v) || isspace((unsigned char) *ps->p) ||
		(errno == ERANGE && v == 0))
		parse_fail(ps, "a finite number");
	ps->p = end;
	return v;
}

/* Parse HI/LO. */
static ms_dd
parse_dd(MoodParser *ps)
{
	ms_dd		v;

	v.hi = parse_double(ps);
	if (*ps->p != '/')
		parse_fail(ps, "\"/\"");
	ps->p++;
	v.lo = parse_double(ps);
	return v;
}

/* Parse a decimal integer within [lo, hi] (at most 128 bits). */
static __int128
parse_integer(MoodParser *ps, __int128 lo, __int128 hi)
{
	bool		neg = false;
	unsigned __int128 u = 0;
	unsigned __int128 limit;
	const char *start;

	if (*ps->p == '-')
	{
		neg = true;
		ps->p++;
	}
	limit = neg ? -(unsigned __int128) lo : (unsigned __int128) hi;
	start = ps->p;
	while (*ps->p >= '0' && *ps->p <= '9')
	{
		unsigned	d = (unsigned) (*ps->p - '0');

		if (u > (limit - d) / 10)
			parse_fail(ps, "an integer in range");
		u = u * 10 + d;
		ps->p++;
	}
	if (ps->p == start)
		parse_fail(ps, "an integer");
	return neg ? -(__int128) u : (__int128) u;
}

/* moodstats input function: parse the text form. */
PG_FUNCTION_INFO_V1(journaling_moodstats_in);
Datum
journaling_moodstats_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	MoodStats  *s = (MoodStats *) palloc0(sizeof(MoodStats));
	MoodParser	ps = {str, str};
	__int128	version;

	while (isspace((unsigned char) *ps.p))
		ps.p++;
	if (*ps.p != '(')
		parse_fail(&ps, "\"(\"");
	ps.p++;
	parse_key(&ps, "v", true);
	version = parse_integer(&ps, 0, 255);
	moodstats_check_version((int) version, ERRCODE_INVALID_TEXT_REPRESENTATION);
	s->version = (uint8) version;
	parse_key(&ps, "n", false);
	s->n = (int64) parse_integer(&ps, PG_INT64_MIN, PG_INT64_MAX);
	parse_key(&ps, "np", false);
	s->np = (int64) parse_integer(&ps, PG_INT64_MIN, PG_INT64_MAX);
	parse_key(&ps, "sy", false);
	s->sy = parse_dd(&ps);
	parse_key(&ps, "syy", false);
	s->syy = parse_dd(&ps);
	parse_key(&ps, "min", false);
	s->min = parse_double(&ps);
	parse_key(&ps, "max", false);
	s->max = parse_double(&ps);
	parse_key(&ps, "first", false);
	s->first_day = (int32) parse_integer(&ps, PG_INT32_MIN, PG_INT32_MAX);
	parse_key(&ps, "last", false);
	s->last_day = (int32) parse_integer(&ps, PG_INT32_MIN, PG_INT32_MAX);
	parse_key(&ps, "sx", false);
	s->sx = (int64) parse_integer(&ps, PG_INT64_MIN, PG_INT64_MAX);
	parse_key(&ps, "sxx", false);
	ms_set_sxx(s, parse_integer(&ps, 0, (__int128) (((unsigned __int128) 1 << 127) - 1)));
	parse_key(&ps, "syp", false);
	s->syp = parse_dd(&ps);
	parse_key(&ps, "sxy", false);
	s->sxy = parse_dd(&ps);
	if (*ps.p != ')')
		parse_fail(&ps, "\")\"");
	ps.p++;
	while (isspace((unsigned char) *ps.p))
		ps.p++;
	if (*ps.p != '\0')
		parse_fail(&ps, "end of input");

	if (!moodstats_consistent(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type moodstats: \"%s\"", str),
				 errdetail("The counts, sums and extremes are inconsistent.")));
	PG_RETURN_MOODSTATS_P(s);
}

/* moodstats output function: the text form, exact. */
PG_FUNCTION_INFO_V1(journaling_moodstats_out);
Datum
journaling_moodstats_out(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(v=%d,n=" INT64_FORMAT ",np=" INT64_FORMAT,
					 (int) s->version, s->n, s->np);
	append_dd(&buf, "sy", s->sy);
	append_dd(&buf, "syy", s->syy);
	appendStringInfoString(&buf, ",min=");
	append_double(&buf, s->min);
	appendStringInfoString(&buf, ",max=");
	append_double(&buf, s->max);
	appendStringInfo(&buf, ",first=%d,last=%d,sx=" INT64_FORMAT ",sxx=",
					 s->first_day, s->last_day, s->sx);
	append_int128(&buf, ms_get_sxx(s));
	append_dd(&buf, "syp", s->syp);
	append_dd(&buf, "sxy", s->sxy);
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* moodstats receive function: the binary form written by send. */
PG_FUNCTION_INFO_V1(journaling_moodstats_recv);
Datum
journaling_moodstats_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	MoodStats  *s = (MoodStats *) palloc0(sizeof(MoodStats));

	s->version = (uint8) pq_getmsgbyte(buf);
	moodstats_check_version(s->version, ERRCODE_INVALID_BINARY_REPRESENTATION);
	s->first_day = pq_getmsgint(buf, 4);
	s->last_day = pq_getmsgint(buf, 4);
	s->n = pq_getmsgint64(buf);
	s->np = pq_getmsgint64(buf);
	s->sy.hi = pq_getmsgfloat8(buf);
	s->sy.lo = pq_getmsgfloat8(buf);
	s->syy.hi = pq_getmsgfloat8(buf);
	s->syy.lo = pq_getmsgfloat8(buf);
	s->min = pq_getmsgfloat8(buf);
	s->max = pq_getmsgfloat8(buf);
	s->sx = pq_getmsgint64(buf);
	s->sxx_lo = (uint64) pq_getmsgint64(buf);
	s->sxx_hi = pq_getmsgint64(buf);
	s->syp.hi = pq_getmsgfloat8(buf);
	s->syp.lo = pq_getmsgfloat8(buf);
	s->sxy.hi = pq_getmsgfloat8(buf);
	s->sxy.lo = pq_getmsgfloat8(buf);
	if (!moodstats_consistent(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external moodstats value"),
				 errdetail("The counts, sums and extremes are inconsistent.")));
	PG_RETURN_MOODSTATS_P(s);
}

/* moodstats send function: version byte first, then the fields. */
PG_FUNCTION_INFO_V1(journaling_moodstats_send);
Datum
journaling_moodstats_send(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendint32(&buf, s->first_day);
	pq_sendint32(&buf, s->last_day);
	pq_sendint64(&buf, s->n);
	pq_sendint64(&buf, s->np);
	pq_sendfloat8(&buf, s->sy.hi);
	pq_sendfloat8(&buf, s->sy.lo);
	pq_sendfloat8(&buf, s->syy.hi);
	pq_sendfloat8(&buf, s->syy.lo);
	pq_sendfloat8(&buf, s->min);
	pq_sendfloat8(&buf, s->max);
	pq_sendint64(&buf, s->sx);
	pq_sendint64(&buf, (int64) s->sxx_lo);
	pq_sendint64(&buf, s->sxx_hi);
	pq_sendfloat8(&buf, s->syp.hi);
	pq_sendfloat8(&buf, s->syp.lo);
	pq_sendfloat8(&buf, s->sxy.hi);
	pq_sendfloat8(&buf, s->sxy.lo);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------------------------------------------------------------------
 * mood_agg and rollup (plain and parallel aggregation).
 * ---------------------------------------------------------------------
 */

/* Marks (in fn_extra) an FmgrInfo of a function called by an aggregate. */
static const char moodstats_in_aggregate = 1;

/*
 * True when called as an aggregate's support function.  An aggregate calls
 * them through FmgrInfos of its own, so the answer is remembered in fn_extra
 * (AggCheckCallContext() once, not per row).
 */
static inline bool
moodstats_in_agg(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == (void *) &moodstats_in_aggregate)
		return true;
	if (!AggCheckCallContext(fcinfo, NULL))
		return false;
	fcinfo->flinfo->fn_extra = (void *) &moodstats_in_aggregate;
	return true;
}

/*
 * The state argument to update: modified in place inside an aggregate (it
 * lives in the aggregate's memory), copied otherwise.
 */
static MoodStats *
moodstats_state_arg(FunctionCallInfo fcinfo, int argno)
{
	MoodStats  *s;

	if (PG_ARGISNULL(argno))
	{
		s = (MoodStats *) palloc(sizeof(MoodStats));
		ms_init(s);
		return s;
	}
	s = PG_GETARG_MOODSTATS_P(argno);
	if (moodstats_in_agg(fcinfo))
		return s;
	return (MoodStats *) memcpy(palloc(sizeof(MoodStats)), s, sizeof(MoodStats));
}

/*
 * mood_agg transition: add (mood, day).  Not STRICT: a NULL day still counts
 * the mood; a NULL mood leaves the state as it is.
 */
PG_FUNCTION_INFO_V1(journaling_mood_agg_trans);
Datum
journaling_mood_agg_trans(PG_FUNCTION_ARGS)
{
	MoodStats  *s;
	double		y;
	bool		has_day = !PG_ARGISNULL(2);
	int32		x = 0;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	y = moodstats_mood_arg(PG_GETARG_FLOAT8(1));
	if (has_day)
		x = moodstats_day_arg(PG_GETARG_DATEADT(2));
	s = moodstats_state_arg(fcinfo, 0);
	moodstats_check_rc(ms_accum(s, y, has_day, x));
	PG_RETURN_MOODSTATS_P(s);
}

/* Combine two states (combine function of both aggregates, transition of rollup). */
PG_FUNCTION_INFO_V1(journaling_moodstats_combine);
Datum
journaling_moodstats_combine(PG_FUNCTION_ARGS)
{
	MoodStats  *a = moodstats_state_arg(fcinfo, 0);
	MoodStats  *b = PG_GETARG_MOODSTATS_P(1);

	moodstats_check_rc(ms_combine(a, b));
	PG_RETURN_MOODSTATS_P(a);
}

/* ---------------------------------------------------------------------
 * mood_agg in moving windows.
 * ---------------------------------------------------------------------
 */

/* An empty queue with room for a few items in the current context. */
static void
queue_init(MoodQueue *q)
{
	q->capacity = 16;
	q->items = (MoodQueueItem *) palloc(q->capacity * sizeof(MoodQueueItem));
	q->start = 0;
	q->count = 0;
}

/* The i-th item from the front. */
static inline MoodQueueItem *
queue_at(MoodQueue *q, int i)
{
	return &q->items[(q->start + i) & (q->capacity - 1)];
}

/* Double a full queue's ring buffer, in the aggregate's context where it lives. */
static pg_noinline void
queue_grow(MoodQueue *q)
{
	MoodQueueItem *items;
	int			i;

	if (q->capacity >= (int) (MaxAllocSize / (2 * sizeof(MoodQueueItem))))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("moving window too large for mood_agg")));
	items = (MoodQueueItem *) MemoryContextAlloc(GetMemoryChunkContext(q->items),
												 2 * q->capacity * sizeof(MoodQueueItem));
	for (i = 0; i < q->count; i++)
		items[i] = *queue_at(q, i);
	pfree(q->items);
	q->items = items;
	q->start = 0;
	q->capacity *= 2;
}

/*
 * Add a row's value at the back, first dropping the candidates it makes
 * useless: for a minimum queue (sign = 1) those not smaller than it, for a
 * maximum queue (sign = -1) those not greater.
 */
static inline void
queue_push(MoodQueue *q, double value, int64 seq, int sign)
{
	while (q->count > 0 && sign * queue_at(q, q->count - 1)->value >= sign * value)
		q->count--;
	if (unlikely(q->count == q->capacity))
		queue_grow(q);
	*queue_at(q, q->count) = (MoodQueueItem) {value, seq};
	q->count++;
}

/* The row with arrival number seq leaves the frame. */
static inline void
queue_expire(MoodQueue *q, int64 seq)
{
	if (q->count > 0 && q->items[q->start].seq == seq)
	{
		q->start = (q->start + 1) & (q->capacity - 1);
		q->count--;
	}
}

/* The moving state argument, created in the aggregate context on first use. */
static MoodWindow *
moodwindow_arg(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;
	MemoryContext old;
	MoodWindow *w;

	if (!moodstats_in_agg(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("moving-aggregate support function of mood_agg called in non-aggregate context")));
	if (!PG_ARGISNULL(0))
		return (MoodWindow *) PG_GETARG_POINTER(0);

	AggCheckCallContext(fcinfo, &aggcontext);
	old = MemoryContextSwitchTo(aggcontext);
	w = (MoodWindow *) palloc0(sizeof(MoodWindow));
	ms_init(&w->stats);
	queue_init(&w->min_mood);
	queue_init(&w->max_mood);
	queue_init(&w->first_day);
	queue_init(&w->last_day);
	MemoryContextSwitchTo(old);
	return w;
}

/* mood_agg moving transition: add (mood, day) to the frame. */
PG_FUNCTION_INFO_V1(journaling_mood_agg_mtrans);
Datum
journaling_mood_agg_mtrans(PG_FUNCTION_ARGS)
{
	MoodWindow *w = moodwindow_arg(fcinfo);
	double		y;
	bool		has_day = !PG_ARGISNULL(2);
	int32		x = 0;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(w);
	y = moodstats_mood_arg(PG_GETARG_FLOAT8(1));
	if (has_day)
		x = moodstats_day_arg(PG_GETARG_DATEADT(2));
	moodstats_check_rc(ms_accum(&w->stats, y, has_day, x));

	queue_push(&w->min_mood, y, w->moods_in, 1);
	queue_push(&w->max_mood, y, w->moods_in, -1);
	w->moods_in++;
	if (has_day)
	{
		queue_push(&w->first_day, (double) x, w->days_in, 1);
		queue_push(&w->last_day, (double) x, w->days_in, -1);
		w->days_in++;
	}
	PG_RETURN_POINTER(w);
}

/* mood_agg inverse transition: remove the earliest row of the frame. */
PG_FUNCTION_INFO_V1(journaling_mood_agg_minv);
Datum
journaling_mood_agg_minv(PG_FUNCTION_ARGS)
{
	MoodWindow *w = moodwindow_arg(fcinfo);
	double		y;
	bool		has_day = !PG_ARGISNULL(2);
	int32		x = 0;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(w);
	y = PG_GETARG_FLOAT8(1);
	if (has_day)
		x = (int32) PG_GETARG_DATEADT(2);
	moodstats_check_rc(ms_remove_sums(&w->stats, y, has_day, x));

	queue_expire(&w->min_mood, w->moods_out);
	queue_expire(&w->max_mood, w->moods_out);
	w->moods_out++;
	if (has_day)
	{
		queue_expire(&w->first_day, w->days_out);
		queue_expire(&w->last_day, w->days_out);
		w->days_out++;
	}
	PG_RETURN_POINTER(w);
}

/*
 * mood_agg moving final function: the frame's state.  Not STRICT: an empty
 * frame gives the empty state, as the plain aggregate does.
 */
PG_FUNCTION_INFO_V1(journaling_mood_agg_mfinal);
Datum
journaling_mood_agg_mfinal(PG_FUNCTION_ARGS)
{
	MoodStats  *s = (MoodStats *) palloc(sizeof(MoodStats));
	MoodWindow *w;

	if (PG_ARGISNULL(0))
	{
		ms_init(s);
		PG_RETURN_MOODSTATS_P(s);
	}
	w = (MoodWindow *) PG_GETARG_POINTER(0);
	*s = w->stats;
	if (s->n > 0)
	{
		s->min = queue_at(&w->min_mood, 0)->value;
		s->max = queue_at(&w->max_mood, 0)->value;
	}
	if (s->np > 0)
	{
		s->first_day = (int32) queue_at(&w->first_day, 0)->value;
		s->last_day = (int32) queue_at(&w->last_day, 0)->value;
	}
	PG_RETURN_MOODSTATS_P(s);
}

/* ---------------------------------------------------------------------
 * Accessors.
 * ---------------------------------------------------------------------
 */

/* Number of moods counted, as count(mood). */
PG_FUNCTION_INFO_V1(journaling_moodstats_n);
Datum
journaling_moodstats_n(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_MOODSTATS_P(0)->n);
}

/* Mean mood, as avg(mood); NULL without moods. */
PG_FUNCTION_INFO_V1(journaling_moodstats_mean);
Datum
journaling_moodstats_mean(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);

	if (s->n < 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(ms_mean(s));
}

/* Sample variance, as var_samp(mood); NULL with fewer than two moods. */
PG_FUNCTION_INFO_V1(journaling_moodstats_variance);
Datum
journaling_moodstats_variance(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);

	if (s->n < 2)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(ms_variance(s));
}

/* Sample standard deviation, as stddev_samp(mood); NULL with fewer than two moods. */
PG_FUNCTION_INFO_V1(journaling_moodstats_stddev);
Datum
journaling_moodstats_stddev(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);

	if (s->n < 2)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(ms_variance(s)));
}

/* Least mood, as min(mood); NULL without moods. */
PG_FUNCTION_INFO_V1(journaling_moodstats_min_mood);
Datum
journaling_moodstats_min_mood(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);

	if (s->n < 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->min);
}

/* Greatest mood, as max(mood); NULL without moods. */
PG_FUNCTION_INFO_V1(journaling_moodstats_max_mood);
Datum
journaling_moodstats_max_mood(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);

	if (s->n < 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->max);
}

/* Earliest day among rows with mood and day; NULL without such rows. */
PG_FUNCTION_INFO_V1(journaling_moodstats_first_day);
Datum
journaling_moodstats_first_day(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);

	if (s->np < 1)
		PG_RETURN_NULL();
	PG_RETURN_DATEADT((DateADT) s->first_day);
}

/* Latest day among rows with mood and day; NULL without such rows. */
PG_FUNCTION_INFO_V1(journaling_moodstats_last_day);
Datum
journaling_moodstats_last_day(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);

	if (s->np < 1)
		PG_RETURN_NULL();
	PG_RETURN_DATEADT((DateADT) s->last_day);
}

/* Least-squares mood change per day, as regr_slope(mood, day); NULL with < 2 distinct days. */
PG_FUNCTION_INFO_V1(journaling_moodstats_slope);
Datum
journaling_moodstats_slope(PG_FUNCTION_ARGS)
{
	MoodStats  *s = PG_GETARG_MOODSTATS_P(0);
	bool		valid;
	double		slope = ms_slope(s, &valid);

	if (!valid)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slope);
}

/* ---------------------------------------------------------------------
 * mood_ewma
 * ---------------------------------------------------------------------
 */

/*
 * mood_ewma transition: s1 = x1, s_k = alpha*x_k + (1-alpha)*s_(k-1).  Not
 * STRICT: NULL moods are skipped, while every alpha is checked.
 */
PG_FUNCTION_INFO_V1(journaling_mood_ewma_trans);
Datum
journaling_mood_ewma_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	MoodEwma   *st;
	double		alpha;
	double		y;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("mood_ewma transition function called in non-aggregate context")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("alpha of mood_ewma must not be null")));
	alpha = PG_GETARG_FLOAT8(2);
	if (!(alpha > 0.0 && alpha <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("alpha of mood_ewma must be in (0, 1], not %s",
						float8out_internal(alpha))));

	if (PG_ARGISNULL(0))
		st = (MoodEwma *) MemoryContextAllocZero(aggcontext, sizeof(MoodEwma));
	else
		st = (MoodEwma *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);

	y = moodstats_mood_arg(PG_GETARG_FLOAT8(1));
	if (!st->started)
	{
		st->value = y;
		st->started = true;
	}
	else
		st->value = ms_ewma_step(st->value, y, alpha);
	PG_RETURN_POINTER(st);
}

/* mood_ewma final function: the last smoothed value, NULL without moods. */
PG_FUNCTION_INFO_V1(journaling_mood_ewma_final);
Datum
journaling_mood_ewma_final(PG_FUNCTION_ARGS)
{
	MoodEwma   *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (MoodEwma *) PG_GETARG_POINTER(0);
	if (!st->started)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(st->value);
}
