/*
 * search_prepare.c — search()'s options and query: the option object read
 * and checked, websearch_to_tsquery('english'), and typo correction.
 *
 * Typo correction itself stays SQL (journaling.search_correct_query(), with
 * pg_trgm): for every word of the query it asks whether the owner has
 * written it, and replaces a word the owner never wrote by the most similar
 * one the owner did.  search() (search.c) can often skip the asking: when
 * every word of the query must be in an entry for it to match (words joined
 * by AND and phrases only, SearchQueryAllRequired), a search that returns a
 * row has shown that the owner wrote every word, so correction would change
 * nothing; it is then run only when the search finds nothing.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "journaling.h"
#include "search_prepare.h"

static SPIPlanPtr correct_plan = NULL;

/* The text of a JSON value, as ->> gives it (NULL for null). */
static char *
search_option_text(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return NULL;				/* keep the compiler quiet */
}

/*
 * Read search()'s options (NULL: the defaults), key by key in jsonb order,
 * values converted as (options->>key)::type would be, with its errors.
 */
void
SearchReadOptions(Jsonb *options, SearchOptions *o)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;

	o->fuzzy = true;
	o->threshold_null = false;
	o->threshold = 0.3f;
	o->snippet_options = cstring_to_text("MaxWords=35, MinWords=15, MaxFragments=3");
	if (options == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("search options must be a JSON object")));

	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key,
				   *value;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		value = search_option_text(&v);
		if (strcmp(key, "fuzzy") == 0)
			o->fuzzy = value != NULL && DatumGetBool(DirectFunctionCall1(boolin, CStringGetDatum(value)));
		else if (strcmp(key, "similarity") == 0)
		{
			o->threshold_null = (value == NULL);
			if (value != NULL)
				o->threshold = DatumGetFloat4(DirectFunctionCall1(float4in, CStringGetDatum(value)));
		}
		else if (strcmp(key, "snippet") == 0)
			o->snippet_options = value != NULL ? cstring_to_text(value) : NULL;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized search option \"%s\"", key),
					 errhint("Known options are fuzzy, similarity and snippet.")));
	}
}

/* websearch_to_tsquery('english', query). */
TSQuery
SearchQuery(text *query)
{
	Oid			english = get_ts_config_oid(list_make2(makeString("pg_catalog"), makeString("english")),
											false);

	return DatumGetTSQuery(DirectFunctionCall2(websearch_to_tsquery_byid, ObjectIdGetDatum(english),
											   PointerGetDatum(query)));
}

/*
 * The query with typo correction for owner (NULL: none, the query as it
 * is) when the options ask for it: journaling.search_correct_query(), run as
 * the caller.  The result is allocated in the caller's memory context.
 */
TSQuery
SearchCorrectQuery(TSQuery tsq, pg_uuid_t *owner, const SearchOptions *o)
{
	Oid			types[3] = {TSQUERYOID, UUIDOID, FLOAT4OID};
	Datum		args[3];
	char		nulls[3] = {' ', owner == NULL ? 'n' : ' ', o->threshold_null ? 'n' : ' '};
	MemoryContext callcxt = CurrentMemoryContext;
	Datum		result;
	bool		isnull;

	if (!o->fuzzy || owner == NULL)
		return tsq;
	args[0] = PointerGetDatum(tsq);
	args[1] = UUIDPGetDatum(owner);
	args[2] = Float4GetDatum(o->threshold);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	JournalingKeepPlan(&correct_plan, "SELECT journaling.search_correct_query($1, $2, $3)", 3, types, 0);
	if (SPI_execute_plan(correct_plan, args, nulls, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "search: correcting the query failed");
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
	{
		MemoryContext spicxt = MemoryContextSwitchTo(callcxt);

		tsq = DatumGetTSQueryCopy(result);
		MemoryContextSwitchTo(spicxt);
	}
	SPI_finish();
	return tsq;
}

/* Must every word of the query be in an entry it matches (words, AND and phrases only)? */
bool
SearchQueryAllRequired(TSQuery tsq)
{
	int			i;

	for (i = 0; i < tsq->size; i++)
	{
		QueryItem  *item = &GETQUERY(tsq)[i];

		if (item->type == QI_OPR && item->qoperator.oper != OP_AND && item->qoperator.oper != OP_PHRASE)
			return false;
	}
	return true;
}

/*
 * journaling.search_prepare(query, owner, options, OUT tsq, OUT
 * snippet_options): the options checked, the query made and corrected for
 * owner (with options fuzzy, similarity), snippet()'s options (NULL: no
 * snippets).  A NULL query gives a NULL tsq.
 */
PG_FUNCTION_INFO_V1(journaling_search_prepare);
Datum
journaling_search_prepare(PG_FUNCTION_ARGS)
{
	SearchOptions o;
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "search_prepare: return type must be a row type");
	SearchReadOptions(PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2), &o);
	if (PG_ARGISNULL(0))
		nulls[0] = true;
	else
		values[0] = PointerGetDatum(SearchCorrectQuery(SearchQuery(PG_GETARG_TEXT_PP(0)),
													   PG_ARGISNULL(1) ? NULL : PG_GETARG_UUID_P(1), &o));
	nulls[1] = (o.snippet_options == NULL);
	values[1] = nulls[1] ? (Datum) 0 : PointerGetDatum(o.snippet_options);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
