/*
 * import_formats.c — how each legacy JSON format maps onto the schema.
 *
 * A mapper receives one source record (a JrValue tree from json_reader.c)
 * and emits one normalized row per target table row: a JSON object whose
 * keys are the target column names, later inserted in batches by import.c
 * with jsonb_populate_recordset().  It validates in C what it can (types,
 * blank content, mood range, timestamps, duplicate ids) and rejects the row
 * with a SQLSTATE and message; what only the server can check (an impossible
 * calendar date in a canonical record, constraints) is caught when the batch
 * is inserted.  Source fields without a column of their own are kept
 * verbatim under metadata -> 'source'.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "journaling.h"
#include "json_reader.h"

const char *const ImportKindNames[IMPORT_KIND_COUNT] = {
	"users", "topics", "chat_sessions", "journal_entries", "messages", "user_memory", "usage"
};

/* A row under construction: a JSON object of column values. */
typedef struct Row
{
	StringInfoData buf;
	bool		first;
} Row;

/* Append callback for jr_write into a StringInfo. */
static void
append_si(void *ctx, const char *s, size_t n)
{
	appendBinaryStringInfo((StringInfo) ctx, s, (int) n);
}

/* Start a row. */
static void
row_begin(Row *r)
{
	initStringInfo(&r->buf);
	appendStringInfoChar(&r->buf, '{');
	r->first = true;
}

/* Write a key and the colon. */
static void
row_key(Row *r, const char *key)
{
	if (!r->first)
		appendStringInfoChar(&r->buf, ',');
	r->first = false;
	jr_write_string(key, strlen(key), append_si, &r->buf);
	appendStringInfoChar(&r->buf, ':');
}

/* A text column (omitted when s is NULL). */
static void
row_text(Row *r, const char *key, const char *s, size_t len)
{
	if (s == NULL)
		return;
	row_key(r, key);
	jr_write_string(s, len, append_si, &r->buf);
}

/* A text column from a NUL-terminated string. */
static void
row_cstr(Row *r, const char *key, const char *s)
{
	if (s)
		row_text(r, key, s, strlen(s));
}

/* A column holding raw JSON text. */
static void
row_raw(Row *r, const char *key, const char *json)
{
	row_key(r, key);
	appendStringInfoString(&r->buf, json);
}

/* A column holding a source value verbatim (as JSON). */
static void
row_json(Row *r, const char *key, const JrValue *v)
{
	if (v == NULL)
		return;
	row_key(r, key);
	jr_write(v, append_si, &r->buf);
}

/* A uuid column. */
static void
row_uuid(Row *r, const char *key, const pg_uuid_t *u)
{
	char		txt[40];

	JournalingUuidText(u, txt);
	row_cstr(r, key, txt);
}

/* A timestamptz column, written in UTC. */
static void
row_ts(Row *r, const char *key, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		return;
	row_key(r, key);
	appendStringInfo(&r->buf, "\"%04d-%02d-%02d %02d:%02d:%02d.%06d+00\"",
					 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
}

/* Finish a row and hand it to the importer. */
static void
row_emit(ImportState *st, Row *r, ImportKind kind, int64 offset, const char *source_id)
{
	appendStringInfoChar(&r->buf, '}');
	ImportEmit(st, kind, offset, source_id, &r->buf);
}

/* Whether key is one of a NULL-terminated list. */
static bool
in_list(const char *key, const char *const *list)
{
	for (; list && *list; list++)
		if (strcmp(key, *list) == 0)
			return true;
	return false;
}

/*
 * Write the "metadata" column: the members of obj not in mapped, verbatim
 * under "source" (PHP's [] in an object slot read as {}); extra is an
 * optional JSON object whose members are merged first (canonical metadata).
 */
static void
row_metadata_x(Row *r, const JrValue *obj, const char *const *mapped, const JrValue *extra,
			   const char *extra_source)
{
	static const char *const object_slots[] = {"metadata", "preferences", "profile", "context", NULL};
	bool		first = true;
	bool		any = false;
	size_t		i;

	row_key(r, "metadata");
	appendStringInfoChar(&r->buf, '{');
	if (extra && extra->type == JR_OBJECT)
	{
		for (i = 0; i < extra->count; i++)
		{
			if (strcmp(extra->members[i].key, "source") == 0)
				continue;		/* ours */
			if (!first)
				appendStringInfoChar(&r->buf, ',');
			first = false;
			jr_write_string(extra->members[i].key, extra->members[i].keylen, append_si, &r->buf);
			appendStringInfoChar(&r->buf, ':');
			jr_write(extra->members[i].value, append_si, &r->buf);
		}
	}
	for (i = 0; obj && obj->type == JR_OBJECT && i < obj->count; i++)
	{
		const JrMember *m = &obj->members[i];

		if (in_list(m->key, mapped))
			continue;
		if (!any)
		{
			if (!first)
				appendStringInfoChar(&r->buf, ',');
			appendStringInfoString(&r->buf, "\"source\":{");
			any = true;
		}
		else
			appendStringInfoChar(&r->buf, ',');
		jr_write_string(m->key, m->keylen, append_si, &r->buf);
		appendStringInfoChar(&r->buf, ':');
		if (m->value->type == JR_ARRAY && m->value->count == 0 && in_list(m->key, object_slots))
			appendStringInfoString(&r->buf, "{}");
		else
			jr_write(m->value, append_si, &r->buf);
	}
	if (extra_source)
	{
		if (!any)
		{
			if (!first)
				appendStringInfoChar(&r->buf, ',');
			appendStringInfoString(&r->buf, "\"source\":{");
			any = true;
		}
		else
			appendStringInfoChar(&r->buf, ',');
		appendStringInfoString(&r->buf, extra_source);
	}
	if (any)
		appendStringInfoChar(&r->buf, '}');
	appendStringInfoChar(&r->buf, '}');
}

/* The metadata column without extra source members. */
static void
row_metadata(Row *r, const JrValue *obj, const char *const *mapped, const JrValue *extra)
{
	row_metadata_x(r, obj, mapped, extra, NULL);
}

/* An object-typed value, with [] read as {}; NULL if neither. */
static bool
is_objectish(const JrValue *v)
{
	return v && (v->type == JR_OBJECT || (v->type == JR_ARRAY && v->count == 0));
}

/* Write an object-typed column, [] read as {}. */
static void
row_object(Row *r, const char *key, const JrValue *v)
{
	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type == JR_ARRAY && v->count == 0)
		row_raw(r, key, "{}");
	else
		row_json(r, key, v);
}

/* A string member, or NULL if absent or JSON null; *bad if another type. */
static const JrValue *
get_string(const JrValue *obj, const char *key, bool *bad)
{
	const JrValue *v = jr_get(obj, key);

	if (v == NULL || v->type == JR_NULL)
		return NULL;
	if (v->type != JR_STRING)
	{
		if (bad)
			*bad = true;
		return NULL;
	}
	return v;
}

/* Name of a JSON type, for messages. */
static const char *
type_name(const JrValue *v)
{
	switch (v->type)
	{
		case JR_NULL:
			return "null";
		case JR_TRUE:
		case JR_FALSE:
			return "a boolean";
		case JR_NUMBER:
			return "a number";
		case JR_STRING:
			return "a string";
		case JR_ARRAY:
			return "an array";
		case JR_OBJECT:
			return "an object";
	}
	return "?";
}

/* Whether s holds only white space (the journal_entries content check). */
static bool
is_blank(const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (!(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f'))
			return false;
	return true;
}

/* Parse exactly n digits at s[*p]; -1 if not digits. */
static int
digits(const char *s, size_t len, size_t *p, int n)
{
	int			v = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (*p >= len || s[*p] < '0' || s[*p] > '9')
			return -1;
		v = v * 10 + (s[(*p)++] - '0');
	}
	return v;
}

/*
 * Parse the timestamp grammar of the legacy writers:
 * YYYY-MM-DD[( |T)HH:MM[:SS[.f...]]][Z|(+|-)HH[:]MM|(+|-)HH].  Naive values
 * are read in naive_tz.  Fills *ts, *naive and the naive/local date *tm.
 */
static bool
parse_ts(const char *s, size_t len, pg_tz *naive_tz, TimestampTz *ts, bool *naive, struct pg_tm *tm)
{
	size_t		p = 0;
	fsec_t		fsec = 0;
	int			tz = 0;
	Timestamp	result;

	memset(tm, 0, sizeof(*tm));
	tm->tm_year = digits(s, len, &p, 4);
	if (tm->tm_year < 1 || p >= len || s[p++] != '-')
		return false;
	tm->tm_mon = digits(s, len, &p, 2);
	if (tm->tm_mon < 1 || tm->tm_mon > 12 || p >= len || s[p++] != '-')
		return false;
	tm->tm_mday = digits(s, len, &p, 2);
	if (tm->tm_mday < 1 || tm->tm_mday > day_tab[isleap(tm->tm_year)][tm->tm_mon - 1])
		return false;
	if (p < len && (s[p] == ' ' || s[p] == 'T'))
	{
		p++;
		tm->tm_hour = digits(s, len, &p, 2);
		if (tm->tm_hour < 0 || tm->tm_hour > 23 || p >= len || s[p++] != ':')
			return false;
		tm->tm_min = digits(s, len, &p, 2);
		if (tm->tm_min < 0 || tm->tm_min > 59)
			return false;
		if (p < len && s[p] == ':')
		{
			p++;
			tm->tm_sec = digits(s, len, &p, 2);
			if (tm->tm_sec < 0 || tm->tm_sec > 59)
				return false;
			if (p < len && s[p] == '.')
			{
				int			scale = 100000;
				int			nd = 0;

				p++;
				while (p < len && s[p] >= '0' && s[p] <= '9')
				{
					if (nd < 6)
						fsec += (s[p] - '0') * scale;
					scale /= 10;
					nd++;
					p++;
				}
				if (nd == 0)
					return false;
			}
		}
	}
	*naive = true;
	if (p < len && (s[p] == 'Z' || s[p] == 'z'))
	{
		p++;
		*naive = false;
	}
	else if (p < len && (s[p] == '+' || s[p] == '-'))
	{
		int			sign = (s[p++] == '-') ? -1 : 1;
		int			hh = digits(s, len, &p, 2);
		int			mm = 0;

		if (hh < 0 || hh > 15)
			return false;
		if (p < len && s[p] == ':')
			p++;
		if (p < len)
		{
			mm = digits(s, len, &p, 2);
			if (mm < 0 || mm > 59)
				return false;
		}
		tz = -sign * (hh * 3600 + mm * 60);
		*naive = false;
	}
	if (p != len)
		return false;
	if (*naive)
		tz = DetermineTimeZoneOffset(tm, naive_tz);
	if (tm2timestamp(tm, fsec, &tz, &result) != 0)
		return false;
	*ts = result;
	return true;
}

/* "YYYY-MM-DD" of ts in time zone tz. */
static void
local_date(TimestampTz ts, pg_tz *tz, char *buf)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			off;

	if (timestamp2tm(ts, &off, &tm, &fsec, NULL, tz) != 0)
	{
		buf[0] = '\0';
		return;
	}
	snprintf(buf, 11, "%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
}

/* Per-record mapping context: the record, its owner and the first failure. */
typedef struct Map
{
	ImportState *st;
	JrRecord   *rec;
	const JrValue *obj;
	ImportKind	kind;
	int64		offset;
	const char *source_id;
	int			sqlstate;
	char		message[300];
} Map;

/* Record the first failure of a row (later ones are ignored). */
static void
map_fail(Map *m, int sqlstate, const char *fmt,...)
{
	va_list		ap;

	if (m->sqlstate)
		return;
	m->sqlstate = sqlstate;
	va_start(ap, fmt);
	vsnprintf(m->message, sizeof(m->message), fmt, ap);
	va_end(ap);
}

/* Reject the row if a failure was recorded; true if it was. */
static bool
map_rejected(Map *m)
{
	if (!m->sqlstate)
		return false;
	ImportReject(m->st, m->kind, m->offset, m->source_id, m->sqlstate, m->message);
	return true;
}

/* Start mapping a row of kind from obj at offset. */
static void
map_init(Map *m, ImportState *st, JrRecord *rec, const JrValue *obj, ImportKind kind, int64 offset)
{
	memset(m, 0, sizeof(Map));
	m->st = st;
	m->rec = rec;
	m->obj = obj;
	m->kind = kind;
	m->offset = offset;
	if (obj == NULL || obj->type != JR_OBJECT)
		map_fail(m, ERRCODE_INVALID_PARAMETER_VALUE, "record is %s, not a JSON object",
				 obj ? type_name(obj) : "missing");
}

/* A timestamp member into column col; returns true and *ts when present and valid. */
static bool
map_ts(Map *m, Row *r, const char *key, const char *col, pg_tz *tz, TimestampTz *ts, struct pg_tm *tm, bool *naive)
{
	bool		bad = false;
	const JrValue *v = get_string(m->obj, key, &bad);
	TimestampTz t;
	struct pg_tm tmp;
	bool		nv;

	if (bad)
		map_fail(m, ERRCODE_INVALID_DATETIME_FORMAT, "%s is %s, not a timestamp string", key, type_name(jr_get(m->obj, key)));
	if (v == NULL)
		return false;
	if (!parse_ts(v->str, v->len, tz, &t, &nv, tm ? tm : &tmp))
	{
		map_fail(m, ERRCODE_INVALID_DATETIME_FORMAT, "%s \"%.40s\" is not a valid timestamp", key, v->str);
		return false;
	}
	if (col)
		row_ts(r, col, t);
	if (ts)
		*ts = t;
	if (naive)
		*naive = nv;
	return true;
}

/* The row id: the source uuid, or UUIDv5 of (prefix, source id). */
static void
map_id(Map *m, const char *prefix, const JrValue *idv, pg_uuid_t *id)
{
	if (idv && idv->type == JR_STRING)
	{
		if (!JournalingParseUuid(idv->str, idv->len, id))
			JournalingUuid5Pair(prefix, idv->str, idv->len, id);
		m->source_id = idv->str;
	}
	else if (idv && idv->type == JR_NUMBER)
	{
		JournalingUuid5Pair(prefix, idv->str, idv->len, id);
		m->source_id = idv->str;
	}
	else if (idv && idv->type != JR_NULL)
		map_fail(m, ERRCODE_INVALID_TEXT_REPRESENTATION, "id is %s, not a string", type_name(idv));
}

/* Reject a second row with the same id in one file. */
static void
map_unique(Map *m, const pg_uuid_t *id)
{
	int64		first;
	char		txt[40];

	if (m->sqlstate)
		return;
	if (!ImportFirstSeen(m->st, m->kind, id, &first))
	{
		JournalingUuidText(id, txt);
		map_fail(m, ERRCODE_UNIQUE_VIOLATION, "duplicate id %s: record %lld of this file has the same id",
				 txt, (long long) first);
	}
}

/* content: a string that is not blank. */
static const JrValue *
map_content(Map *m, const char *key, bool required)
{
	const JrValue *v = jr_get(m->obj, key);

	if (v == NULL || v->type == JR_NULL)
	{
		if (required)
			map_fail(m, ERRCODE_NOT_NULL_VIOLATION, "%s is missing", key);
		return NULL;
	}
	if (v->type != JR_STRING)
	{
		map_fail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a string", key, type_name(v));
		return NULL;
	}
	if (required && is_blank(v->str, v->len))
		map_fail(m, ERRCODE_CHECK_VIOLATION, "%s is blank", key);
	return v;
}

/* A text member into a column; anything but a string or null fails. */
static void
map_text(Map *m, Row *r, const char *key, const char *col)
{
	bool		bad = false;
	const JrValue *v = get_string(m->obj, key, &bad);

	if (bad)
		map_fail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a string", key, type_name(jr_get(m->obj, key)));
	else if (v)
		row_text(r, col, v->str, v->len);
}

/* A boolean member into a column. */
static void
map_bool(Map *m, Row *r, const char *key, const char *col)
{
	const JrValue *v = jr_get(m->obj, key);

	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type != JR_TRUE && v->type != JR_FALSE)
		map_fail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a boolean", key, type_name(v));
	else
		row_raw(r, col, v->type == JR_TRUE ? "true" : "false");
}

/* A finite number member into a column (non-finite and sentinels: NULL). */
static void
map_number(Map *m, Row *r, const char *key, const char *col)
{
	const JrValue *v = jr_get(m->obj, key);

	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type != JR_NUMBER)
		map_fail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a number", key, type_name(v));
	else if (!(v->flags & (JR_NUM_NONFINITE | JR_NUM_SENTINEL)))
		row_raw(r, col, v->str);
}

/* An array of strings into a text[] column ([] when absent). */
static void
map_tags(Map *m, Row *r, const char *key, const char *col)
{
	const JrValue *v = jr_get(m->obj, key);
	size_t		i;

	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type != JR_ARRAY)
	{
		map_fail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not an array of strings", key, type_name(v));
		return;
	}
	for (i = 0; i < v->count; i++)
		if (v->items[i]->type != JR_STRING)
		{
			map_fail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s[%zu] is %s, not a string", key, i, type_name(v->items[i]));
			return;
		}
	row_json(r, col, v);
}

/* A mood: a word of the five-step scale, or a number within [-1, 1]. */
static void
map_mood(Map *m, Row *r, const char *key)
{
	static const char *const words[] = {"very_negative", "negative", "neutral", "positive", "very_positive"};
	static const char *const scores[] = {"-1", "-0.5", "0", "0.5", "1"};
	const JrValue *v = jr_get(m->obj, key);
	int			i;

	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type == JR_STRING)
	{
		for (i = 0; i < 5; i++)
			if (strcmp(v->str, words[i]) == 0)
				row_raw(r, "mood_score", scores[i]);
		row_text(r, "mood_label", v->str, v->len);
		return;
	}
	if (v->type != JR_NUMBER)
	{
		map_fail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a number or a mood word", key, type_name(v));
		return;
	}
	if (v->flags & (JR_NUM_NONFINITE | JR_NUM_SENTINEL))
		return;
	{
		double		d = strtod(v->str, NULL);

		if (d < -1.0 || d > 1.0)
			map_fail(m, ERRCODE_CHECK_VIOLATION, "%s %s is outside [-1, 1]", key, v->str);
		else
			row_raw(r, "mood_score", v->str);
	}
}

/* Owner of single-user sources. */
static void
row_owner(Row *r, ImportState *st)
{
	row_uuid(r, "user_id", ImportOwner(st));
}

/*
 * Canonical entries: arrays of objects whose keys are our column names.
 */
static void
map_canonical_entry(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "title", "content", "entry_date", "mood_score", "mood_label",
		"tags", "categories", "topic_id", "is_private", "is_favorite", "word_count", "search_vector",
		"metadata", "created_at", "updated_at", "user_id", "source", "source_id", NULL};
	Map			m;
	Row			r;
	pg_uuid_t	id;
	const JrValue *content;
	TimestampTz created;
	bool		has_created;
	bool		naive;
	struct pg_tm tm;
	bool		bad = false;
	const JrValue *v;
	pg_tz	   *tz = ImportTimezone(st, true);

	map_init(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (map_rejected(&m))
		return;
	row_begin(&r);
	row_owner(&r, st);
	v = jr_get(m.obj, "id");
	if (v && v->type == JR_STRING)
		map_id(&m, "entries", v, &id);
	else
	{
		content = get_string(m.obj, "content", NULL);
		if (content)
			JournalingUuid5Pair("entries", content->str, content->len, &id);
		else
			JournalingUuid5Pair("entries", "", 0, &id);
		if (v && v->type != JR_NULL)
			map_fail(&m, ERRCODE_INVALID_TEXT_REPRESENTATION, "id is %s, not a uuid string", type_name(v));
	}
	row_uuid(&r, "id", &id);
	map_text(&m, &r, "title", "title");
	content = map_content(&m, "content", true);
	if (content)
		row_text(&r, "content", content->str, content->len);
	has_created = map_ts(&m, &r, "created_at", "created_at", tz, &created, &tm, &naive);
	map_ts(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	v = get_string(m.obj, "entry_date", &bad);
	if (bad)
		map_fail(&m, ERRCODE_INVALID_DATETIME_FORMAT, "entry_date is not a date string");
	if (v)
		row_text(&r, "entry_date", v->str, v->len);	/* the server validates it */
	else if (has_created)
	{
		char		d[16];

		local_date(created, tz, d);
		row_cstr(&r, "entry_date", d);
	}
	map_mood(&m, &r, "mood_score");
	map_text(&m, &r, "mood_label", "mood_label");
	map_tags(&m, &r, "tags", "tags");
	map_tags(&m, &r, "categories", "categories");
	v = get_string(m.obj, "topic_id", &bad);
	if (v)
	{
		pg_uuid_t	t;

		if (JournalingParseUuid(v->str, v->len, &t))
			row_uuid(&r, "topic_id", &t);
		else
			map_fail(&m, ERRCODE_INVALID_TEXT_REPRESENTATION, "topic_id \"%.40s\" is not a uuid", v->str);
	}
	map_bool(&m, &r, "is_private", "is_private");
	map_bool(&m, &r, "is_favorite", "is_favorite");
	v = jr_get(m.obj, "metadata");
	if (v && !is_objectish(v) && v->type != JR_NULL)
		map_fail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "metadata is %s, not an object", type_name(v));
	row_metadata(&r, m.obj, mapped, v);
	row_cstr(&r, "source", "canonical");
	if (m.source_id)
		row_cstr(&r, "source_id", m.source_id);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_ENTRIES, m.offset, m.source_id);
}

/* Canonical sessions: arrays of objects whose keys are our column names. */
static void
map_canonical_session(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "title", "session_type", "status", "context", "ai_model",
		"system_prompt", "temperature", "message_count", "last_message_at", "tags", "metadata",
		"created_at", "updated_at", "ended_at", "user_id", "source", "source_id", NULL};
	Map			m;
	Row			r;
	pg_uuid_t	id;
	const JrValue *v;
	pg_tz	   *tz = ImportTimezone(st, false);

	map_init(&m, st, rec, rec->value, IK_SESSIONS, rec->offset);
	if (map_rejected(&m))
		return;
	row_begin(&r);
	row_owner(&r, st);
	v = jr_get(m.obj, "id");
	if (v == NULL || v->type != JR_STRING)
		map_fail(&m, ERRCODE_INVALID_TEXT_REPRESENTATION, "id is missing or not a string");
	else
		map_id(&m, "sessions", v, &id);
	if (m.sqlstate)
	{
		map_rejected(&m);
		return;
	}
	row_uuid(&r, "id", &id);
	map_text(&m, &r, "title", "title");
	map_text(&m, &r, "session_type", "session_type");
	map_text(&m, &r, "status", "status");
	v = jr_get(m.obj, "context");
	if (v && !is_objectish(v) && v->type != JR_NULL)
		map_fail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "context is %s, not an object", type_name(v));
	row_object(&r, "context", v);
	map_text(&m, &r, "ai_model", "ai_model");
	map_text(&m, &r, "system_prompt", "system_prompt");
	map_number(&m, &r, "temperature", "temperature");
	map_number(&m, &r, "message_count", "message_count");
	map_ts(&m, &r, "last_message_at", "last_message_at", tz, NULL, NULL, NULL);
	map_tags(&m, &r, "tags", "tags");
	v = jr_get(m.obj, "metadata");
	if (v && !is_objectish(v) && v->type != JR_NULL)
		map_fail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "metadata is %s, not an object", type_name(v));
	row_metadata(&r, m.obj, mapped, v);
	map_ts(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
	map_ts(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	map_ts(&m, &r, "ended_at", "ended_at", tz, NULL, NULL, NULL);
	row_cstr(&r, "source", "canonical");
	row_cstr(&r, "source_id", m.source_id);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_SESSIONS, m.offset, m.source_id);
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
	Map			m;
	Row			r;
	pg_uuid_t	id;
	JrValue		keyval;
	const JrValue *idv;
	const JrValue *content;
	const JrValue *v;
	struct pg_tm tm;
	bool		naive;
	TimestampTz created;
	pg_tz	   *tz = ImportTimezone(st, true);

	map_init(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (rec->key)
		m.source_id = rec->key;
	if (map_rejected(&m))
		return;
	row_begin(&r);
	row_owner(&r, st);
	idv = keyed_id(rec, &keyval);
	if (idv)
		map_id(&m, "journaling_ai.entries", idv, &id);
	else
	{
		/* dual-write payload without id: derive it from title and content */
		StringInfoData name;
		const JrValue *t = get_string(m.obj, "title", NULL);
		const JrValue *c = get_string(m.obj, "content", NULL);

		initStringInfo(&name);
		if (t)
			appendBinaryStringInfo(&name, t->str, (int) t->len);
		appendStringInfoChar(&name, '\x1f');
		if (c)
			appendBinaryStringInfo(&name, c->str, (int) c->len);
		JournalingUuid5Pair("journaling_ai.entries", name.data, name.len, &id);
	}
	row_uuid(&r, "id", &id);
	map_text(&m, &r, "title", "title");
	content = map_content(&m, "content", true);
	if (content)
		row_text(&r, "content", content->str, content->len);
	if (map_ts(&m, &r, "created_at", "created_at", tz, &created, &tm, &naive))
	{
		char		d[16];

		if (naive)
			snprintf(d, sizeof(d), "%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
		else
			local_date(created, tz, d);
		row_cstr(&r, "entry_date", d);
	}
	map_ts(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	map_mood(&m, &r, "mood");
	map_tags(&m, &r, "tags", "tags");
	v = get_string(m.obj, "topic_id", NULL);
	if (v)
	{
		pg_uuid_t	t;

		if (JournalingParseUuid(v->str, v->len, &t))
			row_uuid(&r, "topic_id", &t);
	}
	map_bool(&m, &r, "is_favorite", "is_favorite");
	row_metadata(&r, m.obj, mapped, NULL);
	row_cstr(&r, "source", "journaling_ai");
	if (m.source_id)
		row_cstr(&r, "source_id", m.source_id);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_ENTRIES, m.offset, m.source_id);
}

/* Journaling AI topics.json. */
static void
map_jai_topic(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "name", "description", "color", "tags", "created_at", NULL};
	Map			m;
	Row			r;
	pg_uuid_t	id;
	JrValue		keyval;
	const JrValue *idv;
	const JrValue *name;

	map_init(&m, st, rec, rec->value, IK_TOPICS, rec->offset);
	if (rec->key)
		m.source_id = rec->key;
	if (map_rejected(&m))
		return;
	row_begin(&r);
	row_owner(&r, st);
	idv = keyed_id(rec, &keyval);
	name = map_content(&m, "name", true);
	if (idv)
		map_id(&m, "journaling_ai.topics", idv, &id);
	else if (name)
		JournalingUuid5Pair("journaling_ai.topics", name->str, name->len, &id);
	if (m.sqlstate)
	{
		map_rejected(&m);
		return;
	}
	row_uuid(&r, "id", &id);
	row_text(&r, "name", name->str, name->len);
	map_text(&m, &r, "description", "description");
	map_text(&m, &r, "color", "color");
	map_tags(&m, &r, "tags", "tags");
	map_ts(&m, &r, "created_at", "created_at", ImportTimezone(st, true), NULL, NULL, NULL);
	row_metadata(&r, m.obj, mapped, NULL);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_TOPICS, m.offset, m.source_id);
}

/* Journaling AI sessions.json. */
static void
map_jai_session(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "session_type", "title", "status", "created_at",
		"updated_at", "message_count", "tags", NULL};
	Map			m;
	Row			r;
	pg_uuid_t	id;
	JrValue		keyval;
	const JrValue *idv;
	pg_tz	   *tz = ImportTimezone(st, false);

	map_init(&m, st, rec, rec->value, IK_SESSIONS, rec->offset);
	if (rec->key)
		m.source_id = rec->key;
	if (map_rejected(&m))
		return;
	row_begin(&r);
	row_owner(&r, st);
	idv = keyed_id(rec, &keyval);
	if (idv == NULL)
		map_fail(&m, ERRCODE_NOT_NULL_VIOLATION, "session has no id");
	else
		map_id(&m, "journaling_ai.sessions", idv, &id);
	if (m.sqlstate)
	{
		map_rejected(&m);
		return;
	}
	row_uuid(&r, "id", &id);
	map_text(&m, &r, "title", "title");
	map_text(&m, &r, "session_type", "session_type");
	map_text(&m, &r, "status", "status");
	map_number(&m, &r, "message_count", "message_count");
	map_tags(&m, &r, "tags", "tags");
	map_ts(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
	map_ts(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	row_metadata(&r, m.obj, mapped, NULL);
	row_cstr(&r, "source", "journaling_ai");
	row_cstr(&r, "source_id", m.source_id);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_SESSIONS, m.offset, m.source_id);
}

/* Journaling AI messages.json: one record per message; seq in file order per session. */
static void
map_jai_message(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"session_id", "content", "role", "timestamp", NULL};
	Map			m;
	Row			r;
	pg_uuid_t	session;
	pg_uuid_t	owner;
	JrValue		keyval;
	const JrValue *idv;
	const JrValue *sid;
	const JrValue *content;

	map_init(&m, st, rec, rec->value, IK_MESSAGES, rec->offset);
	if (map_rejected(&m))
		return;
	idv = keyed_id(rec, &keyval);
	if (idv && idv->type == JR_STRING)
		m.source_id = idv->str;
	sid = get_string(m.obj, "session_id", NULL);
	if (sid == NULL || !JournalingParseUuid(sid->str, sid->len, &session))
	{
		map_fail(&m, ERRCODE_INVALID_TEXT_REPRESENTATION, "session_id is missing or not a uuid");
		map_rejected(&m);
		return;
	}
	ImportSessionOwner(st, &session, "journaling_ai", sid->str, &owner);
	row_begin(&r);
	row_uuid(&r, "user_id", &owner);
	row_uuid(&r, "session_id", &session);
	map_text(&m, &r, "role", "role");
	content = map_content(&m, "content", false);
	if (content)
		row_text(&r, "content", content->str, content->len);
	map_ts(&m, &r, "timestamp", "created_at", ImportTimezone(st, false), NULL, NULL, NULL);
	row_metadata(&r, m.obj, mapped, NULL);
	if (map_rejected(&m))
		return;
	row_key(&r, "seq");
	appendStringInfo(&r.buf, "%d", ImportNextSeq(st, &session));
	row_emit(st, &r, IK_MESSAGES, m.offset, m.source_id);
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
	Map			m;
	Row			r;
	pg_uuid_t	id;
	pg_uuid_t	owner;
	const JrValue *uid;
	const JrValue *msgs;
	TimestampTz created = 0;
	bool		has_created;
	size_t		i;
	char		created_txt[64] = "";

	map_init(&m, st, rec, rec->value, IK_SESSIONS, rec->offset);
	if (map_rejected(&m))
		return;
	uid = get_string(m.obj, "user_id", NULL);
	if (uid)
		legacy_user(st, "llm_council.user", "llm_council", uid, &owner);
	else
		owner = *ImportOwner(st);
	map_id(&m, "llm_council.conversation", jr_get(m.obj, "id"), &id);
	if (m.source_id == NULL)
		map_fail(&m, ERRCODE_NOT_NULL_VIOLATION, "conversation has no id");
	msgs = jr_get(m.obj, "messages");
	if (msgs && msgs->type != JR_ARRAY && msgs->type != JR_NULL)
		map_fail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "messages is %s, not an array", type_name(msgs));
	row_begin(&r);
	row_uuid(&r, "user_id", &owner);
	row_uuid(&r, "id", &id);
	map_text(&m, &r, "title", "title");
	row_cstr(&r, "session_type", "llm_council");
	has_created = map_ts(&m, &r, "created_at", "created_at", ImportTimezone(st, false), &created, NULL, NULL);
	if (msgs && msgs->type == JR_ARRAY)
	{
		row_key(&r, "message_count");
		appendStringInfo(&r.buf, "%zu", msgs->count);
	}
	row_metadata(&r, m.obj, mapped, NULL);
	row_cstr(&r, "source", "llm_council");
	row_cstr(&r, "source_id", m.source_id);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_SESSIONS, m.offset, m.source_id);

	if (has_created)
	{
		Row			tmp;

		row_begin(&tmp);
		tmp.first = true;
		row_ts(&tmp, "x", created);
		/* keep just the quoted value */
		snprintf(created_txt, sizeof(created_txt), "%s", strchr(tmp.buf.data, ':') + 1);
	}
	for (i = 0; msgs && msgs->type == JR_ARRAY && i < msgs->count; i++)
	{
		Map			mm;
		Row			mr;
		const JrValue *role;
		const JrValue *stage3;
		char		sid[64];

		map_init(&mm, st, rec, msgs->items[i], IK_MESSAGES, msgs->items[i]->offset);
		snprintf(sid, sizeof(sid), "%s#%zu", m.source_id, i + 1);
		mm.source_id = pstrdup(sid);
		if (map_rejected(&mm))
			continue;
		row_begin(&mr);
		row_uuid(&mr, "user_id", &owner);
		row_uuid(&mr, "session_id", &id);
		row_key(&mr, "seq");
		appendStringInfo(&mr.buf, "%zu", i + 1);
		role = get_string(mm.obj, "role", NULL);
		if (role)
			row_text(&mr, "role", role->str, role->len);
		stage3 = jr_get(mm.obj, "stage3");
		if (stage3 && stage3->type == JR_OBJECT)
		{
			const JrValue *resp = jr_get(stage3, "response");
			const JrValue *model = jr_get(stage3, "model");

			if (resp && resp->type == JR_STRING)
				row_text(&mr, "content", resp->str, resp->len);
			else if (resp && resp->type != JR_NULL)
				map_fail(&mm, ERRCODE_INVALID_PARAMETER_VALUE, "stage3.response is %s, not a string", type_name(resp));
			if (model && model->type == JR_STRING)
				row_text(&mr, "model", model->str, model->len);
		}
		else
		{
			const JrValue *content = map_content(&mm, "content", false);

			if (content)
				row_text(&mr, "content", content->str, content->len);
		}
		if (jr_get(mm.obj, "stage1") || jr_get(mm.obj, "stage2") || stage3)
		{
			bool		first = true;
			static const char *const stages[] = {"stage1", "stage2", "stage3"};
			int			s;

			row_key(&mr, "stages");
			appendStringInfoChar(&mr.buf, '{');
			for (s = 0; s < 3; s++)
			{
				const JrValue *sv = jr_get(mm.obj, stages[s]);

				if (sv == NULL)
					continue;
				if (!first)
					appendStringInfoChar(&mr.buf, ',');
				first = false;
				appendStringInfo(&mr.buf, "\"%s\":", stages[s]);
				jr_write(sv, append_si, &mr.buf);
			}
			appendStringInfoChar(&mr.buf, '}');
		}
		if (created_txt[0])
			row_raw(&mr, "created_at", created_txt);
		{
			/* Mirmer's metadata is the message metadata; other fields under source */
			const JrValue *md = jr_get(mm.obj, "metadata");

			if (md && !is_objectish(md) && md->type != JR_NULL)
				map_fail(&mm, ERRCODE_INVALID_PARAMETER_VALUE, "metadata is %s, not an object", type_name(md));
			row_metadata(&mr, mm.obj, msg_mapped, md);
		}
		if (map_rejected(&mm))
			continue;
		row_emit(st, &mr, IK_MESSAGES, mm.offset, mm.source_id);
	}
}

/* LLM Council (Mirmer) usage.json. */
static void
map_council_usage(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"user_id", "tier", "daily_count", "monthly_count",
		"total_queries", "last_daily_reset", "last_monthly_reset", NULL};
	Map			m;
	Row			r;
	pg_uuid_t	owner;
	const JrValue *uid;

	map_init(&m, st, rec, rec->value, IK_USAGE, rec->offset);
	if (map_rejected(&m))
		return;
	uid = get_string(m.obj, "user_id", NULL);
	if (uid)
	{
		legacy_user(st, "llm_council.user", "llm_council", uid, &owner);
		m.source_id = uid->str;
	}
	else
		owner = *ImportOwner(st);
	row_begin(&r);
	row_uuid(&r, "user_id", &owner);
	map_text(&m, &r, "tier", "tier");
	map_number(&m, &r, "daily_count", "daily_used");
	map_number(&m, &r, "monthly_count", "monthly_used");
	map_number(&m, &r, "total_queries", "total_queries");
	map_text(&m, &r, "last_daily_reset", "last_reset_daily");
	map_text(&m, &r, "last_monthly_reset", "last_reset_monthly");
	row_metadata(&r, m.obj, mapped, NULL);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_USAGE, m.offset, m.source_id);
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
	Map			m;
	Row			r;
	pg_uuid_t	id;
	pg_uuid_t	owner;
	const JrValue *chat;
	const JrValue *uid;
	pg_tz	   *tz = ImportTimezone(st, false);

	map_init(&m, st, rec, rec->value, IK_SESSIONS, rec->offset);
	if (map_rejected(&m))
		return;
	chat = get_string(m.obj, "chat_id", NULL);
	if (chat == NULL)
	{
		map_fail(&m, ERRCODE_NOT_NULL_VIOLATION, "chat_id is missing");
		map_rejected(&m);
		return;
	}
	m.source_id = chat->str;
	JournalingUuid5Pair("donna.session", chat->str, chat->len, &id);
	uid = get_string(m.obj, "user_id", NULL);
	if (uid)
		legacy_user(st, "donna.user", "donna", uid, &owner);
	else
		owner = *ImportOwner(st);
	row_begin(&r);
	row_uuid(&r, "user_id", &owner);
	row_uuid(&r, "id", &id);
	row_cstr(&r, "session_type", "donna");
	map_ts(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
	map_ts(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	map_ts(&m, &r, "last_message_at", "last_message_at", tz, NULL, NULL, NULL);
	map_number(&m, &r, "message_count", "message_count");
	row_metadata(&r, m.obj, mapped, NULL);
	row_cstr(&r, "source", "donna");
	row_text(&r, "source_id", chat->str, chat->len);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_SESSIONS, m.offset, m.source_id);
}

/* Donna <chat_id>.json: an array of messages (DAL) or of bare {role, content} (pre-DAL). */
static void
map_donna_message(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"role", "content", "created_at", "sequence_number", NULL};
	Map			m;
	Row			r;
	pg_uuid_t	session;
	pg_uuid_t	owner;
	const char *chat = ImportOption(st, "chat_id");
	const JrValue *content;
	const JrValue *seqv;
	int			seq;
	char		sid[200];

	if (chat == NULL)
		chat = file_stem(st, NULL);
	map_init(&m, st, rec, rec->value, IK_MESSAGES, rec->offset);
	if (chat == NULL)
		map_fail(&m, ERRCODE_INVALID_PARAMETER_VALUE, "the chat id of a Donna history comes from its file name or the chat_id option");
	if (map_rejected(&m))
		return;
	JournalingUuid5Pair("donna.session", chat, strlen(chat), &session);
	ImportSessionOwner(st, &session, "donna", chat, &owner);
	seq = ImportNextSeq(st, &session);
	seqv = jr_get(m.obj, "sequence_number");
	if (seqv && seqv->type == JR_NUMBER && !(seqv->flags & (JR_NUM_NONFINITE | JR_NUM_SENTINEL)))
		seq = atoi(seqv->str);
	snprintf(sid, sizeof(sid), "%s#%d", chat, seq);
	m.source_id = pstrdup(sid);
	row_begin(&r);
	row_uuid(&r, "user_id", &owner);
	row_uuid(&r, "session_id", &session);
	row_key(&r, "seq");
	appendStringInfo(&r.buf, "%d", seq);
	map_text(&m, &r, "role", "role");
	content = map_content(&m, "content", false);
	if (content)
		row_text(&r, "content", content->str, content->len);
	map_ts(&m, &r, "created_at", "created_at", ImportTimezone(st, false), NULL, NULL, NULL);
	row_metadata(&r, m.obj, mapped, NULL);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_MESSAGES, m.offset, m.source_id);
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
			Map			m;
			Row			r;
			char		sid[300];

			map_init(&m, st, rec, e, IK_MEMORY, e->offset);
			snprintf(sid, sizeof(sid), "%s/%s", obj->members[t].key, keys->members[k].key);
			m.source_id = pstrdup(sid);
			m.sqlstate = 0;		/* any value is a memory */
			row_begin(&r);
			row_uuid(&r, "user_id", &owner);
			row_cstr(&r, "memory_type", obj->members[t].key);
			row_cstr(&r, "key", keys->members[k].key);
			if (e->type == JR_OBJECT && jr_get(e, "value"))
			{
				row_json(&r, "value", jr_get(e, "value"));
				map_ts(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
				map_ts(&m, &r, "created_at", "updated_at", tz, NULL, NULL, NULL);
				map_ts(&m, &r, "expires_at", "expires_at", tz, NULL, NULL, NULL);
			}
			else
				row_json(&r, "value", e);
			if (map_rejected(&m))
				continue;
			row_emit(st, &r, IK_MEMORY, m.offset, m.source_id);
		}
	}
}

/* Donna users/<id>.json. */
static void
map_donna_user(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"id", "email", "name", "profile", "preferences",
		"created_at", "updated_at", NULL};
	Map			m;
	Row			r;
	pg_uuid_t	id;
	const JrValue *idv;
	pg_tz	   *tz = ImportTimezone(st, false);

	map_init(&m, st, rec, rec->value, IK_USERS, rec->offset);
	if (map_rejected(&m))
		return;
	idv = get_string(m.obj, "id", NULL);
	if (idv == NULL)
	{
		map_fail(&m, ERRCODE_NOT_NULL_VIOLATION, "user has no id");
		map_rejected(&m);
		return;
	}
	m.source_id = idv->str;
	JournalingUuid5Pair("donna.user", idv->str, idv->len, &id);
	row_begin(&r);
	row_uuid(&r, "id", &id);
	map_text(&m, &r, "email", "email");
	map_text(&m, &r, "name", "full_name");
	row_object(&r, "profile", jr_get(m.obj, "profile"));
	row_object(&r, "preferences", jr_get(m.obj, "preferences"));
	map_ts(&m, &r, "created_at", "created_at", tz, NULL, NULL, NULL);
	map_ts(&m, &r, "updated_at", "updated_at", tz, NULL, NULL, NULL);
	row_metadata(&r, m.obj, mapped, NULL);
	row_cstr(&r, "source", "donna");
	row_text(&r, "source_id", idv->str, idv->len);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_USERS, m.offset, m.source_id);
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
	Map			m;
	Row			r;
	pg_uuid_t	id;
	const JrValue *text;
	const JrValue *zone;
	const JrValue *rich;
	TimestampTz created;
	pg_tz	   *tz = ImportTimezone(st, true);

	map_init(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (map_rejected(&m))
		return;
	map_id(&m, "dayone", jr_get(m.obj, "uuid"), &id);
	if (m.source_id == NULL)
		map_fail(&m, ERRCODE_NOT_NULL_VIOLATION, "entry has no uuid");
	zone = get_string(m.obj, "timeZone", NULL);
	if (zone)
	{
		pg_tz	   *z = pg_tzset(zone->str);

		if (z)
			tz = z;
	}
	row_begin(&r);
	row_owner(&r, st);
	row_uuid(&r, "id", &id);
	text = map_content(&m, "text", true);
	if (text)
	{
		size_t		len;
		char	   *content = dayone_unescape(text->str, text->len, &len);
		char	   *nl = memchr(content, '\n', len);
		size_t		first = nl ? (size_t) (nl - content) : len;

		row_text(&r, "content", content, len);
		if (first > 2 && content[0] == '#')
		{
			size_t		h = 0;

			while (h < first && content[h] == '#')
				h++;
			while (h < first && content[h] == ' ')
				h++;
			if (h < first)
				row_text(&r, "title", content + h, first - h);
		}
	}
	if (map_ts(&m, &r, "creationDate", "created_at", tz, &created, NULL, NULL))
	{
		char		d[16];

		local_date(created, tz, d);
		row_cstr(&r, "entry_date", d);
		if (jr_get(m.obj, "modifiedDate") == NULL)
			row_ts(&r, "updated_at", created);
	}
	map_ts(&m, &r, "modifiedDate", "updated_at", tz, NULL, NULL, NULL);
	map_tags(&m, &r, "tags", "tags");
	map_bool(&m, &r, "starred", "is_favorite");
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
		jr_write(doc ? doc : rich, append_si, &x);
		row_metadata_x(&r, m.obj, mapped, NULL, x.data);
	}
	else
		row_metadata(&r, m.obj, mapped, NULL);
	row_cstr(&r, "source", "dayone");
	if (m.source_id)
		row_cstr(&r, "source_id", m.source_id);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_ENTRIES, m.offset, m.source_id);
}

/* jrnl's tag rule: (?<!\S)@[-+*#/\w]+, lower-cased, in order, without repeats. */
static void
jrnl_tags(Row *r, const char *s, size_t len)
{
	size_t		i;
	List	   *seen = NIL;
	bool		first = true;

	row_key(r, "tags");
	appendStringInfoChar(&r->buf, '[');
	for (i = 0; i < len; i++)
	{
		size_t		j;
		char	   *tag;
		ListCell   *lc;
		bool		dup = false;

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
		foreach(lc, seen)
			if (strcmp(lfirst(lc), tag) == 0)
			dup = true;
		if (dup)
			continue;
		seen = lappend(seen, tag);
		if (!first)
			appendStringInfoChar(&r->buf, ',');
		first = false;
		jr_write_string(tag, strlen(tag), append_si, &r->buf);
	}
	appendStringInfoChar(&r->buf, ']');
}

/* jrnl --export json: {"tags", "entries": [...]}. */
static void
map_jrnl(ImportState *st, JrRecord *rec)
{
	static const char *const mapped[] = {"title", "body", "date", "time", "tags", "starred", "uuid", NULL};
	Map			m;
	Row			r;
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

	map_init(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (map_rejected(&m))
		return;
	title = map_content(&m, "title", false);
	body = map_content(&m, "body", false);
	date = get_string(m.obj, "date", NULL);
	time = get_string(m.obj, "time", NULL);
	uuid = get_string(m.obj, "uuid", NULL);
	initStringInfo(&content);
	if (title)
		appendBinaryStringInfo(&content, title->str, (int) title->len);
	if (body)
		appendBinaryStringInfo(&content, body->str, (int) body->len);
	if (is_blank(content.data, content.len))
		map_fail(&m, ERRCODE_CHECK_VIOLATION, "entry text is blank");
	initStringInfo(&key);
	appendStringInfo(&key, "%s %s ", date ? date->str : "", time ? time->str : "");
	if (title)
		appendBinaryStringInfo(&key, title->str, (int) title->len);
	if (uuid)
		map_id(&m, "jrnl", uuid, &id);
	else
	{
		JournalingUuid5Pair("jrnl", key.data, key.len, &id);
		m.source_id = key.data;
	}
	row_begin(&r);
	row_owner(&r, st);
	row_uuid(&r, "id", &id);
	if (title)
		row_text(&r, "title", title->str, title->len);
	row_text(&r, "content", content.data, content.len);
	if (date)
	{
		char		buf[64];

		snprintf(buf, sizeof(buf), "%s%s%s", date->str, time ? " " : "", time ? time->str : "");
		if (parse_ts(buf, strlen(buf), tz, &ts, &naive, &tm))
		{
			row_ts(&r, "created_at", ts);
			row_ts(&r, "updated_at", ts);
			row_text(&r, "entry_date", date->str, date->len);
		}
		else
			map_fail(&m, ERRCODE_INVALID_DATETIME_FORMAT, "date \"%.20s\" and time are not a valid timestamp", date->str);
	}
	if (jr_get(m.obj, "tags"))
		map_tags(&m, &r, "tags", "tags");
	else
		jrnl_tags(&r, content.data, content.len);
	map_bool(&m, &r, "starred", "is_favorite");
	row_metadata(&r, m.obj, mapped, NULL);
	row_cstr(&r, "source", "jrnl");
	row_cstr(&r, "source_id", m.source_id);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_ENTRIES, m.offset, m.source_id);
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
	Map			m;
	Row			r;
	pg_uuid_t	id;
	const JrValue *text;
	const JrValue *zone;
	const JrValue *mood;
	TimestampTz ts;
	pg_tz	   *tz = ImportTimezone(st, true);

	map_init(&m, st, rec, rec->value, IK_ENTRIES, rec->offset);
	if (map_rejected(&m))
		return;
	map_id(&m, "journey", jr_get(m.obj, "id"), &id);
	if (m.source_id == NULL)
		map_fail(&m, ERRCODE_NOT_NULL_VIOLATION, "entry has no id");
	zone = get_string(m.obj, "timezone", NULL);
	if (zone && zone->len > 0)
	{
		pg_tz	   *z = pg_tzset(zone->str);

		if (z)
			tz = z;
	}
	row_begin(&r);
	row_owner(&r, st);
	row_uuid(&r, "id", &id);
	text = map_content(&m, "text", true);
	if (text)
		row_text(&r, "content", text->str, text->len);
	if (epoch_ms(jr_get(m.obj, "date_journal"), &ts))
	{
		char		d[16];

		row_ts(&r, "created_at", ts);
		local_date(ts, tz, d);
		row_cstr(&r, "entry_date", d);
	}
	else if (jr_get(m.obj, "date_journal"))
		map_fail(&m, ERRCODE_INVALID_DATETIME_FORMAT, "date_journal is not epoch milliseconds");
	if (epoch_ms(jr_get(m.obj, "date_modified"), &ts))
		row_ts(&r, "updated_at", ts);
	mood = jr_get(m.obj, "mood");
	if (mood && mood->type == JR_NUMBER && strtod(mood->str, NULL) != 0.0)
		map_mood(&m, &r, "mood");	/* 0 = unset */
	map_tags(&m, &r, "tags", "tags");
	map_bool(&m, &r, "favourite", "is_favorite");
	row_metadata(&r, m.obj, mapped, NULL);
	row_cstr(&r, "source", "journey");
	if (m.source_id)
		row_cstr(&r, "source_id", m.source_id);
	map_unique(&m, &id);
	if (map_rejected(&m))
		return;
	row_emit(st, &r, IK_ENTRIES, m.offset, m.source_id);
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
		if (strcmp(first->key, "date_journal") == 0 || strcmp(first->key, "date_modified") == 0 ||
			(base && strlen(base) > 22 && base[13] == '-'))
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
