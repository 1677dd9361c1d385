/*
 * moodstats.h — server-side helpers of the journaling.moodstats type shared
 * by moodstats.c (the type and its aggregates) and mood_trend.c (the trend of
 * one user from stored daily states): the layout check of stored values and
 * the errors of the arithmetic in moodstats_math.h.
 */
#ifndef JOURNALING_MOODSTATS_H
#define JOURNALING_MOODSTATS_H

#include "moodstats_math.h"

/*
 * Raise an error with the given SQLSTATE unless a state has the layout this
 * build reads: data corruption for a stored value, invalid input for text or
 * binary input (which anyone can type, so it must not look like corruption).
 */
static inline void
moodstats_check_version(int version, int sqlerrcode)
{
	if (version != MOODSTATS_VERSION)
		ereport(ERROR,
				(errcode(sqlerrcode),
				 errmsg("moodstats value has unsupported layout version %d", version),
				 errdetail("This build of journaling reads moodstats layout version %d.",
						   MOODSTATS_VERSION)));
}

/* A stored state, checked for the layout this build reads. */
static inline MoodStats *
moodstats_checked(MoodStats *s)
{
	moodstats_check_version(s->version, ERRCODE_DATA_CORRUPTED);
	return s;
}

/* Turn a result code of moodstats_math.h into an error. */
static inline void
moodstats_check_rc(int rc)
{
	if (rc == MS_OVERFLOW)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("mood statistics out of range"),
				 errdetail("A sum of moods, squared moods or day numbers overflowed.")));
	if (rc == MS_NOT_FINITE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mood must be a finite number"),
				 errdetail("NaN and infinite moods cannot be aggregated.")));
}

#endif							/* JOURNALING_MOODSTATS_H */
