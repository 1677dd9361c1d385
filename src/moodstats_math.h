/*
 * moodstats_math.h — pure arithmetic of the mood-statistics state.
 *
 * Plain C99 (plus the __int128 extension of gcc and clang): no PostgreSQL
 * headers, so unit harnesses, valgrind and fuzzers can compile it outside the
 * server.  Errors are reported through return codes; the server code turns
 * them into ereport()s.
 *
 * The state keeps power sums instead of running centered sums, so a row can
 * be removed again (moving-window aggregation) and two states can be combined
 * (parallel aggregation, rollup) without loss:
 *
 *   n, sy, syy        count, sum and sum of squares of the moods
 *   np, sx, sxx,      the same for the rows that also have a day, with the
 *   syp, sxy          day number x (days since 2000-01-01) and the products
 *
 * Day sums are exact integers (sx in 64 bits, sxx in 128 bits).  Mood sums
 * are double-double numbers (about 106 significant bits) fed with exact
 * products, so adding and later removing a row leaves an error of order
 * 2^-104 of the sums involved, and the centered quantities (variance,
 * covariance) are formed in double-double before the final rounding.
 */
#ifndef JOURNALING_MOODSTATS_MATH_H
#define JOURNALING_MOODSTATS_MATH_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifndef __SIZEOF_INT128__
#error "moodstats needs a compiler with 128-bit integers"
#endif

/* Version of the binary layout; the first byte of every state. */
#define MOODSTATS_VERSION 1

/* Result codes of the fallible operations. */
#define MS_OK 0
#define MS_OVERFLOW 1			/* a sum left the range of its type */
#define MS_NOT_FINITE 2			/* NaN or infinite input */

/* An unevaluated sum hi + lo with |lo| <= ulp(hi) / 2. */
typedef struct ms_dd
{
	double		hi;
	double		lo;
} ms_dd;

/*
 * The state, exactly as stored (fixed size, double alignment, no pointers).
 * The 128-bit day-square sum is kept as two 64-bit halves so the struct needs
 * only 8-byte alignment.
 */
typedef struct MoodStats
{
	uint8_t		version;		/* MOODSTATS_VERSION */
	uint8_t		reserved[3];	/* zero */
	int32_t		first_day;		/* least day of the np rows (0 if np = 0) */
	int32_t		last_day;		/* greatest day of the np rows (0 if np = 0) */
	int32_t		reserved2;		/* zero */
	int64_t		n;				/* moods counted */
	int64_t		np;				/* of which have a day */
	ms_dd		sy;				/* sum of moods */
	ms_dd		syy;			/* sum of squared moods */
	double		min;			/* least mood (0 if n = 0) */
	double		max;			/* greatest mood (0 if n = 0) */
	int64_t		sx;				/* sum of days of the np rows */
	uint64_t	sxx_lo;			/* sum of squared days, low 64 bits */
	int64_t		sxx_hi;			/* sum of squared days, high 64 bits */
	ms_dd		syp;			/* sum of moods of the np rows */
	ms_dd		sxy;			/* sum of day * mood of the np rows */
} MoodStats;

#define MOODSTATS_SIZE 136

/* ---------------------------------------------------------------------
 * Double-double arithmetic (Dekker, Knuth; no fused multiply-add needed).
 * ---------------------------------------------------------------------
 */

/* Exact sum of two doubles. */
static inline ms_dd
ms_two_sum(double a, double b)
{
	ms_dd		r;
	double		bb;

	r.hi = a + b;
	bb = r.hi - a;
	r.lo = (a - (r.hi - bb)) + (b - bb);
	return r;
}

/* Exact sum of two doubles when |a| >= |b| or a = 0. */
static inline ms_dd
ms_quick_two_sum(double a, double b)
{
	ms_dd		r;

	r.hi = a + b;
	r.lo = b - (r.hi - a);
	return r;
}

/* Veltkamp split of a into two halves of 26 significant bits each. */
static inline void
ms_split(double a, double *hi, double *lo)
{
	double		t = 134217729.0 * a;	/* 2^27 + 1 */

	*hi = t - (t - a);
	*lo = a - *hi;
}

/* Exact product of two doubles (barring overflow and underflow). */
static inline ms_dd
ms_two_prod(double a, double b)
{
	ms_dd		r;
	double		ah,
				al,
				bh,
				bl;

	r.hi = a * b;
	ms_split(a, &ah, &al);
	ms_split(b, &bh, &bl);
	r.lo = ((ah * bh - r.hi) + ah * bl + al * bh) + al * bl;
	return r;
}

/* a + b, double-double plus double. */
static inline ms_dd
ms_dd_add_d(ms_dd a, double b)
{
	ms_dd		s = ms_two_sum(a.hi, b);

	s.lo += a.lo;
	return ms_quick_two_sum(s.hi, s.lo);
}

/* a + b, both double-double (the accurate IEEE-style variant). */
static inline ms_dd
ms_dd_add(ms_dd a, ms_dd b)
{
	ms_dd		s = ms_two_sum(a.hi, b.hi);
	ms_dd		t = ms_two_sum(a.lo, b.lo);

	s.lo += t.hi;
	s = ms_quick_two_sum(s.hi, s.lo);
	s.lo += t.lo;
	return ms_quick_two_sum(s.hi, s.lo);
}

/* -a */
static inline ms_dd
ms_dd_neg(ms_dd a)
{
	a.hi = -a.hi;
	a.lo = -a.lo;
	return a;
}

/* a * b, double-double times double-double. */
static inline ms_dd
ms_dd_mul(ms_dd a, ms_dd b)
{
	ms_dd		p = ms_two_prod(a.hi, b.hi);

	p.lo += a.hi * b.lo + a.lo * b.hi;
	return ms_quick_two_sum(p.hi, p.lo);
}

/* a / b, double-double by double (one correction step). */
static inline ms_dd
ms_dd_div_d(ms_dd a, double b)
{
	double		q1 = a.hi / b;
	ms_dd		p = ms_two_prod(q1, b);
	ms_dd		r = ms_two_sum(a.hi, -p.hi);
	double		q2;

	r.lo -= p.lo;
	r.lo += a.lo;
	q2 = (r.hi + r.lo) / b;
	return ms_quick_two_sum(q1, q2);
}

/* Exact double-double value of a 64-bit integer. */
static inline ms_dd
ms_dd_from_i64(int64_t v)
{
	/* both halves convert exactly; their sum needs at most 64 bits */
	double		high = (double) (v >> 32) * 4294967296.0;
	double		low = (double) (v & INT64_C(0xffffffff));

	return ms_two_sum(high, low);
}

/* Double-double value of a 128-bit integer (exact below 2^106). */
static inline ms_dd
ms_dd_from_i128(__int128 v)
{
	ms_dd		r;
	__int128	rest;

	r.hi = (double) v;
	/* v near 2^127 rounds to 2^127, which no __int128 holds: subtract unsigned */
	if (r.hi >= 0x1p127)
		rest = (__int128) ((unsigned __int128) v - ((unsigned __int128) 1 << 127));
	else
		rest = v - (__int128) r.hi;
	r.lo = (double) rest;
	return ms_quick_two_sum(r.hi, r.lo);
}

/* ---------------------------------------------------------------------
 * The state.
 * ---------------------------------------------------------------------
 */

/* 128-bit sum of squared days. */
static inline __int128
ms_get_sxx(const MoodStats *s)
{
	return (__int128) (((unsigned __int128) (uint64_t) s->sxx_hi << 64) | s->sxx_lo);
}

/* Store the 128-bit sum of squared days. */
static inline void
ms_set_sxx(MoodStats *s, __int128 v)
{
	s->sxx_lo = (uint64_t) v;
	s->sxx_hi = (int64_t) (v >> 64);
}

/* An empty state. */
static inline void
ms_init(MoodStats *s)
{
	memset(s, 0, sizeof(MoodStats));
	s->version = MOODSTATS_VERSION;
}

/* True when every part of a double-double is finite. */
static inline bool
ms_dd_finite(ms_dd a)
{
	return isfinite(a.hi) && isfinite(a.lo);
}

/* True when the mood sums are finite (no overflow happened). */
static inline bool
ms_sums_finite(const MoodStats *s)
{
	return ms_dd_finite(s->sy) && ms_dd_finite(s->syy) &&
		ms_dd_finite(s->syp) && ms_dd_finite(s->sxy);
}

/*
 * Exact product of a day number and a mood.  A day of fewer than 27
 * significant bits (every day within 180 000 years of 2000) splits into
 * itself and zero, so Dekker's product needs only the mood's split: the
 * same sum and error as ms_two_prod(), bit for bit, with fewer operations.
 */
static inline ms_dd
ms_day_prod(int32_t x, double y)
{
	ms_dd		r;
	double		xd = (double) x;
	double		yh,
				yl;

	if (x <= -(1 << 26) || x >= (1 << 26))
		return ms_two_prod(xd, y);
	r.hi = xd * y;
	ms_split(y, &yh, &yl);
	r.lo = (xd * yh - r.hi) + xd * yl;
	return r;
}

/*
 * Below this magnitude a mood cannot make a finite state's sums overflow:
 * its square, its product with a day and the splitting of either stay under
 * 2^700, far below half an ulp of the largest double (2^970), so every sum
 * stays finite.  ms_accum() and ms_remove_sums() skip the overflow check for
 * such moods.
 */
#define MS_SMALL_MOOD 0x1p332

/*
 * Add (sign = 1) or remove (sign = -1) the day part of a row: x with mood y.
 * When same_sums is set, the sum of moods with a day was bitwise equal to
 * the sum of all moods before this row, and s->sy already holds that sum
 * plus (or minus) y: copying it gives the very bits the operation would.
 * Integer sums are checked for overflow.
 */
static inline int
ms_day_sums(MoodStats *s, int32_t x, double y, int sign, bool same_sums)
{
	__int128	sxx = ms_get_sxx(s);
	__int128	x2 = (__int128) x * x;
	ms_dd		xy = ms_day_prod(x, y);

	if (sign > 0)
	{
		if (__builtin_add_overflow(s->sx, (int64_t) x, &s->sx) ||
			__builtin_add_overflow(sxx, x2, &sxx))
			return MS_OVERFLOW;
		s->np++;
		s->syp = same_sums ? s->sy : ms_dd_add_d(s->syp, y);
		s->sxy = ms_dd_add(s->sxy, xy);
	}
	else
	{
		if (__builtin_sub_overflow(s->sx, (int64_t) x, &s->sx) ||
			__builtin_sub_overflow(sxx, x2, &sxx))
			return MS_OVERFLOW;
		s->np--;
		s->syp = same_sums ? s->sy : ms_dd_add_d(s->syp, -y);
		s->sxy = ms_dd_add(s->sxy, ms_dd_neg(xy));
	}
	ms_set_sxx(s, sxx);
	return MS_OK;
}

/*
 * Add one row: mood y and, when has_day, day number x.  Maintains min, max,
 * first_day and last_day, which (unlike the sums) cannot be un-added.
 */
static inline __attribute__((always_inline)) int
ms_accum(MoodStats *s, double y, bool has_day, int32_t x)
{
	/* while every row has a day, syp repeats sy: reuse its bits (ms_day_sums) */
	bool		same_sums = has_day && memcmp(&s->syp, &s->sy, sizeof(ms_dd)) == 0;

	if (!isfinite(y))
		return MS_NOT_FINITE;

	if (s->n == 0)
		s->min = s->max = y;
	else if (y < s->min)
		s->min = y;
	else if (y > s->max)
		s->max = y;
	s->n++;
	s->sy = ms_dd_add_d(s->sy, y);
	s->syy = ms_dd_add(s->syy, ms_two_prod(y, y));

	if (has_day)
	{
		int			rc;

		if (s->np == 0)
			s->first_day = s->last_day = x;
		else if (x < s->first_day)
			s->first_day = x;
		else if (x > s->last_day)
			s->last_day = x;
		rc = ms_day_sums(s, x, y, 1, same_sums);
		if (rc != MS_OK)
			return rc;
	}
	if (fabs(y) < MS_SMALL_MOOD)
		return MS_OK;
	return ms_sums_finite(s) ? MS_OK : MS_OVERFLOW;
}

/*
 * Remove a row added before: the sums only.  The caller keeps min, max,
 * first_day and last_day right (see moodstats.c, moving windows).
 */
static inline int
ms_remove_sums(MoodStats *s, double y, bool has_day, int32_t x)
{
	/* as in ms_accum: equal sums stay equal under the same operation */
	bool		same_sums = has_day && memcmp(&s->syp, &s->sy, sizeof(ms_dd)) == 0;

	if (!isfinite(y))
		return MS_NOT_FINITE;
	s->n--;
	s->sy = ms_dd_add_d(s->sy, -y);
	s->syy = ms_dd_add(s->syy, ms_dd_neg(ms_two_prod(y, y)));
	if (has_day)
	{
		int			rc = ms_day_sums(s, x, y, -1, same_sums);

		if (rc != MS_OK)
			return rc;
	}
	/* Once empty, forget the rounding residue so the state is exactly empty. */
	if (s->n == 0)
		ms_init(s);
	else if (s->np == 0)
	{
		s->first_day = s->last_day = 0;
		s->syp = (ms_dd) {0.0, 0.0};
		s->sxy = (ms_dd) {0.0, 0.0};
	}
	if (fabs(y) < MS_SMALL_MOOD)
		return MS_OK;
	return ms_sums_finite(s) ? MS_OK : MS_OVERFLOW;
}

/* Merge state b into state a. */
static inline int
ms_combine(MoodStats *a, const MoodStats *b)
{
	__int128	sxx;

	if (b->n == 0)
		return MS_OK;
	if (a->n == 0)
	{
		*a = *b;
		return MS_OK;
	}
	if (__builtin_add_overflow(a->n, b->n, &a->n))
		return MS_OVERFLOW;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
	a->sy = ms_dd_add(a->sy, b->sy);
	a->syy = ms_dd_add(a->syy, b->syy);
	if (b->np > 0)
	{
		if (a->np == 0)
		{
			a->first_day = b->first_day;
			a->last_day = b->last_day;
		}
		else
		{
			if (b->first_day < a->first_day)
				a->first_day = b->first_day;
			if (b->last_day > a->last_day)
				a->last_day = b->last_day;
		}
		sxx = ms_get_sxx(a);
		if (__builtin_add_overflow(a->np, b->np, &a->np) ||
			__builtin_add_overflow(a->sx, b->sx, &a->sx) ||
			__builtin_add_overflow(sxx, ms_get_sxx(b), &sxx))
			return MS_OVERFLOW;
		ms_set_sxx(a, sxx);
		a->syp = ms_dd_add(a->syp, b->syp);
		a->sxy = ms_dd_add(a->sxy, b->sxy);
	}
	return ms_sums_finite(a) ? MS_OK : MS_OVERFLOW;
}

/* Mean of the moods; requires n >= 1. */
static inline double
ms_mean(const MoodStats *s)
{
	/* the sum rounded once, then one division: within two ulps */
	return (s->sy.hi + s->sy.lo) / (double) s->n;
}

/* Sample variance of the moods; requires n >= 2. */
static inline double
ms_variance(const MoodStats *s)
{
	double		n = (double) s->n;
	ms_dd		ss;				/* sum of squared deviations */

	/* all moods equal: exactly zero, whatever the rounding of the sums */
	if (s->min == s->max)
		return 0.0;
	/*
	 * Sums far from overflow (every realistic case): n * syy - sy^2, formed
	 * in double-double without a division (about twice as fast), divided
	 * once by n * (n - 1).
	 */
	if (fabs(s->sy.hi) < 0x1p500 && s->syy.hi < 0x1p500 && n < 0x1p53)
	{
		ss = ms_dd_add(ms_dd_mul(s->syy, (ms_dd) {n, 0.0}), ms_dd_neg(ms_dd_mul(s->sy, s->sy)));
		if (ss.hi <= 0.0)
			return 0.0;
		return (ss.hi + ss.lo) / (n * (n - 1.0));
	}
	/* syy - sy * (sy / n): sy^2 itself may overflow where sy^2 / n <= syy does not */
	ss = ms_dd_add(s->syy, ms_dd_neg(ms_dd_mul(s->sy, ms_dd_div_d(s->sy, n))));
	if (ss.hi <= 0.0)
		return 0.0;
	/* the cancellation happened in double-double; one rounding suffices now */
	return (ss.hi + ss.lo) / (n - 1.0);
}

/*
 * Least-squares slope of mood over day, as regr_slope(mood, day): sets
 * *valid to false when there are no rows with days or all share one day.
 */
static inline double
ms_slope(const MoodStats *s, bool *valid)
{
	__int128	sxx_n;			/* np * sxx - sx^2, exact */
	__int128	t;
	ms_dd		sxy_n;			/* np * sxy - sx * syp */
	ms_dd		r;

	*valid = false;
	if (s->np < 1)
		return 0.0;
	if (s->first_day == s->last_day)
		return 0.0;				/* a single day: no slope */
	*valid = true;
	if (s->min == s->max)
		return 0.0;				/* all moods equal: exactly flat */
	if (__builtin_mul_overflow((__int128) s->np, ms_get_sxx(s), &sxx_n) ||
		__builtin_mul_overflow((__int128) s->sx, (__int128) s->sx, &t) ||
		__builtin_sub_overflow(sxx_n, t, &sxx_n))
	{
		/* astronomically large sums: fall back to double-double */
		ms_dd		a = ms_dd_mul(ms_dd_from_i64(s->np), ms_dd_from_i128(ms_get_sxx(s)));
		ms_dd		b = ms_dd_mul(ms_dd_from_i64(s->sx), ms_dd_from_i64(s->sx));

		r = ms_dd_add(a, ms_dd_neg(b));
		if (r.hi <= 0.0)
		{
			*valid = false;
			return 0.0;
		}
		sxy_n = ms_dd_add(ms_dd_mul(ms_dd_from_i64(s->np), s->sxy),
						  ms_dd_neg(ms_dd_mul(ms_dd_from_i64(s->sx), s->syp)));
		return (sxy_n.hi + sxy_n.lo) / (r.hi + r.lo);
	}
	if (sxx_n <= 0)
	{
		*valid = false;
		return 0.0;
	}
	sxy_n = ms_dd_add(ms_dd_mul(ms_dd_from_i64(s->np), s->sxy),
					  ms_dd_neg(ms_dd_mul(ms_dd_from_i64(s->sx), s->syp)));
	return (sxy_n.hi + sxy_n.lo) / (double) sxx_n;
}

/* Exponentially weighted moving average step: s = alpha*x + (1-alpha)*s. */
static inline double
ms_ewma_step(double s, double x, double alpha)
{
	return alpha * x + (1.0 - alpha) * s;
}

#endif							/* JOURNALING_MOODSTATS_MATH_H */
