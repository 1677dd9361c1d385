/*
 * import_formats.c — how each legacy JSON format maps onto the schema.
 *
 * A mapper receives one source record (a JrValue tree from json_reader.c)
 * and emits one normalized row per target table row: a JSON object whose
 * keys are the target column names, later inserted in batches by import.c
 * with json_populate_recordset().  It validates in C (import_map.c) what it can (types,
 * blank content, mood range, timestamps, duplicate ids) and rejects the row
 * with a SQLSTATE and message; what only the server can check (an impossible
 * calendar date in a canonical record, constraints) is caught when the batch
 * is inserted.  Source fields without a column of their own are kept
 * verbatim under metadata -> 'source'.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/hashfn.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"

#include "journaling.h"
#include "json_reader.h"

const char *const ImportKindNames[IMPORT_KIND_COUNT] = {
	"users", "topics", "chat_sessions", "journal_entries", "messages", "user_memory", "usage"
};

/*
 * Canonical entries: arrays of objects whose keys are our column names.
 */
static void
map_canonical_entry(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "title", "content", "entry_date", "mood_score", "mood_label",
		"tags", "categories", "topic_id", "is_private", "is_favorite", "word_count", "search_vector",
		"metadata", "created_at", "updated_at", "user_id", "source", "source_id", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	const JrValue *content;
	TimestampTz created;
	bool		has_created;
	bool		naive;
	struct pg_tm tm;
	bool		bad = false;
	const JrValue *v;
	pg_tz	   *tz = ImportTimezone(st, true);

	ImpMapInit(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (ImpMapRejected(&m))
		return;
	ImpRowBegin(&r);
	ImpRowOwner(&r, st);
	v = jr_get(m.obj, "id");
	if (v && v->type == JR_STRING)
		ImpMapId(&m, "entries", v, &id);
	else
	{
		content = ImpGetString(m.obj, "content", NULL);
		if (content)
			JournalingUuid5Pair("entries", content->str, content->len, &id);
		else
			JournalingUuid5Pair("entries", "", 0, &id);
		if (v && v->type != JR_NULL)
			ImpMapFail(&m, ERRCODE_INVALID_TEXT_REPRESENTATION, "id is %s, not a uuid string", ImpTypeName(v));
	}
	ImpRowUuid(&r, "id", &id);
	ImpMapText(&m, &r, "title", "title");
	content = ImpMapContent(&m, "content", true);
	has_created = ImpMapTs(&m, &r, "created_at", "created_at", tz, &created, &tm, &naive);
	ImpMapTs(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	v = ImpGetString(m.obj, "entry_date", &bad);
	if (bad)
		ImpMapFail(&m, ERRCODE_INVALID_DATETIME_FORMAT, "entry_date is not a date string");
	if (v)
		ImpRowText(&r, "entry_date", v->str, v->len);	/* the server validates it */
	else if (has_created)
	{
		char		d[16];

		ImpLocalDate(created, tz, d);
		ImpRowCstr(&r, "entry_date", d);
	}
	ImpMapMood(&m, &r, "mood_score");
	ImpMapText(&m, &r, "mood_label", "mood_label");
	ImpMapTags(&m, &r, "tags", "tags");
	ImpMapTags(&m, &r, "categories", "categories");
	v = ImpGetString(m.obj, "topic_id", &bad);
	if (v)
	{
		pg_uuid_t	t;

		if (JournalingParseUuid(v->str, v->len, &t))
			ImpRowUuid(&r, "topic_id", &t);
		else
			ImpMapFail(&m, ERRCODE_INVALID_TEXT_REPRESENTATION, "topic_id \"%.40s\" is not a uuid", v->str);
	}
	ImpMapBool(&m, &r, "is_private", "is_private");
	ImpMapBool(&m, &r, "is_favorite", "is_favorite");
	v = jr_get(m.obj, "metadata");
	if (v && !ImpIsObjectish(v) && v->type != JR_NULL)
		ImpMapFail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "metadata is %s, not an object", ImpTypeName(v));
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	/* the largest values last, once the record is known to be valid */
	ImpRowText(&r, "content", content->str, content->len);
	ImpRowMetadata(&r, m.obj, mapped, v);
	ImpRowCstr(&r, "source", "canonical");
	if (m.source_id)
		ImpRowCstr(&r, "source_id", m.source_id);
	ImpRowEmit(st, &r, IK_ENTRIES, m.offset, m.source_id);
}

/* Canonical sessions: arrays of objects whose keys are our column names. */
static void
map_canonical_session(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "title", "session_type", "status", "context", "ai_model",
		"system_prompt", "temperature", "message_count", "last_message_at", "tags", "metadata",
		"created_at", "updated_at", "ended_at", "user_id", "source", "source_id", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	const JrValue *v;
	pg_tz	   *tz = ImportTimezone(st, false);

	ImpMapInit(&m, st, rec, rec->value, IK_SESSIONS, rec->offset);
	if (ImpMapRejected(&m))
		return;
	ImpRowBegin(&r);
	ImpRowOwner(&r, st);
	v = jr_get(m.obj, "id");
	if (v == NULL || v->type != JR_STRING)
		ImpMapFail(&m, ERRCODE_INVALID_TEXT_REPRESENTATION, "id is missing or not a string");
	else
		ImpMapId(&m, "sessions", v, &id);
	if (m.sqlstate)
	{
		ImpMapRejected(&m);
		return;
	}
	ImpRowUuid(&r, "id", &id);
	ImpMapText(&m, &r, "title", "title");
	ImpMapText(&m, &r, "session_type", "session_type");
	ImpMapText(&m, &r, "status", "status");
	v = jr_get(m.obj, "context");
	if (v && !ImpIsObjectish(v) && v->type != JR_NULL)
		ImpMapFail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "context is %s, not an object", ImpTypeName(v));
	ImpRowObject(&r, "context", v);
	ImpMapText(&m, &r, "ai_model", "ai_model");
	ImpMapText(&m, &r, "system_prompt", "system_prompt");
	ImpMapNumber(&m, &r, "temperature", "temperature");
	ImpMapNumber(&m, &r, "message_count", "message_count");
	ImpMapTs(&m, &r, "last_message_at", "last_message_at", tz, NULL, NULL, NULL);
	ImpMapTags(&m, &r, "tags", "tags");
	v = jr_get(m.obj, "metadata");
	if (v && !ImpIsObjectish(v) && v->type != JR_NULL)
		ImpMapFail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "metadata is %s, not an object", ImpTypeName(v));
	ImpRowMetadata(&r, m.obj, mapped, v);
	ImpMapTs(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
	ImpMapTs(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	ImpMapTs(&m, &r, "ended_at", "ended_at", tz, NULL, NULL, NULL);
	ImpRowCstr(&r, "source", "canonical");
	ImpRowCstr(&r, "source_id", m.source_id);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_SESSIONS, m.offset, m.source_id);
}

/* The record's id: its "id" member, else the key it is filed under. */
static const JrValue *
keyed_id(JrRecord *rec, JrValue *keyval)
{
	const JrValue *v = jr_get(rec->value, "id");

	if (v && v->type != JR_NULL)
		return v;
	if (rec->key)
	{
		keyval->type = JR_STRING;
		keyval->str = rec->key;
		keyval->len = strlen(rec->key);
		return keyval;
	}
	return NULL;
}

/* Journaling AI entries.json: object keyed by uuid, or the dual-write array of payloads. */
static void
map_jai_entry(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "title", "content", "tags", "created_at", "updated_at",
		"mood", "is_favorite", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	JrValue		keyval;
	const JrValue *idv;
	const JrValue *content;
	const JrValue *v;
	struct pg_tm tm;
	bool		naive;
	TimestampTz created;
	pg_tz	   *tz = ImportTimezone(st, true);

	ImpMapInit(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (rec->key)
		m.source_id = rec->key;
	if (ImpMapRejected(&m))
		return;
	ImpRowBegin(&r);
	ImpRowOwner(&r, st);
	idv = keyed_id(rec, &keyval);
	if (idv)
		ImpMapId(&m, "journaling_ai.entries", idv, &id);
	else
	{
		/* dual-write payload without id: derive it from title and content */
		StringInfoData name;
		const JrValue *t = ImpGetString(m.obj, "title", NULL);
		const JrValue *c = ImpGetString(m.obj, "content", NULL);

		initStringInfo(&name);
		if (t)
			appendBinaryStringInfo(&name, t->str, (int) t->len);
		appendStringInfoChar(&name, '\x1f');
		if (c)
			appendBinaryStringInfo(&name, c->str, (int) c->len);
		JournalingUuid5Pair("journaling_ai.entries", name.data, name.len, &id);
	}
	ImpRowUuid(&r, "id", &id);
	ImpMapText(&m, &r, "title", "title");
	content = ImpMapContent(&m, "content", true);
	if (content)
		ImpRowText(&r, "content", content->str, content->len);
	if (ImpMapTs(&m, &r, "created_at", "created_at", tz, &created, &tm, &naive))
	{
		char		d[16];

		if (naive)
			snprintf(d, sizeof(d), "%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
		else
			ImpLocalDate(created, tz, d);
		ImpRowCstr(&r, "entry_date", d);
	}
	ImpMapTs(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	ImpMapMood(&m, &r, "mood");
	ImpMapTags(&m, &r, "tags", "tags");
	v = ImpGetString(m.obj, "topic_id", NULL);
	if (v)
	{
		pg_uuid_t	t;

		if (JournalingParseUuid(v->str, v->len, &t))
			ImpRowUuid(&r, "topic_id", &t);
	}
	ImpMapBool(&m, &r, "is_favorite", "is_favorite");
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpRowCstr(&r, "source", "journaling_ai");
	if (m.source_id)
		ImpRowCstr(&r, "source_id", m.source_id);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_ENTRIES, m.offset, m.source_id);
}

/* Journaling AI topics.json. */
static void
map_jai_topic(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "name", "description", "color", "tags", "created_at", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	JrValue		keyval;
	const JrValue *idv;
	const JrValue *name;

	ImpMapInit(&m, st, rec, rec->value, IK_TOPICS, rec->offset);
	if (rec->key)
		m.source_id = rec->key;
	if (ImpMapRejected(&m))
		return;
	ImpRowBegin(&r);
	ImpRowOwner(&r, st);
	idv = keyed_id(rec, &keyval);
	name = ImpMapContent(&m, "name", true);
	if (idv)
		ImpMapId(&m, "journaling_ai.topics", idv, &id);
	else if (name)
		JournalingUuid5Pair("journaling_ai.topics", name->str, name->len, &id);
	if (m.sqlstate)
	{
		ImpMapRejected(&m);
		return;
	}
	ImpRowUuid(&r, "id", &id);
	ImpRowText(&r, "name", name->str, name->len);
	ImpMapText(&m, &r, "description", "description");
	ImpMapText(&m, &r, "color", "color");
	ImpMapTags(&m, &r, "tags", "tags");
	ImpMapTs(&m, &r, "created_at", "created_at", ImportTimezone(st, true), NULL, NULL, NULL);
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_TOPICS, m.offset, m.source_id);
}

/* Journaling AI sessions.json. */
static void
map_jai_session(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "session_type", "title", "status", "created_at",
		"updated_at", "message_count", "tags", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	JrValue		keyval;
	const JrValue *idv;
	pg_tz	   *tz = ImportTimezone(st, false);

	ImpMapInit(&m, st, rec, rec->value, IK_SESSIONS, rec->offset);
	if (rec->key)
		m.source_id = rec->key;
	if (ImpMapRejected(&m))
		return;
	ImpRowBegin(&r);
	ImpRowOwner(&r, st);
	idv = keyed_id(rec, &keyval);
	if (idv == NULL)
		ImpMapFail(&m, ERRCODE_NOT_NULL_VIOLATION, "session has no id");
	else
		ImpMapId(&m, "journaling_ai.sessions", idv, &id);
	if (m.sqlstate)
	{
		ImpMapRejected(&m);
		return;
	}
	ImpRowUuid(&r, "id", &id);
	ImpMapText(&m, &r, "title", "title");
	ImpMapText(&m, &r, "session_type", "session_type");
	ImpMapText(&m, &r, "status", "status");
	ImpMapNumber(&m, &r, "message_count", "message_count");
	ImpMapTags(&m, &r, "tags", "tags");
	ImpMapTs(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
	ImpMapTs(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpRowCstr(&r, "source", "journaling_ai");
	ImpRowCstr(&r, "source_id", m.source_id);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_SESSIONS, m.offset, m.source_id);
}

/* Journaling AI messages.json: one record per message; seq in file order per session. */
static void
map_jai_message(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"session_id", "content", "role", "timestamp", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	session;
	pg_uuid_t	owner;
	JrValue		keyval;
	const JrValue *idv;
	const JrValue *sid;
	const JrValue *content;

	ImpMapInit(&m, st, rec, rec->value, IK_MESSAGES, rec->offset);
	if (ImpMapRejected(&m))
		return;
	idv = keyed_id(rec, &keyval);
	if (idv && idv->type == JR_STRING)
		m.source_id = idv->str;
	sid = ImpGetString(m.obj, "session_id", NULL);
	if (sid == NULL || !JournalingParseUuid(sid->str, sid->len, &session))
	{
		ImpMapFail(&m, ERRCODE_INVALID_TEXT_REPRESENTATION, "session_id is missing or not a uuid");
		ImpMapRejected(&m);
		return;
	}
	ImportSessionOwner(st, &session, "journaling_ai", sid->str, &owner);
	ImpRowBegin(&r);
	ImpRowUuid(&r, "user_id", &owner);
	ImpRowUuid(&r, "session_id", &session);
	ImpMapText(&m, &r, "role", "role");
	content = ImpMapContent(&m, "content", false);
	if (content)
		ImpRowText(&r, "content", content->str, content->len);
	ImpMapTs(&m, &r, "timestamp", "created_at", ImportTimezone(st, false), NULL, NULL, NULL);
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	if (ImpMapRejected(&m))
		return;
	ImpRowKey(&r, "seq");
	appendStringInfo(&r.buf, "%d", ImportNextSeq(st, &session));
	ImpRowEmit(st, &r, IK_MESSAGES, m.offset, m.source_id);
}

/* Owner of a legacy user id: UUIDv5 of (prefix, id), the users row ensured. */
static void
legacy_user(ImportState *st, const char *prefix, const char *source, const JrValue *uid, pg_uuid_t *out)
{
	JournalingUuid5Pair(prefix, uid->str, uid->len, out);
	ImportEnsureUser(st, out, uid->str, source, uid->str);
}

/* LLM Council conversation: one chat_sessions row and one messages row per element. */
static void
map_council_conversation(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "title", "created_at", "messages", NULL};
	static const char *const msg_mapped[] = {"role", "content", "stage1", "stage2", "stage3", "metadata", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	pg_uuid_t	owner;
	const JrValue *uid;
	const JrValue *msgs;
	TimestampTz created = 0;
	bool		has_created;
	size_t		i;
	char		created_txt[64] = "";

	ImpMapInit(&m, st, rec, rec->value, IK_SESSIONS, rec->offset);
	if (ImpMapRejected(&m))
		return;
	uid = ImpGetString(m.obj, "user_id", NULL);
	if (uid)
		legacy_user(st, "llm_council.user", "llm_council", uid, &owner);
	else
		owner = *ImportOwner(st);
	ImpMapId(&m, "llm_council.conversation", jr_get(m.obj, "id"), &id);
	if (m.source_id == NULL)
		ImpMapFail(&m, ERRCODE_NOT_NULL_VIOLATION, "conversation has no id");
	msgs = jr_get(m.obj, "messages");
	if (msgs && msgs->type != JR_ARRAY && msgs->type != JR_NULL)
		ImpMapFail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "messages is %s, not an array", ImpTypeName(msgs));
	ImpRowBegin(&r);
	ImpRowUuid(&r, "user_id", &owner);
	ImpRowUuid(&r, "id", &id);
	ImpMapText(&m, &r, "title", "title");
	ImpRowCstr(&r, "session_type", "llm_council");
	has_created = ImpMapTs(&m, &r, "created_at", "created_at", ImportTimezone(st, false), &created, NULL, NULL);
	if (msgs && msgs->type == JR_ARRAY)
	{
		ImpRowKey(&r, "message_count");
		appendStringInfo(&r.buf, "%zu", msgs->count);
	}
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpRowCstr(&r, "source", "llm_council");
	ImpRowCstr(&r, "source_id", m.source_id);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_SESSIONS, m.offset, m.source_id);

	if (has_created)
	{
		ImpRow			tmp;

		ImpRowBegin(&tmp);
		tmp.first = true;
		ImpRowTs(&tmp, "x", created);
		/* keep just the quoted value */
		snprintf(created_txt, sizeof(created_txt), "%s", strchr(tmp.buf.data, ':') + 1);
	}
	for (i = 0; msgs && msgs->type == JR_ARRAY && i < msgs->count; i++)
	{
		ImpMap			mm;
		ImpRow			mr;
		const JrValue *role;
		const JrValue *stage3;
		char		sid[64];

		ImpMapInit(&mm, st, rec, msgs->items[i], IK_MESSAGES, msgs->items[i]->offset);
		snprintf(sid, sizeof(sid), "%s#%zu", m.source_id, i + 1);
		mm.source_id = pstrdup(sid);
		if (ImpMapRejected(&mm))
			continue;
		ImpRowBegin(&mr);
		ImpRowUuid(&mr, "user_id", &owner);
		ImpRowUuid(&mr, "session_id", &id);
		ImpRowKey(&mr, "seq");
		appendStringInfo(&mr.buf, "%zu", i + 1);
		role = ImpGetString(mm.obj, "role", NULL);
		if (role)
			ImpRowText(&mr, "role", role->str, role->len);
		stage3 = jr_get(mm.obj, "stage3");
		if (stage3 && stage3->type == JR_OBJECT)
		{
			const JrValue *resp = jr_get(stage3, "response");
			const JrValue *model = jr_get(stage3, "model");

			if (resp && resp->type == JR_STRING)
				ImpRowText(&mr, "content", resp->str, resp->len);
			else if (resp && resp->type != JR_NULL)
				ImpMapFail(&mm, ERRCODE_INVALID_PARAMETER_VALUE, "stage3.response is %s, not a string", ImpTypeName(resp));
			if (model && model->type == JR_STRING)
				ImpRowText(&mr, "model", model->str, model->len);
		}
		else
		{
			const JrValue *content = ImpMapContent(&mm, "content", false);

			if (content)
				ImpRowText(&mr, "content", content->str, content->len);
		}
		if (jr_get(mm.obj, "stage1") || jr_get(mm.obj, "stage2") || stage3)
		{
			bool		first = true;
			/* DESIGN §3: the stages and the metadata go to stages */
			static const char *const stages[] = {"stage1", "stage2", "stage3", "metadata"};
			int			s;

			ImpRowKey(&mr, "stages");
			appendStringInfoChar(&mr.buf, '{');
			for (s = 0; s < 4; s++)
			{
				const JrValue *sv = jr_get(mm.obj, stages[s]);

				if (sv == NULL)
					continue;
				if (!first)
					appendStringInfoChar(&mr.buf, ',');
				first = false;
				appendStringInfo(&mr.buf, "\"%s\":", stages[s]);
				jr_write(sv, ImpAppendSi, &mr.buf);
			}
			appendStringInfoChar(&mr.buf, '}');
		}
		if (created_txt[0])
			ImpRowRaw(&mr, "created_at", created_txt);
		{
			/* Mirmer's metadata is the message metadata; other fields under source */
			const JrValue *md = jr_get(mm.obj, "metadata");

			if (md && !ImpIsObjectish(md) && md->type != JR_NULL)
				ImpMapFail(&mm, ERRCODE_INVALID_PARAMETER_VALUE, "metadata is %s, not an object", ImpTypeName(md));
			ImpRowMetadata(&mr, mm.obj, msg_mapped, md);
		}
		if (ImpMapRejected(&mm))
			continue;
		ImpRowEmit(st, &mr, IK_MESSAGES, mm.offset, mm.source_id);
	}
}

/* LLM Council (Mirmer) usage.json. */
static void
map_council_usage(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"user_id", "tier", "daily_count", "monthly_count",
		"total_queries", "last_daily_reset", "last_monthly_reset", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	owner;
	const JrValue *uid;

	ImpMapInit(&m, st, rec, rec->value, IK_USAGE, rec->offset);
	if (ImpMapRejected(&m))
		return;
	uid = ImpGetString(m.obj, "user_id", NULL);
	if (uid)
	{
		legacy_user(st, "llm_council.user", "llm_council", uid, &owner);
		m.source_id = uid->str;
	}
	else
		owner = *ImportOwner(st);
	ImpRowBegin(&r);
	ImpRowUuid(&r, "user_id", &owner);
	ImpMapText(&m, &r, "tier", "tier");
	ImpMapNumber(&m, &r, "daily_count", "daily_used");
	ImpMapNumber(&m, &r, "monthly_count", "monthly_used");
	ImpMapNumber(&m, &r, "total_queries", "total_queries");
	ImpMapText(&m, &r, "last_daily_reset", "last_reset_daily");
	ImpMapText(&m, &r, "last_monthly_reset", "last_reset_monthly");
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_USAGE, m.offset, m.source_id);
}

/* Base name of the file without ".json" (and without suffix), or NULL. */
static char *
file_stem(ImportState *st, const char *suffix)
{
	const char *path = ImportPath(st);
	const char *base;
	char	   *stem;
	size_t		len;

	if (path == NULL)
		return NULL;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	stem = pstrdup(base);
	len = strlen(stem);
	if (len > 5 && strcmp(stem + len - 5, ".json") == 0)
		stem[len -= 5] = '\0';
	if (suffix && len > strlen(suffix) && strcmp(stem + len - strlen(suffix), suffix) == 0)
		stem[len - strlen(suffix)] = '\0';
	return stem;
}

/* Donna <chat_id>_session.json. */
static void
map_donna_session(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"chat_id", "user_id", "created_at", "updated_at",
		"last_message_at", "message_count", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	pg_uuid_t	owner;
	const JrValue *chat;
	const JrValue *uid;
	pg_tz	   *tz = ImportTimezone(st, false);

	ImpMapInit(&m, st, rec, rec->value, IK_SESSIONS, rec->offset);
	if (ImpMapRejected(&m))
		return;
	chat = ImpGetString(m.obj, "chat_id", NULL);
	if (chat == NULL)
	{
		ImpMapFail(&m, ERRCODE_NOT_NULL_VIOLATION, "chat_id is missing");
		ImpMapRejected(&m);
		return;
	}
	m.source_id = chat->str;
	JournalingUuid5Pair("donna.session", chat->str, chat->len, &id);
	uid = ImpGetString(m.obj, "user_id", NULL);
	if (uid)
		legacy_user(st, "donna.user", "donna", uid, &owner);
	else
		owner = *ImportOwner(st);
	ImpRowBegin(&r);
	ImpRowUuid(&r, "user_id", &owner);
	ImpRowUuid(&r, "id", &id);
	ImpRowCstr(&r, "session_type", "donna");
	ImpMapTs(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
	ImpMapTs(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	ImpMapTs(&m, &r, "last_message_at", "last_message_at", tz, NULL, NULL, NULL);
	ImpMapNumber(&m, &r, "message_count", "message_count");
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpRowCstr(&r, "source", "donna");
	ImpRowText(&r, "source_id", chat->str, chat->len);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_SESSIONS, m.offset, m.source_id);
}

/* Donna <chat_id>.json: an array of messages (DAL) or of bare {role, content} (pre-DAL). */
static void
map_donna_message(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"role", "content", "created_at", "sequence_number", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	session;
	pg_uuid_t	owner;
	const char *chat = ImportOption(st, "chat_id");
	const JrValue *content;
	const JrValue *seqv;
	int			seq;
	char		sid[200];

	if (chat == NULL)
		chat = file_stem(st, NULL);
	ImpMapInit(&m, st, rec, rec->value, IK_MESSAGES, rec->offset);
	if (chat == NULL)
		ImpMapFail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "the chat id of a Donna history comes from its file name or the chat_id option");
	if (ImpMapRejected(&m))
		return;
	JournalingUuid5Pair("donna.session", chat, strlen(chat), &session);
	ImportSessionOwner(st, &session, "donna", chat, &owner);
	seq = ImportNextSeq(st, &session);
	seqv = jr_get(m.obj, "sequence_number");
	if (seqv && seqv->type == JR_NUMBER && !(seqv->flags & (JR_NUM_NONFINITE | JR_NUM_SENTINEL)))
		seq = atoi(seqv->str);
	snprintf(sid, sizeof(sid), "%s#%d", chat, seq);
	m.source_id = pstrdup(sid);
	ImpRowBegin(&r);
	ImpRowUuid(&r, "user_id", &owner);
	ImpRowUuid(&r, "session_id", &session);
	ImpRowKey(&r, "seq");
	appendStringInfo(&r.buf, "%d", seq);
	ImpMapText(&m, &r, "role", "role");
	content = ImpMapContent(&m, "content", false);
	if (content)
		ImpRowText(&r, "content", content->str, content->len);
	ImpMapTs(&m, &r, "created_at", "created_at", ImportTimezone(st, false), NULL, NULL, NULL);
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_MESSAGES, m.offset, m.source_id);
}

/* Donna memory/<user>.json: type -> key -> {value, created_at, expires_at}. */
static void
map_donna_memory(ImportState *st, JrRecord *rec)
{
	const JrValue *obj = rec->value;
	char	   *stem = file_stem(st, NULL);
	const char *uopt = ImportOption(st, "memory_user");
	pg_uuid_t	owner;
	size_t		t,
				k;
	pg_tz	   *tz = ImportTimezone(st, false);

	if (uopt)
		stem = pstrdup(uopt);
	if (stem)
	{
		JrValue		u;

		memset(&u, 0, sizeof(u));
		u.type = JR_STRING;
		u.str = stem;
		u.len = strlen(stem);
		legacy_user(st, "donna.user", "donna", &u, &owner);
	}
	else
		owner = *ImportOwner(st);
	if (obj->type == JR_ARRAY && obj->count == 0)
		return;					/* PHP's empty memory */
	if (obj->type != JR_OBJECT)
	{
		ImportReject(st, IK_MEMORY, rec->offset, stem, ERRCODE_INVALID_PARAMETER_VALUE,
					 "memory file is not a JSON object");
		return;
	}
	for (t = 0; t < obj->count; t++)
	{
		const JrValue *keys = obj->members[t].value;

		if (keys->type == JR_ARRAY && keys->count == 0)
			continue;
		if (keys->type != JR_OBJECT)
		{
			ImportReject(st, IK_MEMORY, keys->offset, obj->members[t].key, ERRCODE_INVALID_PARAMETER_VALUE,
						 "memory type is not a JSON object");
			continue;
		}
		for (k = 0; k < keys->count; k++)
		{
			const JrValue *e = keys->members[k].value;
			ImpMap			m;
			ImpRow			r;
			char		sid[300];

			ImpMapInit(&m, st, rec, e, IK_MEMORY, e->offset);
			snprintf(sid, sizeof(sid), "%s/%s", obj->members[t].key, keys->members[k].key);
			m.source_id = pstrdup(sid);
			m.sqlstate = 0;		/* any value is a memory */
			ImpRowBegin(&r);
			ImpRowUuid(&r, "user_id", &owner);
			ImpRowCstr(&r, "memory_type", obj->members[t].key);
			ImpRowCstr(&r, "key", keys->members[k].key);
			if (e->type == JR_OBJECT && jr_get(e, "value"))
			{
				ImpRowJson(&r, "value", jr_get(e, "value"));
				ImpMapTs(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
				ImpMapTs(&m, &r, "created_at", "updated_at", tz, NULL, NULL, NULL);
				ImpMapTs(&m, &r, "expires_at", "expires_at", tz, NULL, NULL, NULL);
			}
			else
				ImpRowJson(&r, "value", e);
			if (ImpMapRejected(&m))
				continue;
			ImpRowEmit(st, &r, IK_MEMORY, m.offset, m.source_id);
		}
	}
}

/* Donna users/<id>.json. */
static void
map_donna_user(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "email", "name", "profile", "preferences",
		"created_at", "updated_at", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	const JrValue *idv;
	pg_tz	   *tz = ImportTimezone(st, false);

	ImpMapInit(&m, st, rec, rec->value, IK_USERS, rec->offset);
	if (ImpMapRejected(&m))
		return;
	idv = ImpGetString(m.obj, "id", NULL);
	if (idv == NULL)
	{
		ImpMapFail(&m, ERRCODE_NOT_NULL_VIOLATION, "user has no id");
		ImpMapRejected(&m);
		return;
	}
	m.source_id = idv->str;
	JournalingUuid5Pair("donna.user", idv->str, idv->len, &id);
	ImpRowBegin(&r);
	ImpRowUuid(&r, "id", &id);
	ImpMapText(&m, &r, "email", "email");
	ImpMapText(&m, &r, "name", "full_name");
	ImpRowObject(&r, "profile", jr_get(m.obj, "profile"));
	ImpRowObject(&r, "preferences", jr_get(m.obj, "preferences"));
	ImpMapTs(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
	ImpMapTs(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpRowCstr(&r, "source", "donna");
	ImpRowText(&r, "source_id", idv->str, idv->len);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_USERS, m.offset, m.source_id);
}

/* Undo Day One's Markdown escapes: a backslash before ASCII punctuation. */
static char *
dayone_unescape(const char *s, size_t len, size_t *outlen)
{
	char	   *out = palloc(len + 1);
	size_t		i,
				n = 0;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '\\' && i + 1 < len && ispunct((unsigned char) s[i + 1]))
			i++;
		out[n++] = s[i];
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* Allocator for nested JSON documents (Day One richText). */
static void *
palloc_cb(void *ctx, size_t size)
{
	return palloc(size);
}

/* Day One export: {"metadata", "entries": [...]}. */
static void
map_dayone(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"uuid", "creationDate", "modifiedDate", "tags", "starred",
		"richText", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	const JrValue *text;
	const JrValue *zone;
	const JrValue *rich;
	TimestampTz created;
	pg_tz	   *tz = ImportTimezone(st, true);

	ImpMapInit(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (ImpMapRejected(&m))
		return;
	ImpMapId(&m, "dayone", jr_get(m.obj, "uuid"), &id);
	if (m.source_id == NULL)
		ImpMapFail(&m, ERRCODE_NOT_NULL_VIOLATION, "entry has no uuid");
	zone = ImpGetString(m.obj, "timeZone", NULL);
	if (zone)
	{
		pg_tz	   *z = pg_tzset(zone->str);

		if (z)
			tz = z;
	}
	ImpRowBegin(&r);
	ImpRowOwner(&r, st);
	ImpRowUuid(&r, "id", &id);
	text = ImpMapContent(&m, "text", true);
	if (text)
	{
		size_t		len;
		char	   *content = dayone_unescape(text->str, text->len, &len);
		char	   *nl = memchr(content, '\n', len);
		size_t		first = nl ? (size_t) (nl - content) : len;

		ImpRowText(&r, "content", content, len);
		if (first > 2 && content[0] == '#')
		{
			size_t		h = 0;

			while (h < first && content[h] == '#')
				h++;
			while (h < first && content[h] == ' ')
				h++;
			if (h < first)
				ImpRowText(&r, "title", content + h, first - h);
		}
	}
	if (ImpMapTs(&m, &r, "creationDate", "created_at", tz, &created, NULL, NULL))
	{
		char		d[16];

		ImpLocalDate(created, tz, d);
		ImpRowCstr(&r, "entry_date", d);
		if (jr_get(m.obj, "modifiedDate") == NULL)
			ImpRowTs(&r, "updated_at", created);
	}
	ImpMapTs(&m, &r, "modifiedDate", "updated_at", tz, NULL, NULL, NULL);
	ImpMapTags(&m, &r, "tags", "tags");
	ImpMapBool(&m, &r, "starred", "is_favorite");
	/* metadata.source: everything but the mapped keys, richText decoded once more */
	rich = jr_get(m.obj, "richText");
	if (rich)
	{
		char		err[160];
		JrValue    *doc = NULL;
		StringInfoData x;

		if (rich->type == JR_STRING)
			doc = jr_parse_document(rich->str, rich->len, palloc_cb, NULL, err, sizeof(err));
		initStringInfo(&x);
		appendStringInfoString(&x, "\"richText\":");
		jr_write(doc ? doc : rich, ImpAppendSi, &x);
		ImpRowMetadataX(&r, m.obj, mapped, NULL, x.data);
	}
	else
		ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpRowCstr(&r, "source", "dayone");
	if (m.source_id)
		ImpRowCstr(&r, "source_id", m.source_id);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_ENTRIES, m.offset, m.source_id);
}

/* A set of NUL-terminated strings keyed by pointer: hash and match. */
static uint32
string_set_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
string_set_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Bytes of jrnl text scanned for tags between two checks for interrupts. */
#define JRNL_TAG_BYTES_PER_CHECK 65536

/*
 * jrnl's tag rule: (?<!\S)@[-+*#/\w]+, lower-cased, in order, without
 * repeats (a hash set: a body may hold hundreds of thousands of tags).
 */
static void
jrnl_tags(ImpRow *r, const char *s, size_t len)
{
	size_t		i;
	HASHCTL		ctl;
	HTAB	   *seen;
	bool		first = true;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(char *);
	ctl.hash = string_set_hash;
	ctl.match = string_set_match;
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("journaling jrnl tags", 64, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	ImpRowKey(r, "tags");
	appendStringInfoChar(&r->buf, '[');
	for (i = 0; i < len; i++)
	{
		size_t		j;
		char	   *tag;
		bool		dup;

		if (i % JRNL_TAG_BYTES_PER_CHECK == 0)
			CHECK_FOR_INTERRUPTS();
		if (s[i] != '@' || (i > 0 && !isspace((unsigned char) s[i - 1])))
			continue;
		for (j = i + 1; j < len; j++)
		{
			unsigned char c = (unsigned char) s[j];

			if (!(isalnum(c) || c == '_' || c == '-' || c == '+' || c == '*' || c == '#' || c == '/' || c >= 0x80))
				break;
		}
		if (j == i + 1)
			continue;
		tag = pnstrdup(s + i, j - i);
		for (j = 0; tag[j]; j++)
			tag[j] = (char) tolower((unsigned char) tag[j]);
		hash_search(seen, &tag, HASH_ENTER, &dup);
		if (dup)
			continue;
		if (!first)
			appendStringInfoChar(&r->buf, ',');
		first = false;
		jr_write_string(tag, strlen(tag), ImpAppendSi, &r->buf);
	}
	appendStringInfoChar(&r->buf, ']');
	hash_destroy(seen);
}

/* jrnl --export json: {"tags", "entries": [...]}. */
static void
map_jrnl(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"title", "body", "date", "time", "tags", "starred", "uuid", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	const JrValue *title;
	const JrValue *body;
	const JrValue *date;
	const JrValue *time;
	const JrValue *uuid;
	StringInfoData content;
	StringInfoData key;
	TimestampTz ts;
	struct pg_tm tm;
	bool		naive;
	pg_tz	   *tz = ImportTimezone(st, true);

	ImpMapInit(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (ImpMapRejected(&m))
		return;
	title = ImpMapContent(&m, "title", false);
	body = ImpMapContent(&m, "body", false);
	date = ImpGetString(m.obj, "date", NULL);
	time = ImpGetString(m.obj, "time", NULL);
	uuid = ImpGetString(m.obj, "uuid", NULL);
	initStringInfo(&content);
	if (title)
		appendBinaryStringInfo(&content, title->str, (int) title->len);
	if (body)
		appendBinaryStringInfo(&content, body->str, (int) body->len);
	if (ImpIsBlank(content.data, content.len))
		ImpMapFail(&m, ERRCODE_CHECK_VIOLATION, "entry text is blank");
	initStringInfo(&key);
	appendStringInfo(&key, "%s %s ", date ? date->str : "", time ? time->str : "");
	if (title)
		appendBinaryStringInfo(&key, title->str, (int) title->len);
	if (uuid)
		ImpMapId(&m, "jrnl", uuid, &id);
	else
	{
		JournalingUuid5Pair("jrnl", key.data, key.len, &id);
		m.source_id = key.data;
	}
	ImpRowBegin(&r);
	ImpRowOwner(&r, st);
	ImpRowUuid(&r, "id", &id);
	if (title)
		ImpRowText(&r, "title", title->str, title->len);
	ImpRowText(&r, "content", content.data, content.len);
	if (date)
	{
		char		buf[64];

		snprintf(buf, sizeof(buf), "%s%s%s", date->str, time ? " " : "", time ? time->str : "");
		if (ImpParseTs(buf, strlen(buf), tz, &ts, &naive, &tm))
		{
			ImpRowTs(&r, "created_at", ts);
			ImpRowTs(&r, "updated_at", ts);
			ImpRowText(&r, "entry_date", date->str, date->len);
		}
		else
			ImpMapFail(&m, ERRCODE_INVALID_DATETIME_FORMAT, "date \"%.20s\" and time are not a valid timestamp", date->str);
	}
	if (jr_get(m.obj, "tags"))
		ImpMapTags(&m, &r, "tags", "tags");
	else
		jrnl_tags(&r, content.data, content.len);
	ImpMapBool(&m, &r, "starred", "is_favorite");
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpRowCstr(&r, "source", "jrnl");
	ImpRowCstr(&r, "source_id", m.source_id);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_ENTRIES, m.offset, m.source_id);
}

/* Epoch milliseconds to a timestamp. */
static bool
epoch_ms(const JrValue *v, TimestampTz *ts)
{
	double		ms;

	if (v == NULL || v->type != JR_NUMBER || (v->flags & (JR_NUM_NONFINITE | JR_NUM_SENTINEL)))
		return false;
	ms = strtod(v->str, NULL);
	if (ms < -1e15 || ms > 1e15)
		return false;
	*ts = (TimestampTz) (ms * 1000.0) -
		(TimestampTz) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
	return true;
}

/* Journey: one entry per file. */
static void
map_journey(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "date_journal", "date_modified", "text", "favourite",
		"tags", NULL};
	ImpMap			m;
	ImpRow			r;
	pg_uuid_t	id;
	const JrValue *text;
	const JrValue *zone;
	const JrValue *mood;
	TimestampTz ts;
	pg_tz	   *tz = ImportTimezone(st, true);

	ImpMapInit(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (ImpMapRejected(&m))
		return;
	ImpMapId(&m, "journey", jr_get(m.obj, "id"), &id);
	if (m.source_id == NULL)
		ImpMapFail(&m, ERRCODE_NOT_NULL_VIOLATION, "entry has no id");
	zone = ImpGetString(m.obj, "timezone", NULL);
	if (zone && zone->len > 0)
	{
		pg_tz	   *z = pg_tzset(zone->str);

		if (z)
			tz = z;
	}
	ImpRowBegin(&r);
	ImpRowOwner(&r, st);
	ImpRowUuid(&r, "id", &id);
	text = ImpMapContent(&m, "text", true);
	if (text)
		ImpRowText(&r, "content", text->str, text->len);
	if (epoch_ms(jr_get(m.obj, "date_journal"), &ts))
	{
		char		d[16];

		ImpRowTs(&r, "created_at", ts);
		ImpLocalDate(ts, tz, d);
		ImpRowCstr(&r, "entry_date", d);
	}
	else if (jr_get(m.obj, "date_journal"))
		ImpMapFail(&m, ERRCODE_INVALID_DATETIME_FORMAT, "date_journal is not epoch milliseconds");
	if (epoch_ms(jr_get(m.obj, "date_modified"), &ts))
		ImpRowTs(&r, "updated_at", ts);
	mood = jr_get(m.obj, "mood");
	if (mood && mood->type == JR_NUMBER && strtod(mood->str, NULL) != 0.0)
		ImpMapMood(&m, &r, "mood");	/* 0 = unset */
	ImpMapTags(&m, &r, "tags", "tags");
	ImpMapBool(&m, &r, "favourite", "is_favorite");
	ImpRowMetadata(&r, m.obj, mapped, NULL);
	ImpRowCstr(&r, "source", "journey");
	if (m.source_id)
		ImpRowCstr(&r, "source_id", m.source_id);
	ImpMapUnique(&m, &id);
	if (ImpMapRejected(&m))
		return;
	ImpRowEmit(st, &r, IK_ENTRIES, m.offset, m.source_id);
}

static const ImportFormat formats[] = {
	{"journaling_ai.entries", JR_LAYOUT_COLLECTION, NULL, IK_ENTRIES, map_jai_entry},
	{"journaling_ai.topics", JR_LAYOUT_COLLECTION, NULL, IK_TOPICS, map_jai_topic},
	{"journaling_ai.sessions", JR_LAYOUT_COLLECTION, NULL, IK_SESSIONS, map_jai_session},
	{"journaling_ai.messages", JR_LAYOUT_COLLECTION, NULL, IK_MESSAGES, map_jai_message},
	{"llm_council.conversation", JR_LAYOUT_WHOLE, NULL, IK_SESSIONS, map_council_conversation},
	{"llm_council.usage", JR_LAYOUT_WHOLE, NULL, IK_USAGE, map_council_usage},
	{"donna.session", JR_LAYOUT_WHOLE, NULL, IK_SESSIONS, map_donna_session},
	{"donna.history", JR_LAYOUT_COLLECTION, NULL, IK_MESSAGES, map_donna_message},
	{"donna.memory", JR_LAYOUT_WHOLE, NULL, IK_MEMORY, map_donna_memory},
	{"donna.user", JR_LAYOUT_WHOLE, NULL, IK_USERS, map_donna_user},
	{"dayone", JR_LAYOUT_NESTED, "entries", IK_ENTRIES, map_dayone},
	{"jrnl", JR_LAYOUT_NESTED, "entries", IK_ENTRIES, map_jrnl},
	{"journey", JR_LAYOUT_WHOLE, NULL, IK_ENTRIES, map_journey},
	{"entries", JR_LAYOUT_COLLECTION, NULL, IK_ENTRIES, map_canonical_entry},
	{"sessions", JR_LAYOUT_COLLECTION, NULL, IK_SESSIONS, map_canonical_session},
	{NULL, 0, NULL, 0, NULL}
};

/* A format by name, or NULL. */
const ImportFormat *
ImportFindFormat(const char *name)
{
	const ImportFormat *f;

	for (f = formats; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Whether path contains the directory component dir ("/dir/"). */
static bool
path_has_dir(const char *path, const char *dir)
{
	char		pat[64];

	snprintf(pat, sizeof(pat), "/%s/", dir);
	return path && strstr(path, pat) != NULL;
}

/* Whether obj has member key. */
static inline bool
has(const JrValue *obj, const char *key)
{
	return jr_get(obj, key) != NULL;
}

/*
 * Detect the format from the file name and the shape of the first record:
 * top is the first byte of the document ('{' or '['), first the first
 * record read as a collection (a member of a top-level object, with its key,
 * or an element of a top-level array).  NULL when nothing fits.
 */
const ImportFormat *
ImportDetectFormat(const char *path, char top, JrRecord *first)
{
	const JrValue *v = first ? first->value : NULL;
	const char *base = path ? strrchr(path, '/') : NULL;

	base = base ? base + 1 : path;
	/* names that decide alone */
	if (base && strlen(base) > 13 && strcmp(base + strlen(base) - 13, "_session.json") == 0)
		return ImportFindFormat("donna.session");
	if (base && strcmp(base, "usage.json") == 0)
		return ImportFindFormat("llm_council.usage");
	if (path_has_dir(path, "memory"))
		return ImportFindFormat("donna.memory");
	if (path_has_dir(path, "users"))
		return ImportFindFormat("donna.user");
	if (path_has_dir(path, "chat_sessions") && top == '[')
		return ImportFindFormat("donna.history");

	if (top == '{' && first && first->key)
	{
		/* a top-level object: keyed by id, or one record with named members */
		pg_uuid_t	u;

		if (strcmp(first->key, "metadata") == 0 || strcmp(first->key, "entries") == 0)
		{
			const JrValue *e = (strcmp(first->key, "entries") == 0 && v->type == JR_ARRAY && v->count) ? v->items[0] : NULL;

			if (e && (has(e, "body") || has(e, "date")))
				return ImportFindFormat("jrnl");
			return ImportFindFormat("dayone");
		}
		if (strcmp(first->key, "tags") == 0 && v->type == JR_OBJECT)
			return ImportFindFormat("jrnl");
		if (JournalingParseUuid(first->key, strlen(first->key), &u) && v->type == JR_OBJECT)
		{
			if (has(v, "session_id") && has(v, "role"))
				return ImportFindFormat("journaling_ai.messages");
			if (has(v, "session_type") || has(v, "last_activity"))
				return ImportFindFormat("journaling_ai.sessions");
			if (has(v, "entry_count") || (has(v, "name") && !has(v, "content")))
				return ImportFindFormat("journaling_ai.topics");
			return ImportFindFormat("journaling_ai.entries");
		}
		/* one record per file: decide by the first key and the file name */
		if (strcmp(first->key, "chat_id") == 0)
			return ImportFindFormat("donna.session");
		if (strcmp(first->key, "daily_count") == 0)
			return ImportFindFormat("llm_council.usage");
		if (path_has_dir(path, "conversations") || strcmp(first->key, "messages") == 0)
			return ImportFindFormat("llm_council.conversation");
		if (strcmp(first->key, "date_journal") == 0 || strcmp(first->key, "date_modified") == 0)
			return ImportFindFormat("journey");
		if (strcmp(first->key, "id") == 0 && v->type == JR_STRING)
		{
			/* look at the id: a uuid (LLM Council), ms-hex (Journey), uniqid (Donna) */
			if (JournalingParseUuid(v->str, v->len, &u))
				return ImportFindFormat("llm_council.conversation");
			if (v->len > 14 && v->str[13] == '-')
				return ImportFindFormat("journey");
			return ImportFindFormat("donna.user");
		}
		if (strcmp(first->key, "user_id") == 0)
			return ImportFindFormat("llm_council.usage");
		/* Journey names its files <epoch ms>-<16 hex>.json */
		if (base && strlen(base) == 35 && base[13] == '-')
			return ImportFindFormat("journey");
		return NULL;
	}
	if (top == '[' && v && v->type == JR_OBJECT)
	{
		if (has(v, "entry_type") || has(v, "template_id"))
			return ImportFindFormat("journaling_ai.entries");
		if (has(v, "role") && !has(v, "session_id"))
			return ImportFindFormat("donna.history");
		if (has(v, "session_id") && has(v, "role"))
			return ImportFindFormat("journaling_ai.messages");
		if (has(v, "content") || has(v, "entry_date") || has(v, "mood_score"))
			return ImportFindFormat("entries");
		if (has(v, "session_type") || has(v, "context") || has(v, "system_prompt") || has(v, "ai_model"))
			return ImportFindFormat("sessions");
	}
	if (top == '[' && v == NULL && base)
	{
		/* an empty array: only the name can tell */
		if (strcmp(base, "entries.json") == 0)
			return ImportFindFormat("journaling_ai.entries");
		if (strcmp(base, "sessions.json") == 0)
			return ImportFindFormat("journaling_ai.sessions");
	}
	if (top == '{' && first == NULL && base)
	{
		if (strcmp(base, "entries.json") == 0)
			return ImportFindFormat("journaling_ai.entries");
		if (strcmp(base, "topics.json") == 0)
			return ImportFindFormat("journaling_ai.topics");
		if (strcmp(base, "sessions.json") == 0)
			return ImportFindFormat("journaling_ai.sessions");
		if (strcmp(base, "messages.json") == 0)
			return ImportFindFormat("journaling_ai.messages");
	}
	return NULL;
}
