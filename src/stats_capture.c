/*
 * stats_capture.c — change capture for the materialized statistics (and,
 * through them, the search index).
 *
 * Writes to journal_entries log the (user_id, entry_date) pairs they touch in
 * journaling.stats_changes; nothing is aggregated on the write path, the
 * refresh (refresh.c) consumes the log and hands the pairs on to
 * journaling.search_changes for the search index (search_index.c).  An
 * UPDATE that moves an entry to another day or user logs both the old and
 * the new pair; TRUNCATE logs every pair that has materialized statistics
 * and drops the search index of every user.
 *
 * INSERT and UPDATE (since 0.2).  The WHEN conditions of two AFTER ... FOR
 * EACH ROW triggers call journaling.stats_capture_note() with the old and new
 * (user_id, entry_date) of each row as stored, after every BEFORE trigger.
 * It notes them in backend memory and returns false, so PostgreSQL queues no
 * trigger event and copies no row (transition tables copied every written
 * row, even for disabled triggers).  An AFTER ... FOR EACH STATEMENT trigger,
 * journaling.stats_flush_trigger(), then writes the distinct noted pairs.
 *
 * The noted pairs form a stack with one level per (sub)transaction that
 * noted some.  A row is noted in the subtransaction that wrote it and a flush
 * writes the level of the subtransaction it runs in, so a pair is always
 * logged in the subtransaction that wrote its row and shares its fate:
 * ROLLBACK TO SAVEPOINT or a failed statement discards both.  A statement
 * nested in another (a trigger that writes entries) flushes the pairs noted
 * so far at its level, its caller's included: they are in the same
 * subtransaction.  Pairs noted in an aborted subtransaction are dropped,
 * those of a committed one pass to its parent, and the stack vanishes at
 * transaction end, so a statement never writes pairs of another transaction.
 * A level that outgrows work_mem is written at once (sorted and
 * de-duplicated first), within the same subtransaction.
 *
 * DELETE, TRUNCATE, and INSERT and UPDATE under the 0.1 install script (until
 * ALTER EXTENSION UPDATE), use journaling.stats_capture_trigger(): AFTER ...
 * FOR EACH STATEMENT triggers whose transition tables hold the old and new
 * rows.
 *
 * Pairs are appended straight to the heap of journaling.stats_changes
 * (table_multi_insert: no executor, no SPI), which is safe because the
 * extension gives that table no index, trigger or rule; should an
 * administrator add one, or change the table's shape, they are inserted
 * through SPI instead, as the table's owner (as foreign-key triggers do).
 * Either way the writer needs no privilege on the change log.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "journaling.h"

/* Transition table names fixed by the CREATE TRIGGER statements. */
#define CAPTURE_OLD_TABLE "journaling_old_entries"
#define CAPTURE_NEW_TABLE "journaling_new_entries"

/* Rows handed to one table_multi_insert() call (a page holds about 140). */
#define CAPTURE_INSERT_BATCH 128

/* One logged pair. */
typedef struct CapturePair
{
	pg_uuid_t	user_id;
	DateADT		day;
} CapturePair;

/* Pairs not yet written; sorted and de-duplicated when it fills up. */
typedef struct PairBuffer
{
	CapturePair *pairs;
	int			n;
	int			size;
	MemoryContext cxt;
} PairBuffer;

/* One level of the stack of noted pairs: those of one (sub)transaction. */
typedef struct PendingLevel
{
	SubTransactionId subid;
	PairBuffer	buf;
	struct PendingLevel *outer;
} PendingLevel;

/* Innermost level, or NULL; every level lives in TopTransactionContext. */
static PendingLevel *pending = NULL;

/* Saved SPI plans, prepared on first use in this backend. */
static SPIPlanPtr insert_pairs_plan = NULL;
static SPIPlanPtr truncate_plan = NULL;
static SPIPlanPtr drop_index_plan = NULL;

/* Order pairs by user, then day (for de-duplication). */
static inline int
pair_cmp(const CapturePair *x, const CapturePair *y)
{
	int			c = memcmp(&x->user_id, &y->user_id, sizeof(pg_uuid_t));

	if (c != 0)
		return c;
	return (x->day > y->day) - (x->day < y->day);
}

/* sort_pairs(): a sort specialized for pairs (lib/sort_template.h). */
#define ST_SORT sort_pairs
#define ST_ELEMENT_TYPE CapturePair
#define ST_COMPARE(a, b) pair_cmp(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* Most pairs a buffer holds before it is compacted or written: work_mem. */
static int
buffer_limit(void)
{
	Size		bytes = (Size) work_mem * 1024;

	return (int) (Min(bytes, MaxAllocSize) / sizeof(CapturePair));
}

/* Sort the buffer and drop repeated pairs. */
static void
buffer_compact(PairBuffer *b)
{
	int			i;
	int			kept = 0;

	if (b->n < 2)
		return;
	sort_pairs(b->pairs, b->n);
	for (i = 0; i < b->n; i++)
		if (kept == 0 || pair_cmp(&b->pairs[kept - 1], &b->pairs[i]) != 0)
			b->pairs[kept++] = b->pairs[i];
	b->n = kept;
}

/* Make the buffer hold at least size pairs. */
static void
buffer_grow(PairBuffer *b, int size)
{
	if (size <= b->size)
		return;
	if (b->pairs == NULL)
		b->pairs = MemoryContextAlloc(b->cxt, size * sizeof(CapturePair));
	else
		b->pairs = repalloc(b->pairs, size * sizeof(CapturePair));
	b->size = size;
}

/*
 * Open journaling.stats_changes; *direct tells whether it is the plain
 * (user_id, day, changed_at) heap without indexes, triggers or rules the
 * extension created, which may be appended to directly.
 */
static Relation
open_change_log(bool *direct)
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
	*direct = rel->rd_rel->relkind == RELKIND_RELATION && !rel->rd_rel->relhasindex &&
		rel->trigdesc == NULL && rel->rd_rules == NULL && desc->natts == 3 &&
		TupleDescAttr(desc, 0)->atttypid == UUIDOID &&
		TupleDescAttr(desc, 1)->atttypid == DATEOID &&
		TupleDescAttr(desc, 2)->atttypid == TIMESTAMPTZOID &&
		!TupleDescAttr(desc, 0)->attisdropped && !TupleDescAttr(desc, 1)->attisdropped &&
		!TupleDescAttr(desc, 2)->attisdropped;
	return rel;
}

/* Append pairs to the heap of the change log, a page of rows per WAL record. */
static void
write_direct(Relation log, const CapturePair *pairs, int n)
{
	int			nslots = Min(n, CAPTURE_INSERT_BATCH);
	TupleTableSlot **slots = palloc(nslots * sizeof(TupleTableSlot *));
	CommandId	cid = GetCurrentCommandId(true);
	Datum		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	int			done;
	int			i;

	for (i = 0; i < nslots; i++)
		slots[i] = table_slot_create(log, NULL);
	for (done = 0; done < n; done += nslots)
	{
		int			batch = Min(nslots, n - done);

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < batch; i++)
		{
			TupleTableSlot *slot = slots[i];

			ExecClearTuple(slot);
			slot->tts_values[0] = UUIDPGetDatum(&pairs[done + i].user_id);
			slot->tts_values[1] = DateADTGetDatum(pairs[done + i].day);
			slot->tts_values[2] = now;
			slot->tts_isnull[0] = slot->tts_isnull[1] = slot->tts_isnull[2] = false;
			ExecStoreVirtualTuple(slot);
		}
		table_multi_insert(log, slots, batch, cid, 0, NULL);
	}
	table_finish_bulk_insert(log, 0);
	/* newest first: each slot's descriptor pin is then the resource owner's last */
	for (i = nslots - 1; i >= 0; i--)
		ExecDropSingleTupleTableSlot(slots[i]);
	pfree(slots);
}

/* Run an INSERT or DELETE through SPI, its plan prepared on first use and kept. */
static void
spi_write(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types, Datum *args)
{
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	JournalingKeepPlan(plan, sql, nargs, types, 0);
	rc = SPI_execute_plan(*plan, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT && rc != SPI_OK_DELETE)
		elog(ERROR, "capturing statistics changes failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * Insert pairs through SPI as the change log's owner, with forced row-level
 * security lifted for it (as the foreign-key triggers run their queries).
 */
static void
write_spi(Oid owner, const CapturePair *pairs, int n)
{
	Datum	   *users = palloc(n * sizeof(Datum));
	Datum	   *days = palloc(n * sizeof(Datum));
	Datum		args[2];
	Oid			types[2] = {UUIDARRAYOID, DATEARRAYOID};
	Oid			save_userid;
	int			save_sec_context;
	int			i;

	for (i = 0; i < n; i++)
	{
		users[i] = UUIDPGetDatum(&pairs[i].user_id);
		days[i] = DateADTGetDatum(pairs[i].day);
	}
	args[0] = PointerGetDatum(construct_array(users, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
	args[1] = PointerGetDatum(construct_array(days, n, DATEOID, sizeof(DateADT), true, TYPALIGN_INT));

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	/* an error restores them with the (sub)transaction */
	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	spi_write(&insert_pairs_plan,
			  "INSERT INTO journaling.stats_changes (user_id, day) "
			  "SELECT p.u, p.d FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS p(u, d)",
			  2, types, args);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * Write the buffer's distinct pairs to the change log and empty it.  The
 * pairs are taken out of the buffer first: through SPI, an administrator's
 * trigger on the log could write entries and so note pairs meanwhile.
 */
static void
buffer_write(PairBuffer *b)
{
	PairBuffer	out;
	Relation	log;
	bool		direct;

	buffer_compact(b);
	if (b->n == 0)
		return;
	out = *b;
	b->pairs = NULL;
	b->n = b->size = 0;
	log = open_change_log(&direct);
	if (direct)
		write_direct(log, out.pairs, out.n);
	else
		write_spi(log->rd_rel->relowner, out.pairs, out.n);
	table_close(log, NoLock);
	if (b->pairs == NULL)
	{
		/* keep the allocation for the next pairs */
		b->pairs = out.pairs;
		b->size = out.size;
	}
	else
		pfree(out.pairs);
}

/*
 * Add a pair.  A full buffer doubles up to the work_mem limit; there it is
 * compacted and, if still more than half full, written out.
 */
static void
buffer_add(PairBuffer *b, const pg_uuid_t *user_id, DateADT day)
{
	CapturePair *last = b->n > 0 ? &b->pairs[b->n - 1] : NULL;

	/* Rows of a statement often come in runs of one pair. */
	if (last != NULL && last->day == day &&
		memcmp(&last->user_id, user_id, sizeof(pg_uuid_t)) == 0)
		return;
	if (b->n == b->size)
	{
		int			limit = buffer_limit();

		if (b->size >= limit)
		{
			buffer_compact(b);
			if (b->n > b->size / 2)
				buffer_write(b);
		}
		if (b->n == b->size)
			buffer_grow(b, b->size < limit ? Min(Max(b->size * 2, 16), limit) : b->size * 2);
	}
	b->pairs[b->n].user_id = *user_id;
	b->pairs[b->n].day = day;
	b->n++;
}

/* Remove the innermost level of the stack. */
static void
pop_level(void)
{
	PendingLevel *level = pending;

	pending = level->outer;
	if (level->buf.pairs != NULL)
		pfree(level->buf.pairs);
	pfree(level);
}

/* Note a pair in the level of the current subtransaction. */
static void
note_pair(const pg_uuid_t *user_id, DateADT day)
{
	SubTransactionId subid = GetCurrentSubTransactionId();

	if (pending == NULL || pending->subid != subid)
	{
		PendingLevel *level = MemoryContextAllocZero(TopTransactionContext,
													 sizeof(PendingLevel));

		level->subid = subid;
		level->buf.cxt = TopTransactionContext;
		level->outer = pending;
		pending = level;
	}
	buffer_add(&pending->buf, user_id, day);
}

/*
 * At the end of a subtransaction: drop the pairs of an aborted one (its rows
 * are gone), hand those of a committed one to its parent.  Only a statement
 * without flush trigger (or a direct call of the WHEN function) leaves pairs
 * in a subtransaction that ends; a flush empties its levels.
 */
static void
capture_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	PendingLevel *level;

	if (pending == NULL)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		/* subtransaction ids grow with nesting: >= is this one and below */
		while (pending != NULL && pending->subid >= mySubid)
			pop_level();
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		/*
		 * The levels become the parent's.  Neither write nor allocate here:
		 * drop the empty ones and fold each into the one below when it is
		 * the parent's too and has room; a flush writes every level of its
		 * subtransaction.
		 */
		for (level = pending; level != NULL && level->subid == mySubid; level = level->outer)
			level->subid = parentSubid;
		while (pending != NULL && pending->subid == parentSubid)
		{
			PairBuffer *b = &pending->buf;
			PendingLevel *outer = pending->outer;

			if (b->n > 0)
			{
				if (outer == NULL || outer->subid != parentSubid ||
					outer->buf.n + b->n > outer->buf.size)
					break;
				memcpy(outer->buf.pairs + outer->buf.n, b->pairs, b->n * sizeof(CapturePair));
				outer->buf.n += b->n;
			}
			pop_level();
		}
	}
}

/* At transaction end: forget the stack (TopTransactionContext frees it). */
static void
capture_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			pending = NULL;
			break;
		default:
			break;
	}
}

/* Register the transaction callbacks (from _PG_init). */
void
StatsCaptureInit(void)
{
	RegisterXactCallback(capture_xact_callback, NULL);
	RegisterSubXactCallback(capture_subxact_callback, NULL);
}

/*
 * journaling.stats_capture_note(user_id, day): WHEN condition of the AFTER
 * INSERT row trigger.  Notes the inserted row's pair; false, so no trigger
 * event is queued.
 */
PG_FUNCTION_INFO_V1(journaling_stats_capture_note);
Datum
journaling_stats_capture_note(PG_FUNCTION_ARGS)
{
	note_pair(PG_GETARG_UUID_P(0), PG_GETARG_DATEADT(1));
	PG_RETURN_BOOL(false);
}

/*
 * journaling.stats_capture_note(old_user_id, old_day, new_user_id, new_day):
 * WHEN condition of the AFTER UPDATE row trigger.  Notes the old and the new
 * pair of the updated row; false, so no trigger event is queued.
 */
PG_FUNCTION_INFO_V1(journaling_stats_capture_note_update);
Datum
journaling_stats_capture_note_update(PG_FUNCTION_ARGS)
{
	note_pair(PG_GETARG_UUID_P(0), PG_GETARG_DATEADT(1));
	note_pair(PG_GETARG_UUID_P(2), PG_GETARG_DATEADT(3));
	PG_RETURN_BOOL(false);
}

/* Raise unless called as an AFTER ... FOR EACH STATEMENT trigger. */
static TriggerData *
statement_trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a trigger", name)));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be fired AFTER ... FOR EACH STATEMENT", name)));
	return trigdata;
}

/*
 * Trigger: at the end of an INSERT or UPDATE statement, log the pairs noted
 * in the current subtransaction.
 */
PG_FUNCTION_INFO_V1(journaling_stats_flush_trigger);
Datum
journaling_stats_flush_trigger(PG_FUNCTION_ARGS)
{
	SubTransactionId subid = GetCurrentSubTransactionId();

	(void) statement_trigger_data(fcinfo, "journaling.stats_flush_trigger()");
	while (pending != NULL && pending->subid == subid)
	{
		buffer_write(&pending->buf);
		if (pending->outer == NULL || pending->outer->subid != subid)
			break;
		pop_level();
	}
	return PointerGetDatum(NULL);
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

/* Add the (user_id, entry_date) pairs of a transition table to a buffer. */
static void
add_transition_pairs(PairBuffer *b, Tuplestorestate *ts, TupleDesc entry_desc)
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
		if (!user_null && !day_null)
			buffer_add(b, DatumGetUUIDP(user_id), DatumGetDateADT(day));
	}
	ExecDropSingleTupleTableSlot(in);
}

/*
 * Trigger: log the (user_id, day) pairs of the transition tables of the
 * statement (DELETE; INSERT and UPDATE under the 0.1 script), or every
 * materialized pair after TRUNCATE.
 */
PG_FUNCTION_INFO_V1(journaling_stats_capture_trigger);
Datum
journaling_stats_capture_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = statement_trigger_data(fcinfo, "journaling.stats_capture_trigger()");
	TriggerEvent event = trigdata->tg_event;
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	PairBuffer	buf = {NULL, 0, 0, CurrentMemoryContext};

	if (TRIGGER_FIRED_BY_TRUNCATE(event))
	{
		Oid			index = get_relname_relid("search_index", get_namespace_oid("journaling", false));

		/* every pair that has materialized statistics */
		spi_write(&truncate_plan,
				  "INSERT INTO journaling.stats_changes (user_id, day) "
				  "SELECT s.user_id, s.day FROM journaling.daily_stats s",
				  0, NULL, NULL);
		/* every user's search index (with its postings), as the index's owner (0.2) */
		if (OidIsValid(index))
		{
			Relation	rel = table_open(index, RowExclusiveLock);
			Oid			owner = rel->rd_rel->relowner;
			Oid			save_userid;
			int			save_sec_context;

			table_close(rel, NoLock);
			GetUserIdAndSecContext(&save_userid, &save_sec_context);
			SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
								   SECURITY_NOFORCE_RLS);
			spi_write(&drop_index_plan, "DELETE FROM journaling.search_index", 0, NULL, NULL);
			SetUserIdAndSecContext(save_userid, save_sec_context);
		}
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_BY_INSERT(event))
	{
		check_transition_name(trigdata->tg_trigger->tgoldtable, CAPTURE_OLD_TABLE);
		if (trigdata->tg_oldtable != NULL)
			add_transition_pairs(&buf, trigdata->tg_oldtable, desc);
	}
	if (!TRIGGER_FIRED_BY_DELETE(event))
	{
		check_transition_name(trigdata->tg_trigger->tgnewtable, CAPTURE_NEW_TABLE);
		if (trigdata->tg_newtable != NULL)
			add_transition_pairs(&buf, trigdata->tg_newtable, desc);
	}
	buffer_write(&buf);
	return PointerGetDatum(NULL);
}
