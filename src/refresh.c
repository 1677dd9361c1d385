/*
 * refresh.c — journaling.refresh_statistics(): maintain daily_stats,
 * weekly_stats and user_statistics from the change log.
 *
 * Protocol (one transaction, run as the extension owner with
 * row_security = off, so every user's rows are read):
 *
 *  1. pg_try_advisory_xact_lock(JOURNALING_REFRESH_LOCK_KEY); if another refresh holds
 *     it, return (and log) mode 'skipped' at once.  No other lock is taken
 *     beyond the ordinary ones of SELECT/INSERT/UPDATE/DELETE, so readers and
 *     writers of journal_entries and readers of the statistics never wait.
 *  2. DELETE ... RETURNING every change-log row visible to the statement's
 *     snapshot into a temporary table of distinct (user_id, day) pairs, and
 *     (0.2, once some user has a search index) append those pairs to
 *     journaling.search_changes, the search index's log (search_index.c).  A
 *     writer that commits after that snapshot leaves its rows in the log for
 *     the next refresh; a writer whose rows were consumed committed before
 *     it, so its entries are visible to every later statement of this
 *     refresh (each takes a newer snapshot).  No change can be lost.
 *  3. Recompute the touched days from journal_entries and delete the days
 *     left without entries (full: recompute every day, MERGE writing only
 *     the rows that differ); the same for their ISO weeks (weekly_stats)
 *     from daily_stats.  Then the users, from daily_stats: incremental
 *     mode recomputes the touched users (plus, when CURRENT_DATE moved since
 *     the last run, every user whose current streak may have changed); bulk
 *     mode (full, or more than REFRESH_BULK_FRACTION of the users touched)
 *     recomputes every user in one pass and writes the rows that differ.
 *     users and days count the rows recomputed, except that full counts
 *     the day rows and full/bulk the user rows that changed.
 *  4. Log the run in journaling.refresh_log and return the same row.
 *
 * The bulk user-level query is the one of the view
 * journaling.user_statistics_live with journaling.daily_stats in place of
 * journaling.daily_stats_live; the incremental one computes the same columns
 * per user.  Both fold mood states in the same explicit orders as the views
 * (entries by id within a day, days in order), so the stored rows equal the
 * live ones bit for bit.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "journaling.h"


/* Touched users above this fraction of the known users choose bulk mode. */
#define REFRESH_BULK_FRACTION 0.5

#define USERS_TEMP "pg_temp.journaling_refresh_users"
#define DAYS_TEMP "pg_temp.journaling_refresh_days"

/*
 * The user-level statistics of the rows of DAILY (an expression aliased s
 * with the columns of daily_stats), tags read from the entries passing
 * ENTRY_FILTER.  Keep in step with journaling.user_statistics_live.
 */
#define USER_STATS_SELECT(DAILY, ENTRY_FILTER) \
	"WITH d AS (" \
	"    SELECT s.user_id, s.day, s.entries, s.words, s.mood," \
	"           s.day OPERATOR(pg_catalog.-)" \
	"               (pg_catalog.row_number() OVER (PARTITION BY s.user_id ORDER BY s.day))::pg_catalog.int4 AS grp" \
	"      FROM " DAILY " s" \
	"), totals AS (" \
	"    SELECT d.user_id," \
	"           pg_catalog.sum(d.entries)::pg_catalog.int8 AS total_entries," \
	"           pg_catalog.sum(d.words)::pg_catalog.int8 AS total_words," \
	"           journaling.rollup(d.mood ORDER BY d.day) AS st," \
	"           pg_catalog.min(d.day) AS first_entry_date," \
	"           pg_catalog.max(d.day) AS last_entry_date," \
	"           pg_catalog.count(DISTINCT pg_catalog.date_trunc('month', d.day::pg_catalog.timestamp))::pg_catalog.int4 AS active_months" \
	"      FROM d" \
	"     GROUP BY d.user_id" \
	"), runs AS (" \
	"    SELECT d.user_id, pg_catalog.min(d.day) AS first_d, pg_catalog.max(d.day) AS last_d," \
	"           pg_catalog.count(*)::pg_catalog.int4 AS len" \
	"      FROM d" \
	"     GROUP BY d.user_id, d.grp" \
	"), streaks AS (" \
	"    SELECT r.user_id," \
	"           COALESCE(pg_catalog.max(r.len) FILTER (" \
	"               WHERE r.first_d OPERATOR(pg_catalog.<=) CURRENT_DATE" \
	"                 AND r.last_d OPERATOR(pg_catalog.>=) (CURRENT_DATE OPERATOR(pg_catalog.-) 1)), 0) AS current_streak," \
	"           pg_catalog.max(r.len) AS longest_streak" \
	"      FROM runs r" \
	"     GROUP BY r.user_id" \
	"), tags AS (" \
	"    SELECT c.user_id," \
	"           pg_catalog.array_agg(c.tag ORDER BY c.n DESC, c.tag COLLATE pg_catalog.\"C\") AS top_tags" \
	"      FROM (SELECT x.user_id, x.tag, x.n," \
	"                   pg_catalog.row_number() OVER (PARTITION BY x.user_id" \
	"                                                 ORDER BY x.n DESC, x.tag COLLATE pg_catalog.\"C\") AS rank" \
	"              FROM (SELECT e.user_id, t.tag, pg_catalog.count(*) AS n" \
	"                      FROM journaling.journal_entries e" \
	"                     CROSS JOIN LATERAL pg_catalog.unnest(e.tags) AS t(tag)" \
	"                     WHERE t.tag IS NOT NULL" ENTRY_FILTER \
	"                     GROUP BY e.user_id, t.tag) x) c" \
	"     WHERE c.rank OPERATOR(pg_catalog.<=) 5" \
	"     GROUP BY c.user_id" \
	")" \
	"SELECT t.user_id, t.total_entries, t.total_words," \
	"       journaling.mean(t.st), journaling.stddev(t.st), journaling.slope(t.st)," \
	"       t.first_entry_date, t.last_entry_date, t.active_months," \
	"       s.current_streak, s.longest_streak," \
	"       COALESCE(g.top_tags, '{}'::pg_catalog.text[]), pg_catalog.now()" \
	"  FROM totals t" \
	"  JOIN streaks s ON s.user_id OPERATOR(pg_catalog.=) t.user_id" \
	"  LEFT JOIN tags g ON g.user_id OPERATOR(pg_catalog.=) t.user_id"

/*
 * The same statistics for the users of USERS_TEMP, one user at a time
 * (LATERAL subqueries driven by the indexes on user_id, no sort over all the
 * touched users' rows): the incremental path.  Rows are aggregated in the
 * same orders as in USER_STATS_SELECT (mood states by day, tags by count
 * then name), so the results are the same bits.  STREAKS and TAGS give the
 * runs of days (columns current_streak, longest_streak of alias k, from the
 * user's days s of daily_stats, listed in RUNS_OF_DAYS) and the tags (column
 * top_tags of alias g).
 */
#define USER_STATS_PER_USER(RUNS_OF_DAYS, STREAKS, TAGS) \
	"SELECT u.user_id, t.total_entries, t.total_words," \
	"       journaling.mean(t.st), journaling.stddev(t.st), journaling.slope(t.st)," \
	"       t.first_entry_date, t.last_entry_date, t.active_months," \
	"       k.current_streak, k.longest_streak," \
	"       COALESCE(g.top_tags, '{}'::pg_catalog.text[]), pg_catalog.now()" \
	"  FROM " USERS_TEMP " u" \
	" CROSS JOIN LATERAL (" \
	"    SELECT pg_catalog.sum(s.entries)::pg_catalog.int8 AS total_entries," \
	"           pg_catalog.sum(s.words)::pg_catalog.int8 AS total_words," \
	"           journaling.rollup(s.mood ORDER BY s.day) AS st," \
	"           pg_catalog.min(s.day) AS first_entry_date," \
	"           pg_catalog.max(s.day) AS last_entry_date," \
	"           pg_catalog.count(DISTINCT pg_catalog.date_trunc('month', s.day::pg_catalog.timestamp))::pg_catalog.int4 AS active_months" \
	RUNS_OF_DAYS \
	"      FROM journaling.daily_stats s" \
	"     WHERE s.user_id OPERATOR(pg_catalog.=) u.user_id) t" \
	STREAKS TAGS \
	" WHERE t.total_entries IS NOT NULL"

/*
 * Since 0.2: the C aggregates of src/user_aggregates.c, the runs of days in
 * the same pass over daily_stats as the totals.
 */
#define USER_STATS_PER_USER_AGGREGATES \
	USER_STATS_PER_USER( \
	"           , journaling.streak_lengths(s.day, CURRENT_DATE) AS runs", \
	" CROSS JOIN LATERAL (SELECT t.runs[1] AS current_streak, t.runs[2] AS longest_streak) k", \
	" LEFT JOIN LATERAL (" \
	"    SELECT journaling.top_tags(e.tags, 5) AS top_tags" \
	"      FROM journaling.journal_entries e" \
	"     WHERE e.user_id OPERATOR(pg_catalog.=) u.user_id) g ON true")

/*
 * Under the 0.1 SQL (this library before ALTER EXTENSION UPDATE): the same
 * in SQL, as journaling.user_statistics_live computes it.
 */
#define USER_STATS_PER_USER_SQL \
	USER_STATS_PER_USER( \
	"", \
	" CROSS JOIN LATERAL (" \
	"    SELECT COALESCE(pg_catalog.max(r.len) FILTER (" \
	"               WHERE r.first_d OPERATOR(pg_catalog.<=) CURRENT_DATE" \
	"                 AND r.last_d OPERATOR(pg_catalog.>=) (CURRENT_DATE OPERATOR(pg_catalog.-) 1)), 0) AS current_streak," \
	"           pg_catalog.max(r.len) AS longest_streak" \
	"      FROM (SELECT pg_catalog.min(d.day) AS first_d, pg_catalog.max(d.day) AS last_d," \
	"                   pg_catalog.count(*)::pg_catalog.int4 AS len" \
	"              FROM (SELECT s.day, s.day OPERATOR(pg_catalog.-)" \
	"                           (pg_catalog.row_number() OVER (ORDER BY s.day))::pg_catalog.int4 AS grp" \
	"                      FROM journaling.daily_stats s" \
	"                     WHERE s.user_id OPERATOR(pg_catalog.=) u.user_id) d" \
	"             GROUP BY d.grp) r) k", \
	" LEFT JOIN LATERAL (" \
	"    SELECT pg_catalog.array_agg(c.tag ORDER BY c.n DESC, c.tag COLLATE pg_catalog.\"C\") AS top_tags" \
	"      FROM (SELECT t.tag, pg_catalog.count(*) AS n" \
	"              FROM journaling.journal_entries e" \
	"             CROSS JOIN LATERAL pg_catalog.unnest(e.tags) AS t(tag)" \
	"             WHERE e.user_id OPERATOR(pg_catalog.=) u.user_id AND t.tag IS NOT NULL" \
	"             GROUP BY t.tag" \
	"             ORDER BY pg_catalog.count(*) DESC, t.tag COLLATE pg_catalog.\"C\"" \
	"             LIMIT 5) c) g ON true")

#define USER_STATS_COLUMNS \
	"(user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope," \
	" first_entry_date, last_entry_date, active_months, current_streak, longest_streak," \
	" top_tags, refreshed_at) "

#define DAILY_STATS_SELECT \
	"SELECT e.user_id, e.entry_date, pg_catalog.count(*), pg_catalog.sum(e.word_count)," \
	"       journaling.mood_agg(e.mood_score::pg_catalog.float8, e.entry_date ORDER BY e.id)" \
	"  FROM journaling.journal_entries e "

/* Step 2: consume the change log; returns (change rows, distinct pairs). */
static const char *const consume_sql =
"WITH c AS (DELETE FROM journaling.stats_changes RETURNING user_id, day),"
"     p AS (INSERT INTO " DAYS_TEMP " (user_id, day)"
"           SELECT c.user_id, c.day FROM c GROUP BY c.user_id, c.day RETURNING 1) "
"SELECT (SELECT pg_catalog.count(*) FROM c), (SELECT pg_catalog.count(*) FROM p)";

/* Touched users. */
static const char *const touched_users_sql =
"INSERT INTO " USERS_TEMP " (user_id) SELECT DISTINCT p.user_id FROM " DAYS_TEMP " p";

/*
 * When CURRENT_DATE differs from the last run's, the current streak can
 * change without any write: it is non-zero exactly for users with an entry
 * yesterday or today, so recompute those and those whose stored streak is
 * non-zero.
 */
static const char *const streak_users_sql =
"WITH prev AS (SELECT l.as_of FROM journaling.refresh_log l WHERE l.as_of IS NOT NULL"
"              ORDER BY l.id DESC LIMIT 1) "
"INSERT INTO " USERS_TEMP " (user_id) "
"SELECT q.user_id FROM ("
"    SELECT s.user_id FROM journaling.user_statistics s"
"     WHERE s.current_streak OPERATOR(pg_catalog.>) 0"
"    UNION"
"    SELECT d.user_id FROM journaling.daily_stats d"
"     WHERE d.day OPERATOR(pg_catalog.>=) (CURRENT_DATE OPERATOR(pg_catalog.-) 1)"
"       AND d.day OPERATOR(pg_catalog.<=) CURRENT_DATE"
"    EXCEPT"
"    SELECT u.user_id FROM " USERS_TEMP " u) q "
"WHERE NOT EXISTS (SELECT 1 FROM prev WHERE prev.as_of OPERATOR(pg_catalog.=) CURRENT_DATE)";

/* Incremental: recompute the touched days that still have entries. */
static const char *const days_upsert_sql =
"INSERT INTO journaling.daily_stats AS ds (user_id, day, entries, words, mood) "
DAILY_STATS_SELECT
"  JOIN " DAYS_TEMP " p ON p.user_id OPERATOR(pg_catalog.=) e.user_id"
"                      AND p.day OPERATOR(pg_catalog.=) e.entry_date"
" GROUP BY e.user_id, e.entry_date "
"ON CONFLICT ON CONSTRAINT daily_stats_pkey DO UPDATE"
"   SET entries = EXCLUDED.entries, words = EXCLUDED.words, mood = EXCLUDED.mood";

/* Incremental: drop the touched days left without entries. */
static const char *const days_delete_sql =
"DELETE FROM journaling.daily_stats ds USING " DAYS_TEMP " p"
" WHERE ds.user_id OPERATOR(pg_catalog.=) p.user_id AND ds.day OPERATOR(pg_catalog.=) p.day"
"   AND NOT EXISTS (SELECT 1 FROM journaling.journal_entries e"
"                    WHERE e.user_id OPERATOR(pg_catalog.=) ds.user_id"
"                      AND e.entry_date OPERATOR(pg_catalog.=) ds.day)";

/*
 * The ISO week (its Monday) of a date expression, by date arithmetic: works
 * for every finite date (2000-01-03 is a Monday).  Keep in step with
 * journaling.weekly_stats_live.
 */
#define WEEK_OF(DAY) \
	"(" DAY " OPERATOR(pg_catalog.-) ((((" DAY " OPERATOR(pg_catalog.-) DATE '2000-01-03')" \
	" OPERATOR(pg_catalog.%) 7) OPERATOR(pg_catalog.+) 7) OPERATOR(pg_catalog.%) 7))"

/* The weeks of the touched days. */
#define TOUCHED_WEEKS \
	"(SELECT DISTINCT p.user_id, " WEEK_OF("p.day") " AS week FROM " DAYS_TEMP " p)"

/*
 * The days of daily_stats d in week w.week.  The last week of the date range
 * ends on its last day: LEAST keeps week + 6 in the range.
 */
#define DAYS_OF_WEEK \
	"d.user_id OPERATOR(pg_catalog.=) w.user_id AND d.day OPERATOR(pg_catalog.>=) w.week" \
	" AND d.day OPERATOR(pg_catalog.<=)" \
	"     (LEAST(w.week, DATE '5874897-12-25') OPERATOR(pg_catalog.+) 6)"

/* The weekly states of the rows of daily_stats d matching the filter. */
#define WEEKLY_STATS_SELECT(FROM_WHERE) \
	"SELECT d.user_id, " WEEK_OF("d.day") ", pg_catalog.sum(d.entries)::pg_catalog.int8," \
	"       journaling.rollup(d.mood ORDER BY d.day)" \
	"  FROM " FROM_WHERE " GROUP BY 1, 2"

/* Incremental: recompute the weeks of the touched days that still have days. */
static const char *const weeks_upsert_sql =
"INSERT INTO journaling.weekly_stats AS ws (user_id, week, entries, mood) "
WEEKLY_STATS_SELECT(TOUCHED_WEEKS " w JOIN journaling.daily_stats d ON " DAYS_OF_WEEK)
" ON CONFLICT ON CONSTRAINT weekly_stats_pkey DO UPDATE"
"   SET entries = EXCLUDED.entries, mood = EXCLUDED.mood";

/* Incremental: drop the weeks of the touched days left without days. */
static const char *const weeks_delete_sql =
"DELETE FROM journaling.weekly_stats ws USING " TOUCHED_WEEKS " w"
" WHERE ws.user_id OPERATOR(pg_catalog.=) w.user_id AND ws.week OPERATOR(pg_catalog.=) w.week"
"   AND NOT EXISTS (SELECT 1 FROM journaling.daily_stats d WHERE " DAYS_OF_WEEK ")";

/* Incremental: recompute the touched users that still have entries. */
#define USERS_UPSERT(SELECT) \
	"INSERT INTO journaling.user_statistics AS us " USER_STATS_COLUMNS \
	SELECT \
	" ON CONFLICT ON CONSTRAINT user_statistics_pkey DO UPDATE" \
	"   SET total_entries = EXCLUDED.total_entries, total_words = EXCLUDED.total_words," \
	"       avg_mood = EXCLUDED.avg_mood, mood_stddev = EXCLUDED.mood_stddev," \
	"       mood_slope = EXCLUDED.mood_slope, first_entry_date = EXCLUDED.first_entry_date," \
	"       last_entry_date = EXCLUDED.last_entry_date, active_months = EXCLUDED.active_months," \
	"       current_streak = EXCLUDED.current_streak, longest_streak = EXCLUDED.longest_streak," \
	"       top_tags = EXCLUDED.top_tags, refreshed_at = EXCLUDED.refreshed_at"

static const char *const users_upsert_sql = USERS_UPSERT(USER_STATS_PER_USER_AGGREGATES);
static const char *const users_upsert_0_1_sql = USERS_UPSERT(USER_STATS_PER_USER_SQL);

/* Incremental: drop the touched users left without entries. */
static const char *const users_delete_sql =
"DELETE FROM journaling.user_statistics us"
" WHERE us.user_id OPERATOR(pg_catalog.=) ANY (ARRAY("
"    SELECT u.user_id FROM " USERS_TEMP " u"
"     WHERE NOT EXISTS (SELECT 1 FROM journaling.daily_stats d"
"                        WHERE d.user_id OPERATOR(pg_catalog.=) u.user_id)))";

/*
 * Bulk: recompute everything, but write only the rows whose values changed
 * (MERGE), then delete the rows left without entries.  No TRUNCATE: readers
 * go on; and no delete-everything-then-insert, which would double the index
 * and heap work and leave every row dead.
 */
static const char *const bulk_days_sql =
"MERGE INTO journaling.daily_stats ds "
"USING (" DAILY_STATS_SELECT " GROUP BY e.user_id, e.entry_date)"
"      AS n(user_id, day, entries, words, mood) "
"   ON ds.user_id OPERATOR(pg_catalog.=) n.user_id AND ds.day OPERATOR(pg_catalog.=) n.day "
"WHEN MATCHED AND (ds.entries OPERATOR(pg_catalog.<>) n.entries"
"                  OR ds.words OPERATOR(pg_catalog.<>) n.words"
"                  OR journaling.moodstats_send(ds.mood) OPERATOR(pg_catalog.<>) journaling.moodstats_send(n.mood)) THEN"
"   UPDATE SET entries = n.entries, words = n.words, mood = n.mood "
"WHEN NOT MATCHED THEN"
"   INSERT (user_id, day, entries, words, mood) VALUES (n.user_id, n.day, n.entries, n.words, n.mood)";

static const char *const bulk_days_delete_sql =
"DELETE FROM journaling.daily_stats ds"
" WHERE NOT EXISTS (SELECT 1 FROM journaling.journal_entries e"
"                    WHERE e.user_id OPERATOR(pg_catalog.=) ds.user_id"
"                      AND e.entry_date OPERATOR(pg_catalog.=) ds.day)";

static const char *const bulk_weeks_sql =
"MERGE INTO journaling.weekly_stats ws "
"USING (" WEEKLY_STATS_SELECT("journaling.daily_stats d") ") AS n(user_id, week, entries, mood) "
"   ON ws.user_id OPERATOR(pg_catalog.=) n.user_id AND ws.week OPERATOR(pg_catalog.=) n.week "
"WHEN MATCHED AND (ws.entries OPERATOR(pg_catalog.<>) n.entries"
"                  OR journaling.moodstats_send(ws.mood) OPERATOR(pg_catalog.<>) journaling.moodstats_send(n.mood)) THEN"
"   UPDATE SET entries = n.entries, mood = n.mood "
"WHEN NOT MATCHED THEN"
"   INSERT (user_id, week, entries, mood) VALUES (n.user_id, n.week, n.entries, n.mood)";

static const char *const bulk_weeks_delete_sql =
"DELETE FROM journaling.weekly_stats w"
" WHERE NOT EXISTS (SELECT 1 FROM journaling.daily_stats d WHERE " DAYS_OF_WEEK ")";

static const char *const bulk_users_sql =
"MERGE INTO journaling.user_statistics us "
"USING (" USER_STATS_SELECT("journaling.daily_stats", "") ") AS n" USER_STATS_COLUMNS
"   ON us.user_id OPERATOR(pg_catalog.=) n.user_id "
"WHEN MATCHED AND (us.total_entries, us.total_words, us.avg_mood, us.mood_stddev, us.mood_slope,"
"                  us.first_entry_date, us.last_entry_date, us.active_months, us.current_streak,"
"                  us.longest_streak, us.top_tags) IS DISTINCT FROM"
"                 (n.total_entries, n.total_words, n.avg_mood, n.mood_stddev, n.mood_slope,"
"                  n.first_entry_date, n.last_entry_date, n.active_months, n.current_streak,"
"                  n.longest_streak, n.top_tags) THEN"
"   UPDATE SET total_entries = n.total_entries, total_words = n.total_words,"
"       avg_mood = n.avg_mood, mood_stddev = n.mood_stddev, mood_slope = n.mood_slope,"
"       first_entry_date = n.first_entry_date, last_entry_date = n.last_entry_date,"
"       active_months = n.active_months, current_streak = n.current_streak,"
"       longest_streak = n.longest_streak, top_tags = n.top_tags, refreshed_at = n.refreshed_at "
"WHEN NOT MATCHED THEN"
"   INSERT " USER_STATS_COLUMNS
"   VALUES (n.user_id, n.total_entries, n.total_words, n.avg_mood, n.mood_stddev, n.mood_slope,"
"           n.first_entry_date, n.last_entry_date, n.active_months, n.current_streak,"
"           n.longest_streak, n.top_tags, n.refreshed_at)";

static const char *const bulk_users_delete_sql =
"DELETE FROM journaling.user_statistics us"
" WHERE NOT EXISTS (SELECT 1 FROM journaling.daily_stats d"
"                    WHERE d.user_id OPERATOR(pg_catalog.=) us.user_id)";

/*
 * Whether the aggregates of src/user_aggregates.c are installed: they came
 * with version 0.2, and this library also serves a 0.1 installation until
 * ALTER EXTENSION UPDATE.
 */
static bool
user_aggregates_exist(void)
{
	Oid			argtypes[2] = {TEXTARRAYOID, INT4OID};

	return OidIsValid(LookupFuncName(list_make2(makeString("journaling"), makeString("top_tags")),
									 2, argtypes, true));
}

/*
 * Whether journaling.weekly_stats exists: it came with version 0.2, and this
 * library also serves a 0.1 installation until ALTER EXTENSION UPDATE.
 */
static bool
weekly_stats_exist(void)
{
	return OidIsValid(get_relname_relid("weekly_stats", get_namespace_oid("journaling", false)));
}

/* Does the search index's log exist (0.2)? */
static bool
search_log_exists(void)
{
	return OidIsValid(get_relname_relid("search_changes", get_namespace_oid("journaling", false)));
}

/* Run one statement and check its result code; returns rows processed. */
static uint64
run_sql(const char *sql, int expected)
{
	int			rc;

	CHECK_FOR_INTERRUPTS();
	rc = SPI_execute(sql, false, 0);
	if (rc != expected)
		elog(ERROR, "refresh statement failed (%s): %s", SPI_result_code_string(rc), sql);
	return SPI_processed;
}

/* Column col (1-based) of the first result row as int8 (NULL gives 0). */
static int64
result_int8(int col)
{
	bool		isnull;
	Datum		d;

	if (SPI_processed < 1)
		elog(ERROR, "refresh query returned no row");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);
	return isnull ? 0 : DatumGetInt64(d);
}

/*
 * Create the per-run temporary tables, or empty them on a second call in the
 * same transaction.  Tables of those names that this function did not create
 * (another owner, triggers or rules: code that would run as the extension
 * owner) are refused.
 */
static void
prepare_temp_tables(void)
{
	bool		isnull;
	Datum		d;

	run_sql("SELECT pg_catalog.bool_and(c.relowner OPERATOR(pg_catalog.=)"
			"                           (SELECT r.oid FROM pg_catalog.pg_roles r"
			"                             WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)"
			"                           AND NOT c.relhastriggers AND NOT c.relhasrules)"
			"  FROM pg_catalog.pg_class c"
			" WHERE c.oid OPERATOR(pg_catalog.=) ANY (ARRAY[pg_catalog.to_regclass('" DAYS_TEMP "'),"
			"                                               pg_catalog.to_regclass('" USERS_TEMP "')])",
			SPI_OK_SELECT);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
	{
		run_sql("CREATE TEMPORARY TABLE journaling_refresh_days"
				" (user_id pg_catalog.uuid NOT NULL, day pg_catalog.date NOT NULL) ON COMMIT DROP",
				SPI_OK_UTILITY);
		run_sql("CREATE TEMPORARY TABLE journaling_refresh_users"
				" (user_id pg_catalog.uuid NOT NULL) ON COMMIT DROP",
				SPI_OK_UTILITY);
	}
	else if (DatumGetBool(d))
		run_sql("TRUNCATE " DAYS_TEMP ", " USERS_TEMP, SPI_OK_UTILITY);
	else
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("temporary tables journaling_refresh_days or journaling_refresh_users were not created by journaling.refresh_statistics()"),
				 errhint("Drop them, then call journaling.refresh_statistics() again.")));
}

/* The refresh_log row of a run; $6 says whether as_of is CURRENT_DATE. */
static const char *const log_sql =
"INSERT INTO journaling.refresh_log"
" (started_at, finished_at, mode, users, days, changes, duration, as_of)"
" SELECT $1, f.t, $2, $3, $4, $5, f.t OPERATOR(pg_catalog.-) $1,"
"        CASE WHEN $6 THEN CURRENT_DATE END"
"   FROM (SELECT pg_catalog.clock_timestamp() AS t) f"
" RETURNING duration";

/* Insert the run into refresh_log and return its duration. */
static Datum
log_run(TimestampTz started, const char *mode, int64 users, int64 days, int64 changes,
		bool with_date)
{
	Oid			argtypes[6] = {TIMESTAMPTZOID, TEXTOID, INT8OID, INT8OID, INT8OID, BOOLOID};
	Datum		values[6];
	bool		isnull;
	Datum		duration;
	int			rc;

	values[0] = TimestampTzGetDatum(started);
	values[1] = CStringGetTextDatum(mode);
	values[2] = Int64GetDatum(users);
	values[3] = Int64GetDatum(days);
	values[4] = Int64GetDatum(changes);
	values[5] = BoolGetDatum(with_date);

	rc = SPI_execute_with_args(log_sql, 6, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not log the refresh: %s", SPI_result_code_string(rc));
	duration = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return SPI_datumTransfer(duration, false, sizeof(Interval));
}

/*
 * journaling.refresh_statistics(full): bring daily_stats and user_statistics
 * up to date; returns one row (mode, users, days, changes, duration).
 */
PG_FUNCTION_INFO_V1(journaling_refresh_statistics);
Datum
journaling_refresh_statistics(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		full = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
	TimestampTz started = GetCurrentTimestamp();
	const char *mode;
	int64		users = 0;
	int64		days = 0;
	int64		changes = 0;
	bool		locked;
	Datum		duration;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	InitMaterializedSRF(fcinfo, 0);

	locked = DatumGetBool(DirectFunctionCall1(pg_try_advisory_xact_lock_int8,
											  Int64GetDatum(JOURNALING_REFRESH_LOCK_KEY)));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (!locked)
	{
		mode = "skipped";
		duration = log_run(started, mode, 0, 0, 0, false);
	}
	else
	{
		int64		touched_users;
		int64		known_users = 0;
		bool		bulk_users;

		prepare_temp_tables();

		run_sql(consume_sql, SPI_OK_SELECT);
		changes = result_int8(1);
		days = result_int8(2);
		/*
		 * Hand the consumed pairs on to the search index's log (0.2; not
		 * needed while no user has an index: a first build holds this
		 * refresh's lock and reads every entry, see search_index.c).
		 */
		if (days > 0 && search_log_exists())
			run_sql("INSERT INTO journaling.search_changes (user_id, day) "
					"SELECT p.user_id, p.day FROM " DAYS_TEMP " p "
					"WHERE EXISTS (SELECT FROM journaling.search_index)", SPI_OK_INSERT);
		touched_users = (int64) run_sql(touched_users_sql, SPI_OK_INSERT);
		/*
		 * Bulk when the touched users are more than REFRESH_BULK_FRACTION of
		 * the known ones: counting the known users up to touched / fraction
		 * decides it exactly without reading all of them.
		 */
		if (touched_users > 0)
		{
			char		sql[200];

			snprintf(sql, sizeof(sql),
					 "SELECT pg_catalog.count(*) FROM (SELECT FROM journaling.user_statistics"
					 " LIMIT " INT64_FORMAT ") s",
					 (int64) ceil((double) touched_users / REFRESH_BULK_FRACTION));
			run_sql(sql, SPI_OK_SELECT);
			known_users = result_int8(1);
		}
		bulk_users = full || (touched_users > 0 &&
							  (double) touched_users > REFRESH_BULK_FRACTION * (double) known_users);
		mode = full ? "full" : (bulk_users ? "bulk" : "incremental");

		/* Days: the touched ones, or with full every one. */
		if (full)
		{
			days = (int64) run_sql(bulk_days_sql, SPI_OK_MERGE);
			days += (int64) run_sql(bulk_days_delete_sql, SPI_OK_DELETE);
			if (weekly_stats_exist())
			{
				run_sql(bulk_weeks_sql, SPI_OK_MERGE);
				run_sql(bulk_weeks_delete_sql, SPI_OK_DELETE);
			}
		}
		else if (days > 0)
		{
			uint64		days_deleted;

			run_sql("ANALYZE " DAYS_TEMP, SPI_OK_UTILITY);
			run_sql(days_upsert_sql, SPI_OK_INSERT);
			days_deleted = run_sql(days_delete_sql, SPI_OK_DELETE);
			if (weekly_stats_exist())
			{
				run_sql(weeks_upsert_sql, SPI_OK_INSERT);
				/* a week loses its last day only with a deleted day */
				if (days_deleted > 0)
					run_sql(weeks_delete_sql, SPI_OK_DELETE);
			}
		}

		/* Users: every one in one pass when most changed, else the touched. */
		if (bulk_users)
		{
			users = (int64) run_sql(bulk_users_sql, SPI_OK_MERGE);
			users += (int64) run_sql(bulk_users_delete_sql, SPI_OK_DELETE);
		}
		else
		{
			run_sql(streak_users_sql, SPI_OK_INSERT);
			run_sql("SELECT pg_catalog.count(*) FROM " USERS_TEMP, SPI_OK_SELECT);
			users = result_int8(1);
			if (users > 0)
			{
				run_sql("ANALYZE " USERS_TEMP, SPI_OK_UTILITY);
				run_sql(user_aggregates_exist() ? users_upsert_sql : users_upsert_0_1_sql,
						SPI_OK_INSERT);
				run_sql(users_delete_sql, SPI_OK_DELETE);
			}
		}
		duration = log_run(started, mode, users, days, changes, true);
	}

	values[0] = CStringGetTextDatum(mode);
	values[1] = Int64GetDatum(users);
	values[2] = Int64GetDatum(days);
	values[3] = Int64GetDatum(changes);
	values[4] = duration;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);

	SPI_finish();
	return (Datum) 0;
}
