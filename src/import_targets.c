/*
 * import_targets.c — the tables the importer writes and its batch INSERT.
 *
 * Every target table's columns with the expression that fills each one
 * (defaults for NOT NULL columns, the topic reference checked for
 * visibility), the prepared INSERT ... SELECT over one array parameter per
 * column (unnest in the select list; a text[] cast to the column's type by
 * the input functions COPY uses, or for uuid and timestamptz columns an
 * array of that type, whose values the importer wrote itself and reads back
 * without the input function), and the conversion of a normalized row value
 * into an array element.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "journaling.h"
#include "json_reader.h"

/* Column lists of the target tables: name and the expression that fills it. */
typedef struct TargetColumn
{
	const char *name;
	const char *expr;			/* NULL: r.<name> */
	bool		key;			/* part of the ON CONFLICT target */
} TargetColumn;

static const TargetColumn users_cols[] = {
	{"id", NULL, true}, {"username", NULL, false}, {"email", NULL, false}, {"full_name", NULL, false},
	{"preferences", "COALESCE(r.preferences, '{}')", false}, {"profile", "COALESCE(r.profile, '{}')", false},
	{"is_active", "COALESCE(r.is_active, true)", false}, {"metadata", "COALESCE(r.metadata, '{}')", false},
	{"source", NULL, false}, {"source_id", NULL, false},
	{"created_at", "COALESCE(r.created_at, pg_catalog.now())", false},
	{"updated_at", "COALESCE(r.updated_at, r.created_at, pg_catalog.now())", false}, {NULL, NULL, false}
};
static const TargetColumn topics_cols[] = {
	{"user_id", NULL, true}, {"id", NULL, true}, {"name", NULL, false}, {"description", NULL, false}, {"color", NULL, false},
	{"tags", "COALESCE(r.tags, '{}')", false}, {"is_system", "COALESCE(r.is_system, false)", false},
	{"metadata", "COALESCE(r.metadata, '{}')", false},
	{"created_at", "COALESCE(r.created_at, pg_catalog.now())", false}, {NULL, NULL, false}
};
static const TargetColumn sessions_cols[] = {
	{"user_id", NULL, true}, {"id", NULL, true}, {"title", NULL, false}, {"session_type", NULL, false},
	{"status", "COALESCE(r.status, 'active')", false}, {"context", "COALESCE(r.context, '{}')", false},
	{"ai_model", NULL, false}, {"system_prompt", NULL, false}, {"temperature", NULL, false},
	{"message_count", "COALESCE(r.message_count, 0)", false}, {"last_message_at", NULL, false},
	{"tags", "COALESCE(r.tags, '{}')", false}, {"metadata", "COALESCE(r.metadata, '{}')", false},
	{"source", NULL, false}, {"source_id", NULL, false},
	{"created_at", "COALESCE(r.created_at, pg_catalog.now())", false},
	{"updated_at", "COALESCE(r.updated_at, r.created_at, pg_catalog.now())", false}, {"ended_at", NULL, false}, {NULL, NULL, false}
};
static const TargetColumn entries_cols[] = {
	{"user_id", NULL, true}, {"id", NULL, true}, {"title", NULL, false}, {"content", NULL, false},
	{"entry_date", "COALESCE(r.entry_date, CURRENT_DATE)", false}, {"mood_score", NULL, false}, {"mood_label", NULL, false},
	{"tags", "COALESCE(r.tags, '{}')", false}, {"categories", "COALESCE(r.categories, '{}')", false},
	{"topic_id", "CASE WHEN r.topic_id IS NULL THEN NULL WHEN EXISTS (SELECT 1 FROM journaling.topics tp WHERE tp.user_id OPERATOR(pg_catalog.=) r.user_id AND tp.id OPERATOR(pg_catalog.=) r.topic_id) THEN r.topic_id END", false},
	{"is_private", "COALESCE(r.is_private, false)", false}, {"is_favorite", "COALESCE(r.is_favorite, false)", false},
	{"metadata", "COALESCE(r.metadata, '{}')", false}, {"source", NULL, false}, {"source_id", NULL, false},
	{"created_at", "COALESCE(r.created_at, pg_catalog.now())", false},
	{"updated_at", "COALESCE(r.updated_at, r.created_at, pg_catalog.now())", false}, {NULL, NULL, false}
};
static const TargetColumn messages_cols[] = {
	{"user_id", NULL, true}, {"session_id", NULL, true}, {"seq", NULL, true}, {"role", NULL, false},
	{"content", NULL, false}, {"stages", NULL, false}, {"metadata", "COALESCE(r.metadata, '{}')", false}, {"model", NULL, false},
	{"token_count", NULL, false}, {"processing_time_ms", NULL, false},
	{"created_at", "COALESCE(r.created_at, pg_catalog.now())", false}, {NULL, NULL, false}
};
static const TargetColumn memory_cols[] = {
	{"user_id", NULL, true}, {"memory_type", NULL, true}, {"key", NULL, true}, {"value", NULL, false},
	{"created_at", "COALESCE(r.created_at, pg_catalog.now())", false},
	{"updated_at", "COALESCE(r.updated_at, r.created_at, pg_catalog.now())", false}, {"expires_at", NULL, false}, {NULL, NULL, false}
};
static const TargetColumn usage_cols[] = {
	{"user_id", NULL, true}, {"tier", "COALESCE(r.tier, 'free')", false},
	{"daily_used", "COALESCE(r.daily_used, 0)", false}, {"daily_limit", NULL, false},
	{"monthly_used", "COALESCE(r.monthly_used, 0)", false}, {"monthly_limit", NULL, false},
	{"total_queries", "COALESCE(r.total_queries, 0)", false}, {"last_reset_daily", NULL, false},
	{"last_reset_monthly", NULL, false}, {"metadata", "COALESCE(r.metadata, '{}')", false}, {NULL, NULL, false}
};

static const char *const target_table[IMPORT_KIND_COUNT] = {
	"users", "topics", "chat_sessions", "journal_entries", "messages", "user_memory", "usage"
};
static const TargetColumn *const target_cols[IMPORT_KIND_COUNT] = {
	users_cols, topics_cols, sessions_cols, entries_cols, messages_cols, memory_cols, usage_cols
};

/* SQL type of a target column (the column names are the same in every table). */
static const char *
column_type(const char *name)
{
	static const char *const uuids[] = {"id", "user_id", "session_id", "topic_id", NULL};
	static const char *const jsonbs[] = {"preferences", "profile", "metadata", "context", "stages", "value", NULL};
	static const char *const stamps[] = {"created_at", "updated_at", "ended_at", "last_message_at", "expires_at", NULL};
	static const char *const dates[] = {"entry_date", "last_reset_daily", "last_reset_monthly", NULL};
	static const char *const int4s[] = {"message_count", "seq", "token_count", "processing_time_ms",
	"daily_used", "daily_limit", "monthly_used", "monthly_limit", NULL};
	const char *const *n;

	for (n = uuids; *n; n++)
		if (strcmp(*n, name) == 0)
			return "pg_catalog.uuid";
	for (n = jsonbs; *n; n++)
		if (strcmp(*n, name) == 0)
			return "pg_catalog.jsonb";
	for (n = stamps; *n; n++)
		if (strcmp(*n, name) == 0)
			return "pg_catalog.timestamptz";
	for (n = dates; *n; n++)
		if (strcmp(*n, name) == 0)
			return "pg_catalog.date";
	for (n = int4s; *n; n++)
		if (strcmp(*n, name) == 0)
			return "pg_catalog.int4";
	if (strcmp(name, "tags") == 0 || strcmp(name, "categories") == 0)
		return "pg_catalog.text[]";
	if (strncmp(name, "is_", 3) == 0)
		return "pg_catalog.bool";
	if (strcmp(name, "mood_score") == 0)
		return "pg_catalog.numeric";
	if (strcmp(name, "temperature") == 0)
		return "pg_catalog.float8";
	if (strcmp(name, "total_queries") == 0)
		return "pg_catalog.int8";
	return "pg_catalog.text";
}

/* How a column of a SQL type reads a row value (IMPORT_COL_*). */
static int
type_how(const char *type)
{
	if (strcmp(type, "pg_catalog.text[]") == 0)
		return IMPORT_COL_ARRAY;
	if (strcmp(type, "pg_catalog.jsonb") == 0)
		return IMPORT_COL_JSON;
	if (strcmp(type, "pg_catalog.uuid") == 0)
		return IMPORT_COL_UUID;
	if (strcmp(type, "pg_catalog.timestamptz") == 0)
		return IMPORT_COL_STAMP;
	return IMPORT_COL_PLAIN;
}

/* Number of target columns of a kind. */
int
ImportColumnCount(ImportKind kind)
{
	const TargetColumn *c;
	int			n = 0;

	for (c = target_cols[kind]; c->name; c++)
		n++;
	return n;
}

/*
 * The batch INSERT of a kind: a duplicate primary key raises, is skipped or
 * updates the row (IMPORT_CONFLICT_*).  The rows come from one unnest per
 * text[] parameter in the select list (evaluated in lockstep by a ProjectSet
 * node, without materializing the arrays as a table function scan would).
 */
char *
ImportInsertSql(ImportKind kind, int conflict)
{
	StringInfoData sql;
	const TargetColumn *c;
	const char *table = target_table[kind];
	bool		first;
	int			i;

	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO journaling.%s AS t (", table);
	for (c = target_cols[kind], first = true; c->name; c++, first = false)
		appendStringInfo(&sql, "%s%s", first ? "" : ", ", c->name);
	appendStringInfoString(&sql, ") SELECT ");
	for (c = target_cols[kind], first = true; c->name; c++, first = false)
		if (c->expr)
			appendStringInfo(&sql, "%s%s", first ? "" : ", ", c->expr);
		else
			appendStringInfo(&sql, "%sr.%s", first ? "" : ", ", c->name);
	/*
	 * One array parameter per column: a text[] cast like COPY's input
	 * functions would, or an array of the column's type.
	 */
	appendStringInfoString(&sql, " FROM (SELECT ");
	for (c = target_cols[kind], i = 0; c->name; c++, i++)
	{
		int			how = type_how(column_type(c->name));
		bool		typed = how == IMPORT_COL_UUID || how == IMPORT_COL_STAMP;

		appendStringInfo(&sql, "%spg_catalog.unnest($%d)%s%s AS %s", i ? ", " : "", i + 1,
						 typed ? "" : "::", typed ? "" : column_type(c->name), c->name);
	}
	appendStringInfoString(&sql, ") r");
	if (conflict == IMPORT_CONFLICT_ERROR)
		return sql.data;
	/*
	 * The primary key is the only arbiter: a row that collides on another
	 * unique constraint (a topic name, a source id under another id) fails
	 * and is reported instead of silently skipped.
	 */
	appendStringInfoString(&sql, " ON CONFLICT (");
	for (c = target_cols[kind], first = true; c->name; c++)
		if (c->key)
		{
			appendStringInfo(&sql, "%s%s", first ? "" : ", ", c->name);
			first = false;
		}
	if (conflict == IMPORT_CONFLICT_SKIP)
		appendStringInfoString(&sql, ") DO NOTHING");
	else
	{
		appendStringInfoString(&sql, ") DO UPDATE SET ");
		for (c = target_cols[kind], first = true; c->name; c++)
			if (!c->key)
			{
				appendStringInfo(&sql, "%s%s = EXCLUDED.%s", first ? "" : ", ", c->name, c->name);
				first = false;
			}
	}
	return sql.data;
}

/* Append callback for jr_write into a StringInfo. */
static void
append_si(void *ctx, const char *s, size_t n)
{
	appendBinaryStringInfo((StringInfo) ctx, s, (int) n);
}

/* A row value as the text its column's input function reads; NULL for JSON null. */
text *
ImportColumnText(const JrValue *v, int how)
{
	StringInfoData buf;
	size_t		i;

	if (how == IMPORT_COL_JSON && v->type != JR_NULL)
	{
		initStringInfo(&buf);
		jr_write(v, append_si, &buf);
		return cstring_to_text_with_len(buf.data, buf.len);
	}
	switch (v->type)
	{
		case JR_NULL:
			return NULL;
		case JR_STRING:
		case JR_NUMBER:
			return cstring_to_text_with_len(v->str, (int) v->len);
		case JR_TRUE:
			return cstring_to_text("true");
		case JR_FALSE:
			return cstring_to_text("false");
		default:
			break;
	}
	initStringInfo(&buf);
	if (how == IMPORT_COL_ARRAY && v->type == JR_ARRAY)
	{
		/*
		 * A text[] literal: every element quoted, " and \ escaped (runs
		 * between escapes copied at once); cancellable between elements.
		 */
		appendStringInfoChar(&buf, '{');
		for (i = 0; i < v->count; i++)
		{
			const JrValue *e = v->items[i];
			size_t		k,
						run = 0;

			CHECK_FOR_INTERRUPTS();
			if (i)
				appendStringInfoChar(&buf, ',');
			if (e->type == JR_NULL)
			{
				appendStringInfoString(&buf, "NULL");
				continue;
			}
			appendStringInfoChar(&buf, '"');
			for (k = 0; e->str && k < e->len; k++)
				if (e->str[k] == '"' || e->str[k] == '\\')
				{
					appendBinaryStringInfo(&buf, e->str + run, (int) (k - run));
					appendStringInfoChar(&buf, '\\');
					run = k;
				}
			if (e->str)
				appendBinaryStringInfo(&buf, e->str + run, (int) (e->len - run));
			appendStringInfoChar(&buf, '"');
		}
		appendStringInfoChar(&buf, '}');
	}
	else
		jr_write(v, append_si, &buf);
	return cstring_to_text_with_len(buf.data, buf.len);
}

/* Allocator for re-reading a value: the current memory context. */
static void *
raw_alloc(void *ctx, size_t size)
{
	return palloc(size);
}

/*
 * Whether json[0 .. len) is a JSON array of strings without escapes or white
 * space, as jr_write() writes one: then it is a text[] literal but for its
 * brackets.
 */
static bool
array_of_plain_strings(const char *json, size_t len)
{
	size_t		p = 1;

	if (len < 2 || json[0] != '[' || json[len - 1] != ']' || memchr(json, '\\', len) != NULL)
		return false;
	if (len == 2)
		return true;
	for (;;)
	{
		const char *close;

		if (json[p] != '"')
			return false;
		close = memchr(json + p + 1, '"', len - p - 1);
		if (close == NULL)
			return false;
		p = close - json + 1;
		if (p == len - 1)
			return true;
		if (json[p] != ',')
			return false;
		p++;
	}
}

/*
 * The value json[0 .. len) of a row written by import_map.c, as the text its
 * column's input function reads; NULL for JSON null.  A jsonb column takes
 * the JSON as is, and a string without escapes, a number or a boolean is
 * taken as written; anything else is parsed (as ImportColumnText reads it).
 */
static text *
ImportColumnTextRaw(const char *json, size_t len, int how)
{
	char		err[160];
	JrValue    *v;

	if (len == 4 && memcmp(json, "null", 4) == 0)
		return NULL;
	if (how == IMPORT_COL_JSON)
		return cstring_to_text_with_len(json, (int) len);
	if (how == IMPORT_COL_PLAIN && len >= 2 && json[0] == '"' && memchr(json, '\\', len) == NULL)
		return cstring_to_text_with_len(json + 1, (int) len - 2);
	if (how == IMPORT_COL_PLAIN && (json[0] == '-' || (json[0] >= '0' && json[0] <= '9') ||
									json[0] == 't' || json[0] == 'f'))
		return cstring_to_text_with_len(json, (int) len);
	if (how == IMPORT_COL_ARRAY && array_of_plain_strings(json, len))
	{
		/* ["a","b c"] reads as {"a","b c"}: the quoted elements are the same */
		text	   *t = cstring_to_text_with_len(json, (int) len);

		VARDATA(t)[0] = '{';
		VARDATA(t)[len - 1] = '}';
		return t;
	}
	v = jr_parse_document(json, len, raw_alloc, NULL, err, sizeof(err));
	if (v == NULL)
		elog(ERROR, "import produced an invalid row: %s", err);
	return ImportColumnText(v, how);
}

/* Name of column i of a kind. */
const char *
ImportColumnName(ImportKind kind, int i)
{
	return target_cols[kind][i].name;
}

/* How column i of a kind reads a row value (IMPORT_COL_*). */
int
ImportColumnHow(ImportKind kind, int i)
{
	return type_how(column_type(target_cols[kind][i].name));
}

/* The element type of the array parameter of a column that reads values as how says. */
void
ImportColumnElement(int how, Oid *elemtype, int16 *typlen, bool *typbyval, char *typalign)
{
	if (how == IMPORT_COL_UUID)
	{
		*elemtype = UUIDOID;
		*typlen = UUID_LEN;
		*typbyval = false;
		*typalign = TYPALIGN_CHAR;
	}
	else if (how == IMPORT_COL_STAMP)
	{
		*elemtype = TIMESTAMPTZOID;
		*typlen = sizeof(TimestampTz);
		*typbyval = FLOAT8PASSBYVAL;
		*typalign = TYPALIGN_DOUBLE;
	}
	else
	{
		*elemtype = TEXTOID;
		*typlen = -1;
		*typbyval = false;
		*typalign = TYPALIGN_INT;
	}
}

/* n digits at s as a number; -1 if one is not a digit. */
static int
digits(const char *s, int n)
{
	int			v = 0;

	while (n-- > 0)
	{
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/*
 * A timestamp as ImpRowTs writes it, "YYYY-MM-DD HH:MM:SS.ffffff+00" with
 * its quotes, read into *ts as timestamptz_in would read it; false for any
 * other text or a field out of its range (then timestamptz_in decides).
 */
static bool
own_timestamp(const char *json, size_t len, TimestampTz *ts)
{
	struct pg_tm tm;
	int			fsec;
	int			tz = 0;

	if (len != 31 || json[0] != '"' || json[5] != '-' || json[8] != '-' || json[11] != ' ' ||
		json[14] != ':' || json[17] != ':' || json[20] != '.' || memcmp(json + 27, "+00\"", 4) != 0)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(json + 1, 4);
	tm.tm_mon = digits(json + 6, 2);
	tm.tm_mday = digits(json + 9, 2);
	tm.tm_hour = digits(json + 12, 2);
	tm.tm_min = digits(json + 15, 2);
	tm.tm_sec = digits(json + 18, 2);
	fsec = digits(json + 21, 6);
	if (tm.tm_year < 1 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
		tm.tm_mday > day_tab[isleap(tm.tm_year)][tm.tm_mon - 1] || tm.tm_hour < 0 || tm.tm_hour > 23 ||
		tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 59 || fsec < 0)
		return false;
	return tm2timestamp(&tm, fsec, &tz, ts) == 0 && IS_VALID_TIMESTAMP(*ts);
}

/*
 * The value json[0 .. len) of a row written by import_map.c as an element
 * of its column's array parameter (*isnull for JSON null): a uuid or a
 * timestamp the importer wrote is read directly, anything else through the
 * type's input function (which raises what the cast would); other columns
 * take the text their input function reads.
 */
Datum
ImportColumnDatum(const char *json, size_t len, int how, bool *isnull)
{
	text	   *t;

	*isnull = false;
	if (how == IMPORT_COL_UUID && len == 38 && json[0] == '"')
	{
		pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));

		if (JournalingParseUuid(json + 1, 36, u))
			return UUIDPGetDatum(u);
	}
	if (how == IMPORT_COL_STAMP)
	{
		TimestampTz ts;

		if (own_timestamp(json, len, &ts))
			return TimestampTzGetDatum(ts);
	}
	t = ImportColumnTextRaw(json, len, how == IMPORT_COL_UUID || how == IMPORT_COL_STAMP ? IMPORT_COL_PLAIN : how);
	if (t == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	if (how == IMPORT_COL_UUID)
		return DirectFunctionCall1(uuid_in, CStringGetDatum(text_to_cstring(t)));
	if (how == IMPORT_COL_STAMP)
		return DirectFunctionCall3(timestamptz_in, CStringGetDatum(text_to_cstring(t)),
								   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	return PointerGetDatum(t);
}
