/*
 * entry_vector.c — keeps journal_entries.search_vector and word_count current.
 *
 * A BEFORE INSERT OR UPDATE row trigger computes
 *
 *   setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
 *   setweight(to_tsvector('english', content), 'B') ||
 *   setweight(to_tsvector('english', coalesce(array_to_string(tags, ' '), '')), 'C')
 *
 * with the same built-in functions, but reads at most
 * JOURNALING_VECTOR_INPUT_LIMIT bytes of text in total (title and tags at
 * most an eighth of it each), so a tsvector never reaches its 1 MB limit and
 * an entry of any size is still stored whole.
 * word_count is the number of whitespace-separated words of the whole
 * content (Python's str.split() rule, which the legacy apps used).
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "journaling.h"

/* Attribute numbers of the columns the trigger reads and writes. */
typedef struct EntryColumns
{
	Oid			relid;
	int			title;
	int			content;
	int			tags;
	int			word_count;
	int			search_vector;
} EntryColumns;

/* Attribute number of a required column, or an error naming it. */
static int
required_column(Relation rel, const char *name, Oid type)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0 || TupleDescAttr(desc, attnum - 1)->atttypid != type)
		ereport(ERROR,
				(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
				 errmsg("table \"%s\" has no column \"%s\" of type %s",
						RelationGetRelationName(rel), name, format_type_be(type))));
	return attnum;
}

/* Column numbers for this trigger's table, cached in fn_extra. */
static EntryColumns *
entry_columns(FunctionCallInfo fcinfo, Relation rel)
{
	EntryColumns *cols = (EntryColumns *) fcinfo->flinfo->fn_extra;

	if (cols == NULL || cols->relid != RelationGetRelid(rel))
	{
		cols = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(EntryColumns));
		cols->relid = RelationGetRelid(rel);
		cols->title = required_column(rel, "title", TEXTOID);
		cols->content = required_column(rel, "content", TEXTOID);
		cols->tags = required_column(rel, "tags", TEXTARRAYOID);
		cols->word_count = required_column(rel, "word_count", INT4OID);
		cols->search_vector = required_column(rel, "search_vector", TSVECTOROID);
		fcinfo->flinfo->fn_extra = cols;
	}
	return cols;
}

/* OID of the pg_catalog.english text search configuration (cached). */
static Oid
english_config(void)
{
	static Oid	cfg = InvalidOid;

	if (!OidIsValid(cfg))
		cfg = get_ts_config_oid(list_make2(makeString("pg_catalog"),
										   makeString("english")), false);
	return cfg;
}

/* Is this code point whitespace for Python's str.split()? */
static inline bool
is_split_space(pg_wchar c)
{
	if (c <= 0x20)
		return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
	if (c < 0x85)
		return false;
	return c == 0x85 || c == 0xA0 || c == 0x1680 ||
		(c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
		c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Bytes of content counted between two checks for interrupts. */
#define WORD_COUNT_BYTES_PER_CHECK (1024 * 1024)

/* Pointer WORD_COUNT_BYTES_PER_CHECK bytes after p, at most end. */
static inline const unsigned char *
next_check_at(const unsigned char *p, const unsigned char *end)
{
	return end - p > WORD_COUNT_BYTES_PER_CHECK ? p + WORD_COUNT_BYTES_PER_CHECK : end;
}

/*
 * Number of whitespace-separated words in s (Python's len(s.split()));
 * cancellable every megabyte (content may be up to 1 GB).
 */
int64
JournalingWordCount(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;
	const unsigned char *check = next_check_at(p, end);
	bool		utf8 = (GetDatabaseEncoding() == PG_UTF8);
	bool		in_word = false;
	int64		words = 0;

	while (p < end)
	{
		pg_wchar	c = *p;
		int			n = 1;

		if (p >= check)
		{
			CHECK_FOR_INTERRUPTS();
			check = next_check_at(p, end);
		}

		if (c >= 0x80 && utf8)
		{
			n = pg_utf_mblen(p);
			if (n > end - p)
				n = end - p;
			c = utf8_to_unicode(p);
		}
		if (is_split_space(c))
			in_word = false;
		else if (!in_word)
		{
			in_word = true;
			words++;
		}
		p += n;
	}
	return words;
}

/*
 * The length of the first at most limit bytes of s, cut on a character
 * boundary and preferably at a space so no word is split.
 */
static int
bounded_length(const char *s, int len, int limit)
{
	int			cut;
	int			i;

	if (len <= limit)
		return len;
	cut = pg_mbcliplen(s, len, limit);
	for (i = cut; i > 0 && i > cut - 64; i--)
		if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')
			return i;
	return cut;
}

/* setweight(to_tsvector('english', s), weight) */
static Datum
weighted_vector(const char *s, int len, char weight)
{
	Datum		vec = DirectFunctionCall2(to_tsvector_byid,
										  ObjectIdGetDatum(english_config()),
										  PointerGetDatum(cstring_to_text_with_len(s, len)));

	return DirectFunctionCall2(tsvector_setweight, vec, CharGetDatum(weight));
}

/* The tags joined by single spaces, NULL elements skipped (array_to_string). */
static char *
joined_tags(Datum tags, int *len)
{
	ArrayType  *arr = DatumGetArrayTypeP(tags);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	StringInfoData buf;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	initStringInfo(&buf);
	for (i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			continue;
		t = DatumGetTextPP(elems[i]);
		if (buf.len > 0)
			appendStringInfoChar(&buf, ' ');
		appendBinaryStringInfo(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	*len = buf.len;
	return buf.data;
}

/* A text column's bytes and length; NULL reads as the empty string. */
static const char *
field_text(HeapTuple tuple, int attnum, TupleDesc desc, int *len)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);
	text	   *t;

	*len = 0;
	if (isnull)
		return "";
	t = DatumGetTextPP(value);
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

/* Equal values without detoasting two copies of an unchanged toasted datum. */
static bool
same_value(Datum a, bool a_null, Datum b, bool b_null, Form_pg_attribute att)
{
	int16		typlen = att->attlen;

	if (a_null || b_null)
		return a_null && b_null;
	if (typlen == -1 &&
		VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(a)) &&
		VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(b)) &&
		memcmp(DatumGetPointer(a), DatumGetPointer(b), VARSIZE_EXTERNAL(DatumGetPointer(a))) == 0)
		return true;
	return datum_image_eq(a, b, att->attbyval, typlen);
}

/* On UPDATE: do the inputs and maintained outputs equal the old row's? */
static bool
row_unchanged(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, const EntryColumns *cols)
{
	const int	attnums[] = {cols->title, cols->content, cols->tags,
	cols->word_count, cols->search_vector};
	int			i;

	for (i = 0; i < (int) lengthof(attnums); i++)
	{
		bool		old_null,
					new_null;
		Datum		old_value = heap_getattr(oldtup, attnums[i], desc, &old_null);
		Datum		new_value = heap_getattr(newtup, attnums[i], desc, &new_null);

		if (!same_value(old_value, old_null, new_value, new_null,
						TupleDescAttr(desc, attnums[i] - 1)))
			return false;
	}
	return true;
}

/* Trigger: recompute search_vector and word_count of the new row. */
PG_FUNCTION_INFO_V1(journaling_entry_vector_trigger);
Datum
journaling_entry_vector_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	newtup;
	EntryColumns *cols;
	const char *title;
	const char *content;
	const char *tags;
	int			title_len;
	int			content_len;
	int			tags_len = 0;
	Datum		value;
	bool		isnull;
	Datum		vec;
	int64		words;
	int			replace_cols[2];
	Datum		replace_values[2];
	bool		replace_nulls[2] = {false, false};

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("entry_vector_trigger must be a BEFORE INSERT OR UPDATE row trigger")));

	desc = RelationGetDescr(trigdata->tg_relation);
	cols = entry_columns(fcinfo, trigdata->tg_relation);
	newtup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		row_unchanged(trigdata->tg_trigtuple, newtup, desc, cols))
		return PointerGetDatum(newtup);

	/* The three inputs; NULLs read as empty (content's NOT NULL is checked later). */
	title = field_text(newtup, cols->title, desc, &title_len);
	content = field_text(newtup, cols->content, desc, &content_len);
	value = heap_getattr(newtup, cols->tags, desc, &isnull);
	tags = isnull ? "" : joined_tags(value, &tags_len);

	words = JournalingWordCount(content, content_len);

	/* Title and tags may use an eighth of the budget each, content the rest. */
	title_len = bounded_length(title, title_len, JOURNALING_VECTOR_INPUT_LIMIT / 8);
	tags_len = bounded_length(tags, tags_len, JOURNALING_VECTOR_INPUT_LIMIT / 8);
	content_len = bounded_length(content, content_len,
								 JOURNALING_VECTOR_INPUT_LIMIT - title_len - tags_len);

	vec = DirectFunctionCall2(tsvector_concat,
							  weighted_vector(title, title_len, 'A'),
							  weighted_vector(content, content_len, 'B'));
	vec = DirectFunctionCall2(tsvector_concat, vec, weighted_vector(tags, tags_len, 'C'));

	if (words > PG_INT32_MAX)
		words = PG_INT32_MAX;

	replace_cols[0] = cols->search_vector;
	replace_values[0] = vec;
	replace_cols[1] = cols->word_count;
	replace_values[1] = Int32GetDatum((int32) words);

	return PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, 2,
													 replace_cols, replace_values,
													 replace_nulls));
}
