/*
 * search_prepare.h — search()'s options and query (search_prepare.c).
 */
#ifndef JOURNALING_SEARCH_PREPARE_H
#define JOURNALING_SEARCH_PREPARE_H

#include "tsearch/ts_type.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

/* The options of search() (DESIGN.md §4), as read from its jsonb. */
typedef struct SearchOptions
{
	bool		fuzzy;			/* typo correction (false when given as null) */
	bool		threshold_null; /* similarity given as null: nothing is similar enough */
	float4		threshold;		/* the least pg_trgm similarity of a replacement */
	text	   *snippet_options;	/* snippet()'s options; NULL: no snippets */
} SearchOptions;

extern void SearchReadOptions(Jsonb *options, SearchOptions *o);
extern TSQuery SearchQuery(text *query);
extern TSQuery SearchCorrectQuery(TSQuery tsq, pg_uuid_t *owner, const SearchOptions *o);
extern bool SearchQueryAllRequired(TSQuery tsq);

#endif
