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
 * The pairs are inserted straight into the heap of journaling.stats_changes
 * (no executor, no SPI: the write path stays cheap), which is safe because
 * the extension gives that table no index, trigger or rule; should an
 * administrator add one, or change the table's shape, the trigger falls back
 * to an INSERT through SPI.  The SQL function is SECURITY DEFINER (owned by
 * the extension owner), so the writer needs no privilege on the change log
 * on either path.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
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

/* One logged pair; also the key of the de-duplicating hash table. */
typedef struct CapturePair
{
	pg_uuid_t	user_id;
	DateADT		day;
} CapturePair;

/*
 * Open journaling.stats_changes for a direct heap insert, or return NULL when
 * the table is not the plain (user_id, day, changed_at) heap without
 * indexes, triggers or rules the extension created.
 */
static Relation
open_change_log(void)
{
	Oid			nsp = get_namespace_oid("journaling", false);
	Oid			relid = get_relname_relid("stats_changes", nsp);
	Relation	rel;
	TupleDesc	desc;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"journaling.stats_changes\" does not exist")));
	rel = table_open(relid, RowExclusiveLock);
	desc = RelationGetDescr(rel);
	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relhasindex ||
		rel->trigdesc != NULL || rel->rd_rules != NULL || desc->natts != 3 ||
		TupleDescAttr(desc, 0)->atttypid != UUIDOID ||
		TupleDescAttr(desc, 1)->atttypid != DATEOID ||
		TupleDescAttr(desc, 2)->atttypid != TIMESTAMPTZOID ||
		TupleDescAttr(desc, 0)->attisdropped || TupleDescAttr(desc, 1)->attisdropped ||
		TupleDescAttr(desc, 2)->attisdropped)
	{
		table_close(rel, RowExclusiveLock);
		return NULL;
	}
	return rel;
}

/*
 * Add the distinct (user_id, entry_date) pairs of a transition table to the
 * change log; seen de-duplicates across the old and new tables of an UPDATE
 * (NULL for a single-row table).
 */
static void
log_transition_pairs(Relation log, TupleTableSlot *out, Tuplestorestate *ts,
					 TupleDesc entry_desc, HTAB *seen, TimestampTz now)
{
	TupleTableSlot *in = MakeSingleTupleTableSlot(entry_desc, &TTSOpsMinimalTuple);
	int			user_att = SPI_fnumber(entry_desc, "user_id");
	int			day_att = SPI_fnumber(entry_desc, "entry_date");

	if (user_att <= 0 || day_att <= 0)
		elog(ERROR, "journal_entries has no user_id or entry_date column");

	tuplestore_rescan(ts);
	while (tuplestore_gettupleslot(ts, true, false, in))
	{
		bool		user_null;
		bool		day_null;
		Datum		user_id = slot_getattr(in, user_att, &user_null);
		Datum		day = slot_getattr(in, day_att, &day_null);

		CHECK_FOR_INTERRUPTS();
		if (user_null || day_null)
			continue;
		if (seen != NULL)
		{
			CapturePair key;
			bool		found;

			memcpy(&key.user_id, DatumGetUUIDP(user_id), sizeof(pg_uuid_t));
			key.day = DatumGetDateADT(day);
			(void) hash_search(seen, &key, HASH_ENTER, &found);
			if (found)
				continue;
		}
		ExecClearTuple(out);
		out->tts_values[0] = user_id;
		out->tts_values[1] = day;
		out->tts_values[2] = TimestampTzGetDatum(now);
		out->tts_isnull[0] = out->tts_isnull[1] = out->tts_isnull[2] = false;
		ExecStoreVirtualTuple(out);
		simple_table_tuple_insert(log, out);
	}
	ExecDropSingleTupleTableSlot(in);
}

/* Log the pairs of the transition tables straight into the heap. */
static bool
capture_direct(TriggerData *trigdata, Tuplestorestate *first, Tuplestorestate *second)
{
	Relation	log = open_change_log();
	TupleTableSlot *out;
	HTAB	   *seen = NULL;
	int64		rows = transition_rows(first) + transition_rows(second);
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	if (log == NULL)
		return false;

	if (rows > 1)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(CapturePair);
		ctl.entrysize = sizeof(CapturePair);
		ctl.hcxt = CurrentMemoryContext;
		seen = hash_create("journaling change capture", 64, &ctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	out = table_slot_create(log, NULL);
	if (first != NULL)
		log_transition_pairs(log, out, first, RelationGetDescr(trigdata->tg_relation), seen, now);
	if (second != NULL)
		log_transition_pairs(log, out, second, RelationGetDescr(trigdata->tg_relation), seen, now);
	ExecDropSingleTupleTableSlot(out);
	if (seen != NULL)
		hash_destroy(seen);
	table_close(log, NoLock);
	return true;
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

	if (kind != CAPTURE_TRUNCATE &&
		capture_direct(trigdata,
					   kind == CAPTURE_INSERT ? NULL : trigdata->tg_oldtable,
					   kind == CAPTURE_DELETE ? NULL : trigdata->tg_newtable))
		return PointerGetDatum(NULL);

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
