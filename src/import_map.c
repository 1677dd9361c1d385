/*
 * import_map.c — building blocks of the format mappers (import_formats.c).
 *
 * Rows under construction (JSON objects of column values), the metadata
 * column with unmapped source fields kept verbatim, the legacy timestamp
 * grammar, and the per-row checks that reject a record in C with a SQLSTATE
 * before it reaches the server: types, blank content, mood range, ids.
 */
#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "journaling.h"
#include "json_reader.h"


/* Append callback for jr_write into a StringInfo. */
void
ImpAppendSi(void *ctx, const char *s, size_t n)
{
	appendBinaryStringInfo((StringInfo) ctx, s, (int) n);
}

/*
 * Append s as a JSON string literal: at once when it is at most a chunk long
 * and holds nothing to escape, else through jr_write_string (which checks
 * for interrupts on long strings).
 */
static void
ImpAppendString(StringInfo buf, const char *s, size_t len)
{
	if (len <= JR_CHUNK_SIZE && jr_plain_length(s, len) == len)
	{
		enlargeStringInfo(buf, (int) len + 2);
		buf->data[buf->len] = '"';
		memcpy(buf->data + buf->len + 1, s, len);
		buf->len += (int) len + 2;
		buf->data[buf->len - 1] = '"';
		buf->data[buf->len] = '\0';
	}
	else
		jr_write_string(s, len, ImpAppendSi, buf);
}

/* Start a row. */
void
ImpRowBegin(ImpRow *r)
{
	initStringInfo(&r->buf);
	appendStringInfoChar(&r->buf, '{');
	r->first = true;
	r->nkeys = 0;
}

/* Write a key (a column name: nothing to escape) and the colon. */
void
ImpRowKey(ImpRow *r, const char *key)
{
	int			len = (int) strlen(key);
	char	   *p;

	Assert(jr_plain_length(key, len) == (size_t) len);
	if (r->nkeys == IMP_ROW_MAX_KEYS)
		elog(ERROR, "import row has more than %d columns", IMP_ROW_MAX_KEYS);
	enlargeStringInfo(&r->buf, len + 4);
	p = r->buf.data + r->buf.len;
	if (!r->first)
		*p++ = ',';
	r->first = false;
	r->keys[r->nkeys++] = p - r->buf.data;
	*p++ = '"';
	memcpy(p, key, len);
	p += len;
	*p++ = '"';
	*p++ = ':';
	*p = '\0';
	r->buf.len = p - r->buf.data;
}

/* A text column (omitted when s is NULL). */
void
ImpRowText(ImpRow *r, const char *key, const char *s, size_t len)
{
	if (s == NULL)
		return;
	ImpRowKey(r, key);
	ImpAppendString(&r->buf, s, len);
}

/* A text column from a NUL-terminated string. */
void
ImpRowCstr(ImpRow *r, const char *key, const char *s)
{
	if (s)
		ImpRowText(r, key, s, strlen(s));
}

/* A column holding raw JSON text. */
void
ImpRowRaw(ImpRow *r, const char *key, const char *json)
{
	ImpRowKey(r, key);
	appendStringInfoString(&r->buf, json);
}

/* A column holding a source value verbatim (as JSON). */
void
ImpRowJson(ImpRow *r, const char *key, const JrValue *v)
{
	if (v == NULL)
		return;
	ImpRowKey(r, key);
	jr_write(v, ImpAppendSi, &r->buf);
}

/* A uuid column. */
void
ImpRowUuid(ImpRow *r, const char *key, const pg_uuid_t *u)
{
	char		txt[40];

	ImpRowKey(r, key);
	txt[0] = '"';
	JournalingUuidText(u, txt + 1);
	txt[37] = '"';
	appendBinaryStringInfo(&r->buf, txt, 38);
}

/* A timestamptz column, written in UTC. */
void
ImpRowTs(ImpRow *r, const char *key, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char		txt[40];
	char	   *p = txt;
	int			fields[7];
	static const int widths[7] = {4, 2, 2, 2, 2, 2, 6};
	static const char seps[7] = {'-', '-', ' ', ':', ':', '.', '+'};
	int			i;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		return;
	ImpRowKey(r, key);
	if (tm.tm_year < 1 || tm.tm_year > 9999)
	{
		appendStringInfo(&r->buf, "\"%04d-%02d-%02d %02d:%02d:%02d.%06d+00\"",
						 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
		return;
	}
	/* the same text without a printf per row: every field fits its width */
	fields[0] = tm.tm_year;
	fields[1] = tm.tm_mon;
	fields[2] = tm.tm_mday;
	fields[3] = tm.tm_hour;
	fields[4] = tm.tm_min;
	fields[5] = tm.tm_sec;
	fields[6] = (int) fsec;
	*p++ = '"';
	for (i = 0; i < 7; i++)
	{
		int			w,
					v = fields[i];

		for (w = widths[i] - 1; w >= 0; w--, v /= 10)
			p[w] = (char) ('0' + v % 10);
		p += widths[i];
		*p++ = seps[i];
	}
	memcpy(p, "00\"", 3);
	appendBinaryStringInfo(&r->buf, txt, (int) (p + 3 - txt));
}

/* Finish a row and hand it to the importer. */
void
ImpRowEmit(ImportState *st, ImpRow *r, ImportKind kind, int64 offset, const char *source_id)
{
	appendStringInfoChar(&r->buf, '}');
	ImportEmit(st, kind, offset, source_id, r);
}

/* Whether key is one of a NULL-terminated list. */
static bool
ImpInList(const char *key, const char *const *list)
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
void
ImpRowMetadataX(ImpRow *r, const JrValue *obj, const char *const *mapped, const JrValue *extra,
			   const char *extra_source)
{
	static const char *const object_slots[] = {"metadata", "preferences", "profile", "context", NULL};
	bool		first = true;
	bool		any = false;
	size_t		i;

	ImpRowKey(r, "metadata");
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
			jr_write_string(extra->members[i].key, extra->members[i].keylen, ImpAppendSi, &r->buf);
			appendStringInfoChar(&r->buf, ':');
			jr_write(extra->members[i].value, ImpAppendSi, &r->buf);
		}
	}
	for (i = 0; obj && obj->type == JR_OBJECT && i < obj->count; i++)
	{
		const JrMember *m = &obj->members[i];

		if (ImpInList(m->key, mapped))
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
		jr_write_string(m->key, m->keylen, ImpAppendSi, &r->buf);
		appendStringInfoChar(&r->buf, ':');
		if (m->value->type == JR_ARRAY && m->value->count == 0 && ImpInList(m->key, object_slots))
			appendStringInfoString(&r->buf, "{}");
		else
			jr_write(m->value, ImpAppendSi, &r->buf);
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
void
ImpRowMetadata(ImpRow *r, const JrValue *obj, const char *const *mapped, const JrValue *extra)
{
	ImpRowMetadataX(r, obj, mapped, extra, NULL);
}

/* An object-typed value, with [] read as {}; NULL if neither. */
bool
ImpIsObjectish(const JrValue *v)
{
	return v && (v->type == JR_OBJECT || (v->type == JR_ARRAY && v->count == 0));
}

/* Write an object-typed column, [] read as {}. */
void
ImpRowObject(ImpRow *r, const char *key, const JrValue *v)
{
	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type == JR_ARRAY && v->count == 0)
		ImpRowRaw(r, key, "{}");
	else
		ImpRowJson(r, key, v);
}

/* A string member, or NULL if absent or JSON null; *bad if another type. */
const JrValue *
ImpGetString(const JrValue *obj, const char *key, bool *bad)
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
const char *
ImpTypeName(const JrValue *v)
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
bool
ImpIsBlank(const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (!(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f'))
			return false;
	return true;
}

/* Parse exactly n ImpDigits at s[*p]; -1 if not ImpDigits. */
static int
ImpDigits(const char *s, size_t len, size_t *p, int n)
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
bool
ImpParseTs(const char *s, size_t len, pg_tz *naive_tz, TimestampTz *ts, bool *naive, struct pg_tm *tm)
{
	size_t		p = 0;
	fsec_t		fsec = 0;
	int			tz = 0;
	Timestamp	result;

	memset(tm, 0, sizeof(*tm));
	tm->tm_year = ImpDigits(s, len, &p, 4);
	if (tm->tm_year < 1 || p >= len || s[p++] != '-')
		return false;
	tm->tm_mon = ImpDigits(s, len, &p, 2);
	if (tm->tm_mon < 1 || tm->tm_mon > 12 || p >= len || s[p++] != '-')
		return false;
	tm->tm_mday = ImpDigits(s, len, &p, 2);
	if (tm->tm_mday < 1 || tm->tm_mday > day_tab[isleap(tm->tm_year)][tm->tm_mon - 1])
		return false;
	if (p < len && (s[p] == ' ' || s[p] == 'T'))
	{
		p++;
		tm->tm_hour = ImpDigits(s, len, &p, 2);
		if (tm->tm_hour < 0 || tm->tm_hour > 23 || p >= len || s[p++] != ':')
			return false;
		tm->tm_min = ImpDigits(s, len, &p, 2);
		if (tm->tm_min < 0 || tm->tm_min > 59)
			return false;
		if (p < len && s[p] == ':')
		{
			p++;
			tm->tm_sec = ImpDigits(s, len, &p, 2);
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
		int			hh = ImpDigits(s, len, &p, 2);
		int			mm = 0;

		if (hh < 0 || hh > 15)
			return false;
		if (p < len && s[p] == ':')
			p++;
		if (p < len)
		{
			mm = ImpDigits(s, len, &p, 2);
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
void
ImpLocalDate(TimestampTz ts, pg_tz *tz, char *buf)
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


/*
 * Record the first failure of a row (later ones are ignored).  From then on
 * the ImpMap helpers only check (the first failure is the one reported) and
 * no longer write to the row, which is discarded.
 */
void
ImpMapFail(ImpMap *m, int sqlstate, const char *fmt,...)
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
bool
ImpMapRejected(ImpMap *m)
{
	if (!m->sqlstate)
		return false;
	ImportReject(m->st, m->kind, m->offset, m->source_id, m->sqlstate, m->message);
	return true;
}

/* Start mapping a row of kind from obj at offset. */
void
ImpMapInit(ImpMap *m, ImportState *st, JrRecord *rec, const JrValue *obj, ImportKind kind, int64 offset)
{
	memset(m, 0, sizeof(ImpMap));
	m->st = st;
	m->rec = rec;
	m->obj = obj;
	m->kind = kind;
	m->offset = offset;
	if (obj == NULL || obj->type != JR_OBJECT)
		ImpMapFail(m, ERRCODE_INVALID_PARAMETER_VALUE, "record is %s, not a JSON object",
				 obj ? ImpTypeName(obj) : "missing");
}

/* A timestamp member into column col; returns true and *ts when present and valid. */
bool
ImpMapTs(ImpMap *m, ImpRow *r, const char *key, const char *col, pg_tz *tz, TimestampTz *ts, struct pg_tm *tm, bool *naive)
{
	bool		bad = false;
	const JrValue *v = ImpGetString(m->obj, key, &bad);
	TimestampTz t;
	struct pg_tm tmp;
	bool		nv;

	if (bad)
		ImpMapFail(m, ERRCODE_INVALID_DATETIME_FORMAT, "%s is %s, not a timestamp string", key, ImpTypeName(jr_get(m->obj, key)));
	if (v == NULL)
		return false;
	if (!ImpParseTs(v->str, v->len, tz, &t, &nv, tm ? tm : &tmp))
	{
		ImpMapFail(m, ERRCODE_INVALID_DATETIME_FORMAT, "%s \"%.40s\" is not a valid timestamp", key, v->str);
		return false;
	}
	if (col && !m->sqlstate)
		ImpRowTs(r, col, t);
	if (ts)
		*ts = t;
	if (naive)
		*naive = nv;
	return true;
}

/* The row id: the source uuid, or UUIDv5 of (prefix, source id). */
void
ImpMapId(ImpMap *m, const char *prefix, const JrValue *idv, pg_uuid_t *id)
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
		ImpMapFail(m, ERRCODE_INVALID_TEXT_REPRESENTATION, "id is %s, not a string", ImpTypeName(idv));
}

/* Reject a second row with the same id in one file. */
void
ImpMapUnique(ImpMap *m, const pg_uuid_t *id)
{
	int64		first;
	char		txt[40];

	if (m->sqlstate)
		return;
	if (!ImportFirstSeen(m->st, m->kind, id, &first))
	{
		JournalingUuidText(id, txt);
		ImpMapFail(m, ERRCODE_UNIQUE_VIOLATION, "duplicate id %s: record %lld of this file has the same id",
				 txt, (long long) first);
	}
}

/* content: a string that is not blank. */
const JrValue *
ImpMapContent(ImpMap *m, const char *key, bool required)
{
	const JrValue *v = jr_get(m->obj, key);

	if (v == NULL || v->type == JR_NULL)
	{
		if (required)
			ImpMapFail(m, ERRCODE_NOT_NULL_VIOLATION, "%s is missing", key);
		return NULL;
	}
	if (v->type != JR_STRING)
	{
		ImpMapFail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a string", key, ImpTypeName(v));
		return NULL;
	}
	if (required && ImpIsBlank(v->str, v->len))
		ImpMapFail(m, ERRCODE_CHECK_VIOLATION, "%s is blank", key);
	return v;
}

/* A text member into a column; anything but a string or null fails. */
void
ImpMapText(ImpMap *m, ImpRow *r, const char *key, const char *col)
{
	bool		bad = false;
	const JrValue *v = ImpGetString(m->obj, key, &bad);

	if (bad)
		ImpMapFail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a string", key, ImpTypeName(jr_get(m->obj, key)));
	else if (v && !m->sqlstate)
		ImpRowText(r, col, v->str, v->len);
}

/* A boolean member into a column. */
void
ImpMapBool(ImpMap *m, ImpRow *r, const char *key, const char *col)
{
	const JrValue *v = jr_get(m->obj, key);

	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type != JR_TRUE && v->type != JR_FALSE)
		ImpMapFail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a boolean", key, ImpTypeName(v));
	else if (!m->sqlstate)
		ImpRowRaw(r, col, v->type == JR_TRUE ? "true" : "false");
}

/* A finite number member into a column (non-finite and sentinels: NULL). */
void
ImpMapNumber(ImpMap *m, ImpRow *r, const char *key, const char *col)
{
	const JrValue *v = jr_get(m->obj, key);

	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type != JR_NUMBER)
		ImpMapFail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a number", key, ImpTypeName(v));
	else if (!(v->flags & (JR_NUM_NONFINITE | JR_NUM_SENTINEL)) && !m->sqlstate)
		ImpRowRaw(r, col, v->str);
}

/* An array of strings into a text[] column ([] when absent). */
void
ImpMapTags(ImpMap *m, ImpRow *r, const char *key, const char *col)
{
	const JrValue *v = jr_get(m->obj, key);
	size_t		i;

	if (v == NULL || v->type == JR_NULL)
		return;
	if (v->type != JR_ARRAY)
	{
		ImpMapFail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not an array of strings", key, ImpTypeName(v));
		return;
	}
	for (i = 0; i < v->count; i++)
		if (v->items[i]->type != JR_STRING)
		{
			ImpMapFail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s[%zu] is %s, not a string", key, i, ImpTypeName(v->items[i]));
			return;
		}
	if (!m->sqlstate)
		ImpRowJson(r, col, v);
}

/* A mood: a word of the five-step scale, or a number within [-1, 1]. */
void
ImpMapMood(ImpMap *m, ImpRow *r, const char *key)
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
				ImpRowRaw(r, "mood_score", scores[i]);
		ImpRowText(r, "mood_label", v->str, v->len);
		return;
	}
	if (v->type != JR_NUMBER)
	{
		ImpMapFail(m, ERRCODE_INVALID_PARAMETER_VALUE, "%s is %s, not a number or a mood word", key, ImpTypeName(v));
		return;
	}
	if (v->flags & (JR_NUM_NONFINITE | JR_NUM_SENTINEL))
		return;
	{
		double		d = strtod(v->str, NULL);

		if (d < -1.0 || d > 1.0)
			ImpMapFail(m, ERRCODE_CHECK_VIOLATION, "%s %s is outside [-1, 1]", key, v->str);
		else
			ImpRowRaw(r, "mood_score", v->str);
	}
}

/* Owner of single-user sources. */
void
ImpRowOwner(ImpRow *r, ImportState *st)
{
	ImpRowUuid(r, "user_id", ImportOwner(st));
}
