/*
 * fuzz_moodstats_math.c — libFuzzer harness for src/moodstats_math.h.
 *
 * Two modes, chosen by the first byte:
 *   - operations: rows are added (with or without a day), removed again
 *     (most recent first, as a moving window does) and states combined, with
 *     moods and days drawn from the input; the exact integer parts (n, np,
 *     sx, sxx) must equal sums kept here, an overflow must be reported
 *     exactly when such a sum leaves its type, the state must be exactly
 *     empty after every row is removed, and mean, variance (>= 0) and slope
 *     must be finite; the shortcuts of the transitions must give the bits
 *     of the general arithmetic (check_shortcuts);
 *   - raw states: bytes taken as a state with the invariants moodstats.c
 *     checks on input (counts, finite parts, extremes, day range), then every
 *     accessor and a combination with itself: whatever the values, nothing
 *     may overflow a type or convert out of range (UBSan).
 * Built with -ffp-contract=off like the extension.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moodstats_math.h"

#define MAX_ROWS 256

/*
 * Moods: ordinary, huge (squares near the top of the range), tiny, boundary,
 * and either side of MS_SMALL_MOOD (below it no overflow check runs).
 */
static const double special_moods[20] = {
	0.0, -1.0, 1.0, 0.5, 1e300, -1e300, 5e-324, 1.7976931348623157e308,
	7e153, 6e153, -7e153, 1.3407807929942596e154, 1e-160, -2.2250738585072014e-308, 1e150, 3.0,
	0x1.fffffffffffffp331, -0x1.fffffffffffffp331, 0x1p332, -0x1p332
};

/*
 * Days: near 2000-01-01 mostly, the ends of the date range, and either side
 * of 2^26 (from there ms_day_prod() splits the day).
 */
static const int32_t special_days[8] = {0, -2451545, 2147483494, -1,
	67108863, 67108864, -67108863, -67108864};

typedef struct Row
{
	double		y;
	bool		has_day;
	int32_t		x;
} Row;

/* Reference sums of the rows currently in a state. */
typedef struct Ref
{
	__int128	n,
				np,
				sx,
				sxx;
} Ref;

static void
fail(const char *what)
{
	fprintf(stderr, "moodstats math: %s\n", what);
	abort();
}

/*
 * Call every accessor the state allows.  For a state built from rows (not
 * for arbitrary input) their results must be finite.
 */
static void
accessors(const MoodStats *s, bool from_rows)
{
	bool		valid;
	double		slope = ms_slope(s, &valid);
	double		mean = s->n >= 1 ? ms_mean(s) : 0.0;
	double		variance = s->n >= 2 ? ms_variance(s) : 0.0;

	if (from_rows && !isfinite(mean))
		fail("mean is not finite");
	if (from_rows && !(isfinite(variance) && variance >= 0))
	{
		fprintf(stderr, "n %lld sy %.17g%+.17g syy %.17g%+.17g min %.17g max %.17g: variance %.17g\n",
				(long long) s->n, s->sy.hi, s->sy.lo, s->syy.hi, s->syy.lo, s->min, s->max, variance);
		fail("variance is not finite and non-negative");
	}
	if (from_rows && valid && !isfinite(slope))
		fail("slope is not finite");
}

/*
 * The shortcuts of ms_accum() and ms_remove_sums() give the bits of the
 * general arithmetic: the day product equals Dekker's, the sum of moods with
 * a day equals adding y (sign = 1) or -y to the sum before (syp_before),
 * whether or not it was copied from sy, and below MS_SMALL_MOOD no sum left
 * the range of doubles.
 */
static void
check_shortcuts(const MoodStats *s, const Row *r, int sign, ms_dd syp_before)
{
	if (r->has_day)
	{
		ms_dd		fast = ms_day_prod(r->x, r->y);
		ms_dd		dekker = ms_two_prod((double) r->x, r->y);
		ms_dd		syp = ms_dd_add_d(syp_before, sign * r->y);

		if (memcmp(&fast, &dekker, sizeof(ms_dd)) != 0)
			fail("day product differs from Dekker's");
		if (s->np > 0 && memcmp(&s->syp, &syp, sizeof(ms_dd)) != 0)
			fail("sum of moods with a day differs from adding the mood");
	}
	if (fabs(r->y) < MS_SMALL_MOOD && !ms_sums_finite(s))
		fail("a small mood made a sum overflow unchecked");
}

/* Do the state's exact parts equal the reference? */
static void
check_exact(const MoodStats *s, const Ref *r)
{
	if (s->n != r->n || s->np != r->np || s->sx != r->sx || ms_get_sxx(s) != r->sxx)
		fail("exact sums differ from the reference");
}

/* Read a mood from 2 bytes: a special value or a multiple of 1/64 below 256. */
static double
mood_of(const uint8_t *p)
{
	if (p[0] & 0x80)
		return special_moods[p[1] % 20];
	return ((int) (p[0] & 0x7f) * 256 + p[1] - 16384) / 64.0;
}

/* Read a day from 2 bytes: a special value or a day near 2000. */
static int32_t
day_of(const uint8_t *p)
{
	if (p[0] == 0xff)
		return special_days[p[1] & 7];
	return (int32_t) (int16_t) ((p[0] << 8) | p[1]);
}

/* Operations mode: 5 bytes per operation. */
static void
run_operations(const uint8_t *data, size_t size)
{
	MoodStats	s,
				other;
	Ref			ref = {0},
				oref = {0};
	Row			rows[MAX_ROWS];
	int			nrows = 0;
	size_t		i;

	ms_init(&s);
	ms_init(&other);
	for (i = 0; i + 5 <= size; i += 5)
	{
		const uint8_t *op = data + i;
		int			rc = MS_OK;
		Ref			next = ref;
		ms_dd		syp_before;

		switch (op[0] % 8)
		{
			case 0:
			case 1:
			case 2:
			case 3:
			case 4:
				{
					Row			r = {mood_of(op + 1), op[0] % 8 < 3, day_of(op + 3)};

					if (nrows == MAX_ROWS)
						continue;
					next.n++;
					if (r.has_day)
					{
						next.np++;
						next.sx += r.x;
						next.sxx += (__int128) r.x * r.x;
					}
					syp_before = s.syp;
					rc = ms_accum(&s, r.y, r.has_day, r.x);
					if (rc == MS_OK)
						check_shortcuts(&s, &r, 1, syp_before);
					rows[nrows++] = r;
					break;
				}
			case 5:
			case 6:
				{
					Row			r;

					if (nrows == 0)
						continue;
					r = rows[--nrows];
					next.n--;
					if (r.has_day)
					{
						next.np--;
						next.sx -= r.x;
						next.sxx -= (__int128) r.x * r.x;
					}
					syp_before = s.syp;
					rc = ms_remove_sums(&s, r.y, r.has_day, r.x);
					if (rc == MS_OK)
						check_shortcuts(&s, &r, -1, syp_before);
					break;
				}
			default:
				/* fold this state into the other one and continue with an empty one */
				next.n += oref.n;
				next.np += oref.np;
				next.sx += oref.sx;
				next.sxx += oref.sxx;
				rc = ms_combine(&other, &s);
				if (rc != MS_OK)
					return;		/* the server raises an error and drops the state */
				if (next.n > INT64_MAX || next.sx > INT64_MAX || next.sx < INT64_MIN)
					fail("combined sum overflow not reported");
				oref = next;
				ref = (Ref) {0};
				ms_init(&s);
				nrows = 0;
				check_exact(&other, &oref);
				accessors(&other, true);
				continue;
		}
		if (rc == MS_NOT_FINITE)
			fail("a finite mood was refused");
		if (next.sx > INT64_MAX || next.sx < INT64_MIN)
		{
			if (rc != MS_OVERFLOW)
				fail("day sum overflow not reported");
			return;
		}
		if (rc == MS_OVERFLOW)
			return;				/* the mood sums overflowed (huge moods) */
		ref = next;
		check_exact(&s, &ref);
		if (s.n == 0)
		{
			MoodStats	empty;

			ms_init(&empty);
			if (memcmp(&s, &empty, sizeof(s)) != 0)
				fail("state not exactly empty after every row was removed");
		}
		accessors(&s, true);
	}
}

/* Raw-state mode: the invariants moodstats.c checks on input, then everything. */
static void
run_raw(const uint8_t *data, size_t size)
{
	MoodStats	s,
				t;
	const ms_dd *dd[4] = {&s.sy, &s.syy, &s.syp, &s.sxy};
	int			i;

	if (size < sizeof(MoodStats))
		return;
	memcpy(&s, data, sizeof(MoodStats));
	s.version = MOODSTATS_VERSION;
	memset(s.reserved, 0, sizeof(s.reserved));
	s.reserved2 = 0;
	if (s.n < 0 || s.np < 0 || s.np > s.n)
		return;
	for (i = 0; i < 4; i++)
		if (!ms_dd_finite(*dd[i]) || dd[i]->hi + dd[i]->lo != dd[i]->hi)
			return;
	if (!isfinite(s.min) || !isfinite(s.max) || ms_get_sxx(&s) < 0 || s.syy.hi < 0)
		return;
	if (s.n == 0 && (s.min != 0 || s.max != 0 || s.sy.hi != 0 || s.syy.hi != 0))
		return;
	if (s.n > 0 && s.min > s.max)
		return;
	if (s.np == 0 && (s.first_day != 0 || s.last_day != 0 || s.sx != 0 ||
					  ms_get_sxx(&s) != 0 || s.syp.hi != 0 || s.sxy.hi != 0))
		return;
	if (s.np > 0 && (s.first_day > s.last_day || s.first_day == INT32_MIN || s.last_day == INT32_MAX))
		return;
	accessors(&s, false);
	t = s;
	if (ms_combine(&t, &s) == MS_OK)
		accessors(&t, false);
	t = s;
	if (ms_accum(&t, 0.5, true, 0) == MS_OK)
		accessors(&t, false);
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		run_raw(data + 1, size - 1);
	else
		run_operations(data + 1, size - 1);
	return 0;
}
