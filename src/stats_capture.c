/*
 * stats_capture.c — change capture for the materialized statistics.
 *
 * Statement-level AFTER triggers on journal_entries hand their transition
 * tables to journaling_stats_capture_trigger(), which appends the distinct
 * (user_id, entry_date) pairs of the old and new rows to
 * journaling.stats_changes.  Nothing is aggregated on the write path: the
 * refresh (refresh.c) consumes the log.  An UPDATE that moves an entry to
 * another day or user logs both the old and the new pair; TRUNCATE logs every
 * pair that has materialized statistics.
 *
 * The SQL function is SECURITY DEFINER (owned by the extension owner), so the
 * writer needs no privilege on the change log.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/tuplestore.h"

#include "journaling.h"

/* Transition table names fixed by the CREATE TRIGGER statements. */
#define CAPTURE_OLD_TABLE "journaling_old_entries"
#define CAPTURE_NEW_TABLE "journaling_new_entries"

typedef enum CaptureKind
{
	CAPTURE_INSERT,
	CAPTURE_UPDATE,
	CAPTURE_DELETE,
	CAPTURE_TRUNCATE,
	CAPTURE_KINDS
} CaptureKind;

static const char *const capture_sql[CAPTURE_KINDS] = {
	"INSERT INTO journaling.stats_changes (user_id, day) "
	"SELECT DISTINCT n.user_id, n.entry_date FROM " CAPTURE_NEW_TABLE " n",

	"INSERT INTO journaling.stats_changes (user_id, day) "
	"SELECT o.user_id, o.entry_date FROM " CAPTURE_OLD_TABLE " o "
	"UNION "
	"SELECT n.user_id, n.entry_date FROM " CAPTURE_NEW_TABLE " n",

	"INSERT INTO journaling.stats_changes (user_id, day) "
	"SELECT DISTINCT o.user_id, o.entry_date FROM " CAPTURE_OLD_TABLE " o",

	"INSERT INTO journaling.stats_changes (user_id, day) "
	"SELECT s.user_id, s.day FROM journaling.daily_stats s",
};

/* Saved plans, one per kind, prepared on first use in this backend. */
static SPIPlanPtr capture_plans[CAPTURE_KINDS];

/* Number of rows in a transition table (0 when there is none). */
static inline int64
transition_rows(Tuplestorestate *ts)
{
	return ts ? tuplestore_tuple_count(ts) : 0;
}

/* Raise unless the trigger declares the transition table it needs. */
static void
check_transition_name(const char *declared, const char *wanted)
{
	if (declared == NULL || strcmp(declared, wanted) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("journaling.stats_capture_trigger() needs a transition table named %s", wanted),
				 errhint("Create the trigger with REFERENCING ... TABLE AS %s.", wanted)));
}

/* Trigger: log the (user_id, day) pairs the statement touched. */
PG_FUNCTION_INFO_V1(journaling_stats_capture_trigger);
Datum
journaling_stats_capture_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	CaptureKind kind;
	int			rc;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("journaling.stats_capture_trigger() must be called as a trigger")));
	event = trigdata->tg_event;
	if (!TRIGGER_FIRED_AFTER(event) || !TRIGGER_FIRED_FOR_STATEMENT(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("journaling.stats_capture_trigger() must be fired AFTER ... FOR EACH STATEMENT")));

	if (TRIGGER_FIRED_BY_INSERT(event))
	{
		kind = CAPTURE_INSERT;
		check_transition_name(trigdata->tg_trigger->tgnewtable, CAPTURE_NEW_TABLE);
		if (transition_rows(trigdata->tg_newtable) == 0)
			return PointerGetDatum(NULL);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(event))
	{
		kind = CAPTURE_UPDATE;
		check_transition_name(trigdata->tg_trigger->tgoldtable, CAPTURE_OLD_TABLE);
		check_transition_name(trigdata->tg_trigger->tgnewtable, CAPTURE_NEW_TABLE);
		if (transition_rows(trigdata->tg_oldtable) == 0)
			return PointerGetDatum(NULL);
	}
	else if (TRIGGER_FIRED_BY_DELETE(event))
	{
		kind = CAPTURE_DELETE;
		check_transition_name(trigdata->tg_trigger->tgoldtable, CAPTURE_OLD_TABLE);
		if (transition_rows(trigdata->tg_oldtable) == 0)
			return PointerGetDatum(NULL);
	}
	else
		kind = CAPTURE_TRUNCATE;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (kind != CAPTURE_TRUNCATE && SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");

	if (capture_plans[kind] == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(capture_sql[kind], 0, NULL);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		capture_plans[kind] = plan;
	}

	rc = SPI_execute_plan(capture_plans[kind], NULL, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "capturing statistics changes failed: %s", SPI_result_code_string(rc));

	SPI_finish();
	return PointerGetDatum(NULL);
}
