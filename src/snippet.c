/*
 * snippet.c — journaling.snippet(): ts_headline() with the same output, less work.
 *
 * The result is byte-identical to ts_headline(config, document, query,
 * options) of PostgreSQL 15 with the default parser.  It is computed in three
 * steps:
 *
 * 1. Tokens.  The configuration's parser splits the document exactly as
 *    ts_headline's does (we call the same parser functions) -- except where
 *    we can prove the split without it: stretches of plain ASCII words and
 *    blanks are cut by hand, and with a phrase-free query only the windows
 *    that can matter are read at all (see "Windowed parsing").  Each token is
 *    normalized by the configuration's dictionaries, but the result is cached
 *    per distinct (token type, token text) within the call, so a long
 *    document runs each dictionary once per distinct word instead of once per
 *    word.  Words are kept as offsets into the document, not copies.  From
 *    the lexemes we build the same word list ts_headline builds: one entry
 *    per token, plus a "repeated" entry for every further query operand a
 *    lexeme matches, each carrying the (capped) tsvector position.
 *
 * 2. Selection (snippet_select.c: pure logic over that word list, using
 *    nothing from the server but a cover-test callback).  The
 *    cover search, the fragment chooser (MaxFragments > 0) and the word
 *    chooser (MaxFragments = 0) follow ts_headline's rules decision for
 *    decision.  The cover test evaluates the query with TS_execute() — the
 *    server's own evaluator, so NOT, phrase distances and prefix matches
 *    behave identically — but finds the words of an operand inside a word
 *    range by binary search in a per-operand index, where ts_headline scans
 *    the whole range for every operand of every test.
 *
 * 3. Output: the selected words are copied from the document with StartSel,
 *    StopSel and FragmentDelimiter, as ts_headline does.
 *
 * Configurations with a dictionary of another template than simple or
 * snowball (ispell, synonym, thesaurus, filters such as unaccent, anything
 * unknown), or with another parser than the default one, are handed to
 * ts_headline() itself, so the result is identical by construction there
 * too.
 */
#include "postgres.h"

#include <wctype.h>

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/defrem.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "tsearch/ts_cache.h"
#include "tsearch/ts_public.h"
#include "tsearch/ts_type.h"
#include "tsearch/ts_utils.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "journaling.h"

/*
 * Server side: options, tokens, cover test, output.
 */

/* Parse the options text like ts_headline (same errors for the same mistakes). */
static void
snip_parse_options(text *opt, SnipOptions *o)
{
	ListCell   *l;
	List	   *defs;

	o->min_words = 15;
	o->max_words = 35;
	o->shortword = 3;
	o->max_fragments = 0;
	o->highlightall = false;
	o->startsel = NULL;
	o->stopsel = NULL;
	o->fragdelim = NULL;

	if (opt == NULL)
		defs = NIL;
	else
		defs = deserialize_deflist(PointerGetDatum(opt));

	foreach(l, defs)
	{
		DefElem    *defel = (DefElem *) lfirst(l);
		char	   *val = defGetString(defel);

		if (pg_strcasecmp(defel->defname, "MaxWords") == 0)
			o->max_words = pg_strtoint32(val);
		else if (pg_strcasecmp(defel->defname, "MinWords") == 0)
			o->min_words = pg_strtoint32(val);
		else if (pg_strcasecmp(defel->defname, "ShortWord") == 0)
			o->shortword = pg_strtoint32(val);
		else if (pg_strcasecmp(defel->defname, "MaxFragments") == 0)
			o->max_fragments = pg_strtoint32(val);
		else if (pg_strcasecmp(defel->defname, "StartSel") == 0)
			o->startsel = pstrdup(val);
		else if (pg_strcasecmp(defel->defname, "StopSel") == 0)
			o->stopsel = pstrdup(val);
		else if (pg_strcasecmp(defel->defname, "FragmentDelimiter") == 0)
			o->fragdelim = pstrdup(val);
		else if (pg_strcasecmp(defel->defname, "HighlightAll") == 0)
			o->highlightall = (pg_strcasecmp(val, "1") == 0 ||
							   pg_strcasecmp(val, "on") == 0 ||
							   pg_strcasecmp(val, "true") == 0 ||
							   pg_strcasecmp(val, "t") == 0 ||
							   pg_strcasecmp(val, "y") == 0 ||
							   pg_strcasecmp(val, "yes") == 0);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized headline parameter: \"%s\"",
							defel->defname)));
	}
}

/* The normalization of one distinct token: its lexemes and the query items each matches. */
typedef struct SnipLex
{
	uint32		hash;
	int32		off;			/* first occurrence in the document (the key) */
	uint16		len;
	uint8		type;
	bool		used;
	bool		recognized;		/* a dictionary returned a result (maybe a stop word) */
	int			nlexemes;
	int			first;			/* index of its first SnipLexeme */
} SnipLex;

/* One lexeme of a normalized token. */
typedef struct SnipLexeme
{
	bool		addpos;			/* TSL_ADDPOS */
	int			nitems;
	int			firstitem;		/* index into the matched-items array */
} SnipLexeme;

static char *snip_catalog_func_name(Oid funcid);

/* Everything one call needs. */
typedef struct SnipState
{
	TSQuery		query;
	char	   *doc;
	TSConfigCacheEntry *cfg;
	TSDictionaryCacheEntry **dicts[256];	/* per token type, resolved lazily */
	bool		dictsdone[256];
	/* lexize cache: open addressing */
	SnipLex    *lex;
	int			lexsize;		/* power of two */
	int			nlex;
	SnipLexeme *lexemes;
	int			nlexemes,
				maxlexemes;
	int32	   *items;
	int			nitems,
				maxitems;
	int32		vectorpos;		/* tsvector position of the last word (hlparsetext's) */
	bool		utf8;			/* database encoding is UTF-8 */
	/* word list */
	SnipWord   *words;
	int			nwords,
				maxwords;
	/* per query item: ascending indexes of words carrying it */
	int		  **occ;
	int		   *nocc;
	/* cover test range */
	int			lo,
				hi;
} SnipState;

/* Dictionaries for a token type, NULL-terminated (empty when the type is not indexed). */
static TSDictionaryCacheEntry **
snip_dicts(SnipState *st, int type)
{
	if (type >= 256)
		elog(ERROR, "unexpected token type %d", type);
	if (!st->dictsdone[type])
	{
		TSConfigCacheEntry *cfg = st->cfg;
		TSDictionaryCacheEntry **d;
		int			i,
					n = 0;

		if (type < cfg->lenmap)
			n = cfg->map[type].len;
		d = palloc((n + 1) * sizeof(TSDictionaryCacheEntry *));
		for (i = 0; i < n; i++)
			d[i] = lookup_ts_dictionary_cache(cfg->map[type].dictIds[i]);
		d[n] = NULL;
		st->dicts[type] = d;
		st->dictsdone[type] = true;
	}
	return st->dicts[type];
}

/* FNV-1a over the token bytes and its type. */
static inline uint32
snip_hash(const char *s, int len, int type)
{
	uint32		h = 2166136261u ^ (uint32) type;
	int			i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * Backend-wide cache of dictionary results: (token type, token text) ->
 * lexemes, for one configuration at a time.  Dictionaries of the simple and
 * snowball templates return the same lexemes for the same word every time,
 * so once a word has been normalized, no later call -- for this or any other
 * document, this or any other query -- runs the dictionaries on it again.
 * It is emptied when the configuration or any of its dictionaries is
 * rebuilt (new dictData) and when it grows past SNIP_GLOBAL_MAX words.
 */
#define SNIP_GLOBAL_MAX		(1 << 17)

typedef struct SnipGlobalLexeme
{
	char	   *lexeme;			/* NUL-terminated */
	int			len;
	bool		addpos;
} SnipGlobalLexeme;

typedef struct SnipGlobalEntry
{
	uint32		hash;
	bool		used;
	bool		recognized;
	uint8		type;
	uint16		len;
	char	   *token;
	int			nlexemes;
	SnipGlobalLexeme *lexemes;
} SnipGlobalEntry;

static struct
{
	MemoryContext cxt;
	Oid			cfgId;
	ListDictionary *map;
	int			ndicts;
	void	  **dictdata;		/* dictData of every dictionary the map names */
	SnipGlobalEntry *tab;
	int			size;			/* power of two */
	int			n;
} snip_global;

/* Empty the backend-wide cache and key it to a configuration. */
static void
snip_global_reset(TSConfigCacheEntry *cfg, int ndicts, void **dictdata)
{
	if (snip_global.cxt == NULL)
		snip_global.cxt = AllocSetContextCreate(TopMemoryContext, "journaling snippet dictionary cache",
												ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(snip_global.cxt);
	snip_global.cfgId = cfg->cfgId;
	snip_global.map = cfg->map;
	snip_global.ndicts = ndicts;
	snip_global.dictdata = MemoryContextAlloc(snip_global.cxt, Max(ndicts, 1) * sizeof(void *));
	memcpy(snip_global.dictdata, dictdata, ndicts * sizeof(void *));
	snip_global.size = 4096;
	snip_global.n = 0;
	snip_global.tab = MemoryContextAllocZero(snip_global.cxt, snip_global.size * sizeof(SnipGlobalEntry));
}

/* Make sure the backend-wide cache belongs to this configuration as it is now. */
static void
snip_global_check(TSConfigCacheEntry *cfg)
{
	int			ndicts = 0,
				t,
				i,
				k = 0;
	void	  **dictdata;
	bool		same;

	for (t = 0; t < cfg->lenmap; t++)
		ndicts += cfg->map[t].len;
	dictdata = palloc(Max(ndicts, 1) * sizeof(void *));
	for (t = 0; t < cfg->lenmap; t++)
		for (i = 0; i < cfg->map[t].len; i++)
			dictdata[k++] = lookup_ts_dictionary_cache(cfg->map[t].dictIds[i])->dictData;

	same = (snip_global.cxt != NULL && snip_global.cfgId == cfg->cfgId &&
			snip_global.map == cfg->map && snip_global.ndicts == ndicts &&
			memcmp(snip_global.dictdata, dictdata, ndicts * sizeof(void *)) == 0 &&
			snip_global.n < SNIP_GLOBAL_MAX);
	if (!same)
		snip_global_reset(cfg, ndicts, dictdata);
	pfree(dictdata);
}

/* Run the configuration's dictionaries on a token (what LexizeExec does for one word). */
static SnipGlobalEntry *
snip_global_lexize(SnipState *st, char *token, int len, int type, uint32 h)
{
	int			mask = snip_global.size - 1,
				i;
	SnipGlobalEntry *e;
	TSDictionaryCacheEntry **d;
	TSLexeme   *found = NULL;
	int			nfound = 0;
	bool		recognized = false;
	MemoryContext old;

	for (i = h & mask;; i = (i + 1) & mask)
	{
		e = &snip_global.tab[i];
		if (!e->used)
			break;
		if (e->hash == h && e->type == type && e->len == len && memcmp(e->token, token, len) == 0)
			return e;
	}

	for (d = snip_dicts(st, type); *d != NULL; d++)
	{
		DictSubState dstate;
		TSLexeme   *res;

		dstate.isend = dstate.getnext = false;
		dstate.private_state = NULL;
		res = (TSLexeme *) DatumGetPointer(FunctionCall4(&(*d)->lexize,
														 PointerGetDatum((*d)->dictData),
														 PointerGetDatum(token),
														 Int32GetDatum(len),
														 PointerGetDatum(&dstate)));
		if (dstate.getnext)
			elog(ERROR, "dictionary of a single-word template asked for more words");
		if (res == NULL)
			continue;
		if (res->flags & TSL_FILTER)
			elog(ERROR, "dictionary of a non-filtering template filtered a word");
		recognized = true;
		found = res;
		while (res[nfound].lexeme)
			nfound++;
		break;
	}

	/* store it (only now: an error above leaves the table untouched) */
	if (snip_global.n * 2 >= snip_global.size)
	{
		SnipGlobalEntry *oldtab = snip_global.tab;
		int			oldsize = snip_global.size;

		snip_global.size *= 2;
		snip_global.tab = MemoryContextAllocZero(snip_global.cxt, snip_global.size * sizeof(SnipGlobalEntry));
		mask = snip_global.size - 1;
		for (i = 0; i < oldsize; i++)
		{
			int			j;

			if (!oldtab[i].used)
				continue;
			for (j = oldtab[i].hash & mask; snip_global.tab[j].used; j = (j + 1) & mask)
				;
			snip_global.tab[j] = oldtab[i];
		}
		pfree(oldtab);
		for (i = h & mask; snip_global.tab[i].used; i = (i + 1) & mask)
			;
		e = &snip_global.tab[i];
	}
	old = MemoryContextSwitchTo(snip_global.cxt);
	e->token = palloc(Max(len, 1));
	memcpy(e->token, token, len);
	e->lexemes = palloc(Max(nfound, 1) * sizeof(SnipGlobalLexeme));
	for (i = 0; i < nfound; i++)
	{
		e->lexemes[i].lexeme = pstrdup(found[i].lexeme);
		e->lexemes[i].len = strlen(found[i].lexeme);
		e->lexemes[i].addpos = (found[i].flags & TSL_ADDPOS) != 0;
	}
	MemoryContextSwitchTo(old);
	e->nlexemes = nfound;
	e->recognized = recognized;
	e->hash = h;
	e->type = (uint8) type;
	e->len = (uint16) len;
	e->used = true;
	snip_global.n++;
	return e;
}

/* Normalize a token (backend-wide cache, else the dictionaries) and match its lexemes to the query. */
static void
snip_lexize(SnipState *st, SnipLex *e, char *token, int len, int type)
{
	SnipGlobalEntry *g = snip_global_lexize(st, token, len, type, e->hash);
	QueryItem  *qi = GETQUERY(st->query);
	int			k;

	e->recognized = g->recognized;
	e->nlexemes = 0;
	e->first = st->nlexemes;
	for (k = 0; k < g->nlexemes; k++)
	{
		SnipLexeme *lx;
		int			i;

		if (st->nlexemes >= st->maxlexemes)
		{
			st->maxlexemes *= 2;
			st->lexemes = repalloc(st->lexemes, st->maxlexemes * sizeof(SnipLexeme));
		}
		lx = &st->lexemes[st->nlexemes++];
		lx->addpos = g->lexemes[k].addpos;
		lx->nitems = 0;
		lx->firstitem = st->nitems;
		for (i = 0; i < st->query->size; i++)
		{
			if (qi[i].type == QI_VAL &&
				tsCompareString(GETOPERAND(st->query) + qi[i].qoperand.distance,
								qi[i].qoperand.length,
								g->lexemes[k].lexeme, g->lexemes[k].len,
								qi[i].qoperand.prefix) == 0)
			{
				if (st->nitems >= st->maxitems)
				{
					st->maxitems *= 2;
					st->items = repalloc(st->items, st->maxitems * sizeof(int32));
				}
				st->items[st->nitems++] = i;
				lx->nitems++;
			}
		}
		e->nlexemes++;
	}
}

/* Grow the cache table when it is half full. */
static void
snip_cache_grow(SnipState *st)
{
	SnipLex    *old = st->lex;
	int			oldsize = st->lexsize,
				mask,
				i;

	if (st->nlex * 2 < st->lexsize)
		return;
	st->lexsize *= 2;
	st->lex = palloc0(st->lexsize * sizeof(SnipLex));
	mask = st->lexsize - 1;
	for (i = 0; i < oldsize; i++)
	{
		int			j;

		if (!old[i].used)
			continue;
		for (j = old[i].hash & mask; st->lex[j].used; j = (j + 1) & mask)
			;
		st->lex[j] = old[i];
	}
	pfree(old);
}

/* The cache slot of (type, token): its entry, or the free slot where it belongs. */
static SnipLex *
snip_probe(SnipState *st, char *token, int len, int type, uint32 h)
{
	int			mask = st->lexsize - 1,
				i;

	for (i = h & mask;; i = (i + 1) & mask)
	{
		SnipLex    *e = &st->lex[i];

		if (!e->used)
			return e;
		if (e->hash == h && e->type == type && e->len == len &&
			memcmp(st->doc + e->off, token, len) == 0)
			return e;
	}
}

/* Claim a free cache slot for (type, token). */
static inline void
snip_claim(SnipState *st, SnipLex *e, char *token, int len, int type, uint32 h)
{
	e->used = true;
	e->hash = h;
	e->type = (uint8) type;
	e->len = (uint16) len;
	e->off = (int32) (token - st->doc);
	e->nlexemes = 0;
	e->first = 0;
	e->recognized = false;
	st->nlex++;
}

/* Cached normalization of a token, computing it on first sight. */
static SnipLex *
snip_lookup(SnipState *st, char *token, int len, int type)
{
	uint32		h = snip_hash(token, len, type);
	SnipLex    *e;

	snip_cache_grow(st);
	e = snip_probe(st, token, len, type, h);
	if (!e->used)
	{
		snip_claim(st, e, token, len, type, h);
		snip_lexize(st, e, token, len, type);
	}
	return e;
}

/* Append an entry to the word list. */
static inline SnipWord *
snip_add_word(SnipState *st)
{
	if (st->nwords >= st->maxwords)
	{
		if ((Size) st->maxwords * 2 * sizeof(SnipWord) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("document has too many words for a snippet")));
		st->maxwords *= 2;
		st->words = repalloc(st->words, st->maxwords * sizeof(SnipWord));
	}
	return &st->words[st->nwords++];
}

/* The normalization of every token of a type the configuration does not index. */
static SnipLex snip_unindexed;

/* Add one token to the word list, with its normalization (as hlparsetext does). */
static void
snip_add_token(SnipState *st, char *token, int len, int type)
{
	SnipLex    *e;
	SnipWord   *w;
	int32		savedpos;
	int			k;

	if ((st->nwords & 1023) == 0)
		CHECK_FOR_INTERRUPTS();

	/* token types the configuration does not index (blanks, mostly) need no lookup */
	if (type < st->cfg->lenmap && st->cfg->map[type].len > 0)
		e = snip_lookup(st, token, len, type);
	else
		e = &snip_unindexed;
	if (e->recognized)
		st->vectorpos++;
	w = snip_add_word(st);
	w->off = (int32) (token - st->doc);
	w->len = (uint16) len;
	w->type = (uint8) type;
	w->flags = 0;
	w->pos = 0;
	w->item = -1;
	w->vidx = 0;

	savedpos = st->vectorpos;
	for (k = 0; k < e->nlexemes; k++)
	{
		SnipLexeme *lx = &st->lexemes[e->first + k];
		int			last = st->nwords - 1;
		int			m;

		if (lx->addpos)
			savedpos++;
		st->words[last].pos = LIMITPOS(savedpos);
		for (m = 0; m < lx->nitems; m++)
		{
			int32		item = st->items[lx->firstitem + m];

			if (st->words[last].item >= 0)
			{
				SnipWord   *c = snip_add_word(st);

				*c = st->words[last];
				c->item = item;
				c->flags |= SW_REPEATED;
			}
			else
				st->words[last].item = item;
		}
	}
	for (k = 0; k < e->nlexemes; k++)
	{
		if (st->lexemes[e->first + k].addpos)
			st->vectorpos++;
	}
}

/* Tokenize bytes from..to of the document with the configuration's parser. */
static void
snip_parse(SnipState *st, TSParserCacheEntry *prs, int from, int to)
{
	void	   *prsdata;
	char	   *token = NULL;
	int			len = 0,
				type;

	prsdata = DatumGetPointer(FunctionCall2(&prs->prsstart,
											PointerGetDatum(st->doc + from),
											Int32GetDatum(to - from)));
	for (;;)
	{
		type = DatumGetInt32(FunctionCall3(&prs->prstoken,
										   PointerGetDatum(prsdata),
										   PointerGetDatum(&token),
										   PointerGetDatum(&len)));
		if (type <= 0)
			break;
		if (len >= MAXSTRLEN)
		{
			/* like ts_headline: say so, and leave the token out entirely */
			ereport(NOTICE,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("word is too long to be indexed"),
					 errdetail("Words longer than %d characters are ignored.",
							   MAXSTRLEN)));
			continue;
		}
		snip_add_token(st, token, len, type);
	}
	FunctionCall1(&prs->prsend, PointerGetDatum(prsdata));
}

/* Give the entries from first on their virtual indexes, and mark a gap before them. */
static void
snip_set_vidx(SnipState *st, int first, int32 vidxbase, bool gap)
{
	int			k;

	for (k = first; k < st->nwords; k++)
		st->words[k].vidx = vidxbase + (k - first);
	if (gap && first < st->nwords)
		st->words[first].flags |= SW_GAP;
}

/*
 * Windowed parsing.
 *
 * ts_headline tokenizes the whole document; we can often tokenize only the
 * parts that matter, with the same result, when
 *   - the query has no phrase operator (word positions are then never
 *     consulted, only which query item each word carries), and every operand
 *     is a plain lowercase ASCII word ([a-z0-9]+);
 *   - the document has no '<' (so no tag token, the only kind besides blanks
 *     that can contain white space, and no <script>/<style> state) and no
 *     token can reach MAXSTRLEN (so ts_headline would not skip any with a
 *     NOTICE);
 *   - the configuration maps letter token types only to simple or snowball
 *     dictionaries, and every other token type only to simple dictionaries.
 * Then every "cut" -- an ASCII letter right after ASCII white space -- is
 * where the default parser starts a token in its initial state, so parsing
 * from a cut gives the same tokens as parsing from the start.  The segments
 * between cuts each hold at least one word and one blank.  A segment can
 * hold a query word only if one of its alphanumeric runs contains an operand
 * (what simple-dictionary tokens such as numbers, hosts or hyphenated words
 * would need) or normalizes to one when taken as a word (what the snowball
 * stemmer would need; we ask the real dictionaries).  We parse each such
 * segment with max_words + 2 segments of context on either side (further
 * than any headline can stretch from its query words), the first
 * min_words + 2 segments (the headline when nothing matches), and any gap
 * too short to keep covers apart; the word list then differs from
 * ts_headline's only by runs of unparsed tokens between windows, which are
 * never shown, never reached by stretching, and at least max_cover long, so
 * no cover spans them (vidx keeps cover lengths honest).
 */

#define LETTER_TYPE(t)	((t) == 1 || (t) == 2 || (t) == 10 || (t) == 11 || (t) == 16 || (t) == 17)
#define ASCII_SPACE(c)	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || (c) == '\f' || (c) == '\v')
#define ASCII_LETTER(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define ASCII_DIGIT(c)	((c) >= '0' && (c) <= '9')

/* Whether the configuration's dictionaries allow windowed parsing (see above). */
static bool
snip_config_windowable(TSConfigCacheEntry *cfg)
{
	int			t,
				i;

	for (t = 0; t < cfg->lenmap; t++)
	{
		for (i = 0; i < cfg->map[t].len; i++)
		{
			TSDictionaryCacheEntry *d = lookup_ts_dictionary_cache(cfg->map[t].dictIds[i]);
			char	   *name = snip_catalog_func_name(d->lexizeOid);

			if (name == NULL)
				return false;
			if (strcmp(name, "dsimple_lexize") == 0)
				continue;
			if (LETTER_TYPE(t) && strcmp(name, "dsnowball_lexize") == 0)
				continue;
			return false;
		}
	}
	return true;
}

/* Whether the query allows windowed parsing: no phrase operator, plain ASCII operands. */
static bool
snip_query_windowable(TSQuery query)
{
	QueryItem  *qi = GETQUERY(query);
	int			i,
				j;

	for (i = 0; i < query->size; i++)
	{
		if (qi[i].type == QI_OPR && qi[i].qoperator.oper == OP_PHRASE)
			return false;
		if (qi[i].type == QI_VAL)
		{
			char	   *op = GETOPERAND(query) + qi[i].qoperand.distance;

			if (qi[i].qoperand.length == 0)
				return false;
			for (j = 0; j < qi[i].qoperand.length; j++)
				if (!((op[j] >= 'a' && op[j] <= 'z') || ASCII_DIGIT(op[j])))
					return false;
		}
	}
	return true;
}

/*
 * Cuts of the document (see above), or false when it cannot be split: it has
 * a '<', or a stretch between cuts long enough to hold an over-long token.
 */
static bool
snip_find_cuts(const char *doc, int len, int **cuts_out, int *ncuts_out)
{
	int			maxcuts = 256,
				ncuts = 0,
				last = 0,
				i;
	int		   *cuts;

	if (memchr(doc, '<', len) != NULL)
		return false;
	cuts = palloc(maxcuts * sizeof(int));
	for (i = 1; i < len; i++)
	{
		unsigned char c = (unsigned char) doc[i];

		if ((i & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();

		if (ASCII_LETTER(c) && ASCII_SPACE((unsigned char) doc[i - 1]))
		{
			if (i - last >= MAXSTRLEN)
				return false;
			if (ncuts >= maxcuts)
			{
				maxcuts *= 2;
				cuts = repalloc(cuts, maxcuts * sizeof(int));
			}
			cuts[ncuts++] = i;
			last = i;
		}
	}
	if (len - last >= MAXSTRLEN)
		return false;
	*cuts_out = cuts;
	*ncuts_out = ncuts;
	return true;
}

/* Byte range of segment k (segment 0 starts the document; segment k >= 1 starts at cut k - 1). */
static inline int
snip_seg_start(const int *cuts, int k)
{
	return k == 0 ? 0 : cuts[k - 1];
}

/* End (exclusive) of segment k. */
static inline int
snip_seg_end(const int *cuts, int ncuts, int doclen, int k)
{
	return k == ncuts ? doclen : cuts[k];
}

/*
 * Whether the default parser surely splits bytes from..to into ASCII words
 * (runs of letters) and blanks (runs of anything else) only: nothing but
 * ASCII letters, white space, and punctuation that no parser state treats
 * specially ('.' only when white space or the end follows and no '.'
 * precedes, ':' only because no '/' can follow in such a segment).  Digits,
 * '-', '+', '&', '/', '~', '_', '@', '<' and non-ASCII bytes all need the
 * real parser.
 */
static bool
snip_segment_plain(const char *doc, int from, int to, int doclen)
{
	int			i;

	for (i = from; i < to; i++)
	{
		unsigned char c = (unsigned char) doc[i];

		if (ASCII_LETTER(c) || ASCII_SPACE(c))
			continue;
		if (c == '.')
		{
			if (i + 1 < doclen && !ASCII_SPACE((unsigned char) doc[i + 1]))
				return false;
			if (i > 0 && doc[i - 1] == '.')
				return false;
			continue;
		}
		if (c != '\0' && strchr(",;!?\"'()[]{}*=#%^|`$\\>:", c) != NULL)
			continue;
		return false;
	}
	return true;
}

/* Tokenize a plain segment (see snip_segment_plain) without the parser. */
static void
snip_tokenize_plain(SnipState *st, int from, int to)
{
	char	   *doc = st->doc;
	int			i = from;

	while (i < to)
	{
		int			j = i;
		int			type;

		if (ASCII_LETTER((unsigned char) doc[i]))
		{
			while (j < to && ASCII_LETTER((unsigned char) doc[j]))
				j++;
			type = 1;			/* asciiword */
		}
		else
		{
			while (j < to && !ASCII_LETTER((unsigned char) doc[j]))
				j++;
			type = TT_SPACE;
		}
		snip_add_token(st, doc + i, j - i, type);
		i = j;
	}
}

/* Tokenize segments segfrom..segto: plain ones by hand, runs of others with the parser. */
static void
snip_parse_segments(SnipState *st, TSParserCacheEntry *prs, const int *cuts, int ncuts,
					int doclen, int segfrom, int segto)
{
	int			k = segfrom;

	while (k <= segto)
	{
		int			j = k;

		while (j <= segto &&
			   !snip_segment_plain(st->doc, snip_seg_start(cuts, j),
								   snip_seg_end(cuts, ncuts, doclen, j), doclen))
			j++;
		if (j > k)
			snip_parse(st, prs, snip_seg_start(cuts, k), snip_seg_end(cuts, ncuts, doclen, j - 1));
		if (j <= segto)
			snip_tokenize_plain(st, snip_seg_start(cuts, j), snip_seg_end(cuts, ncuts, doclen, j));
		k = j + 1;
	}
}

/* Whether a normalized token carries any query item. */
static inline bool
snip_lex_has_item(SnipState *st, SnipLex *e)
{
	int			k;

	for (k = 0; k < e->nlexemes; k++)
		if (st->lexemes[e->first + k].nitems > 0)
			return true;
	return false;
}

/* Could an alphanumeric run of an ASCII segment belong to a token carrying a query item? */
static bool
snip_run_check(SnipState *st, char *run, int len)
{
	char		lower[MAXSTRLEN];
	QueryItem  *qi = GETQUERY(st->query);
	int			i,
				letters;

	/* tokens normalized by simple dictionaries: the operand is inside the run */
	for (i = 0; i < len; i++)
		lower[i] = (run[i] >= 'A' && run[i] <= 'Z') ? run[i] + ('a' - 'A') : run[i];
	for (i = 0; i < st->query->size; i++)
	{
		if (qi[i].type == QI_VAL)
		{
			char	   *op = GETOPERAND(st->query) + qi[i].qoperand.distance;
			int			oplen = qi[i].qoperand.length;
			int			j;

			for (j = 0; j + oplen <= len; j++)
				if (memcmp(lower + j, op, oplen) == 0)
					return true;
		}
	}

	/* word tokens: the whole run if all letters, or the letters after its last digit */
	for (letters = 0; letters < len && ASCII_LETTER((unsigned char) run[len - 1 - letters]); letters++)
		;
	if (letters > 0)
	{
		char	   *w = run + (len - letters);

		if (snip_lex_has_item(st, snip_lookup(st, w, letters, 1)) ||
			snip_lex_has_item(st, snip_lookup(st, w, letters, 11)))
			return true;
	}
	return false;
}

/* snip_run_check(), cached per distinct run (entries of pseudo token type 0). */
static bool
snip_run_may_match(SnipState *st, char *run, int len)
{
	uint32		h = snip_hash(run, len, 0);
	SnipLex    *e;
	bool		result;

	snip_cache_grow(st);
	e = snip_probe(st, run, len, 0, h);
	if (e->used)
		return e->recognized;
	/* computing may add entries and move the table: probe again afterwards */
	result = snip_run_check(st, run, len);
	snip_cache_grow(st);
	e = snip_probe(st, run, len, 0, h);
	snip_claim(st, e, run, len, 0, h);
	e->recognized = result;
	return result;
}

/*
 * Whether a segment (bytes from..to) may contain a token carrying a query
 * item.  Operands are plain ASCII; a token holding a non-ASCII character keeps
 * one in its lexeme (lower-casing keeps it non-ASCII, stemming only touches
 * ASCII suffixes), so it can only match an operand as a prefix, and that
 * prefix lies in the token's leading ASCII run, which we check like any run.
 * The exceptions are characters that lower-case to ASCII (U+0130 and the
 * Kelvin sign, or whatever towlower() says): a segment with one is parsed.
 */
static bool
snip_segment_may_match(SnipState *st, int from, int to)
{
	char	   *doc = st->doc;
	int			i = from;

	while (i < to)
	{
		unsigned char c = (unsigned char) doc[i];

		if (c >= 0x80)
		{
			int			l = pg_utf_mblen((const unsigned char *) doc + i);
			pg_wchar	cp;

			if (!st->utf8 || i + l > to)
				return true;
			cp = utf8_to_unicode((const unsigned char *) doc + i);
			if (cp == 0x130 || cp == 0x212A || (cp <= 0xFFFF && towlower((wint_t) cp) < 0x80))
				return true;
			i += l;
		}
		else if (ASCII_LETTER(c) || ASCII_DIGIT(c))
		{
			int			j = i;

			while (j < to && (ASCII_LETTER((unsigned char) doc[j]) || ASCII_DIGIT((unsigned char) doc[j])))
				j++;
			if (snip_run_may_match(st, doc + i, j - i))
				return true;
			i = j;
		}
		else
			i++;
	}
	return false;
}

/*
 * Parse only the windows of the document that can matter (see above).
 * Returns false, having parsed nothing, when that would not save much.
 */
static bool
snip_parse_windows(SnipState *st, TSParserCacheEntry *prs, int doclen,
				   const SnipOptions *o, int *cuts, int ncuts)
{
	int			nseg = ncuts + 1;
	int64		max_cover = Max(o->max_words * 10, 100);
	int64		margin = (int64) o->max_words + 2;
	int64		mingap;
	bool	   *want = palloc0(nseg * sizeof(bool));
	int			k,
				nwanted = 0;
	int32		vidx = 0;

#define SEG_START(k)	((k) == 0 ? 0 : cuts[(k) - 1])
#define SEG_END(k)		((k) == nseg - 1 ? doclen : cuts[(k)])

	if (o->max_fragments > 0)
		max_cover *= o->max_fragments;
	mingap = max_cover / 2 + 2;

	/* the beginning, for the headline shown when nothing matches */
	for (k = 0; k < nseg && k <= o->min_words + 2; k++)
	{
		want[k] = true;
		nwanted++;
	}
	/* every segment that may match, with context */
	for (k = 0; k < nseg; k++)
	{
		if ((k & 255) == 0)
			CHECK_FOR_INTERRUPTS();
		if (snip_segment_may_match(st, SEG_START(k), SEG_END(k)))
		{
			int64		a = Max(0, k - margin),
						b = Min(nseg - 1, k + margin),
						j;

			for (j = a; j <= b; j++)
			{
				if (!want[j])
					nwanted++;
				want[j] = true;
			}
			/* most of the document is needed: parse it all, stop looking */
			if (nwanted * 2 > nseg)
			{
				pfree(want);
				return false;
			}
		}
	}
	/* fill gaps too short to keep covers apart */
	for (k = 0; k < nseg;)
	{
		int			gapstart,
					gapend;

		while (k < nseg && want[k])
			k++;
		gapstart = k;
		while (k < nseg && !want[k])
			k++;
		gapend = k;
		if (gapend < nseg && gapstart > 0 && gapend - gapstart < mingap)
		{
			int			j;

			for (j = gapstart; j < gapend; j++)
				want[j] = true;
		}
	}
	nwanted = 0;
	for (k = 0; k < nseg; k++)
		nwanted += want[k] ? 1 : 0;
	if (nwanted * 2 > nseg)
	{
		pfree(want);
		return false;
	}

	/* parse the windows */
	for (k = 0; k < nseg;)
	{
		int			first,
					before = st->nwords;

		while (k < nseg && !want[k])
			k++;
		if (k >= nseg)
			break;
		first = k;
		while (k < nseg && want[k])
			k++;
		snip_parse_segments(st, prs, cuts, ncuts, doclen, first, k - 1);
		snip_set_vidx(st, before, vidx, first > 0);
		if (st->nwords > before)
			vidx = st->words[st->nwords - 1].vidx + 1 + (int32) max_cover;
	}
	pfree(want);
	return true;
#undef SEG_START
#undef SEG_END
}

/* TS_execute callback: positions of the operand's words inside the current range. */
static TSTernaryValue
snip_check_operand(void *arg, QueryOperand *val, ExecPhraseData *data)
{
	SnipState  *st = (SnipState *) arg;
	int			qi = (QueryItem *) val - GETQUERY(st->query);
	int		   *occ = st->occ[qi];
	int			n = st->nocc[qi];
	int			lo = 0,
				hi = n,
				i,
				end;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (occ[mid] < st->lo)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n && occ[end] <= st->hi; end++)
		;
	if (end == lo)
		return TS_NO;
	if (data == NULL)
		return TS_YES;

	data->pos = palloc(sizeof(WordEntryPos) * (end - lo));
	data->allocated = true;
	data->npos = 0;
	for (i = lo; i < end; i++)
	{
		WordEntryPos p = st->words[occ[i]].pos;

		if (data->npos == 0 || data->pos[data->npos - 1] < p)
			data->pos[data->npos++] = p;
	}
	return TS_YES;
}

/* Cover test for selection: does the query match words lo..hi? */
static bool
snip_test_range(void *arg, int lo, int hi)
{
	SnipState  *st = (SnipState *) arg;

	st->lo = lo;
	st->hi = hi;
	return TS_execute(GETQUERY(st->query), st, TS_EXEC_EMPTY, snip_check_operand);
}

/* Build the output text from the marked words, as generateHeadline does. */
static text *
snip_output(SnipState *st, const SnipOptions *o)
{
	StringInfoData buf;
	int			i,
				nfrag = 0;
	bool		infrag = false;
	int			startlen = strlen(o->startsel),
				stoplen = strlen(o->stopsel),
				delimlen = strlen(o->fragdelim);

	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	for (i = 0; i < st->nwords; i++)
	{
		SnipWord   *w = &st->words[i];

		if (w->flags & SW_REPEATED)
			continue;
		if (w->flags & SW_GAP)
			infrag = false;
		if (w->flags & SW_IN)
		{
			if (!infrag)
			{
				infrag = true;
				if (++nfrag > 1)
					appendBinaryStringInfo(&buf, o->fragdelim, delimlen);
			}
			if (w->flags & SW_REPLACE)
				appendStringInfoChar(&buf, ' ');
			else if (!(w->flags & SW_SKIP))
			{
				if (w->flags & SW_SELECTED)
					appendBinaryStringInfo(&buf, o->startsel, startlen);
				appendBinaryStringInfo(&buf, st->doc + w->off, w->len);
				if (w->flags & SW_SELECTED)
					appendBinaryStringInfo(&buf, o->stopsel, stoplen);
			}
		}
		else
			infrag = false;
	}
	SET_VARSIZE(buf.data, buf.len);
	return (text *) buf.data;
}

/* Name of a dictionary's lexize function if it lives in pg_catalog, else NULL. */
static char *
snip_catalog_func_name(Oid funcid)
{
	Oid			nsp = get_func_namespace(funcid);

	if (nsp != PG_CATALOG_NAMESPACE)
		return NULL;
	return get_func_name(funcid);
}

/* Cache in fn_extra: whether a configuration can take the fast path. */
typedef struct SnipConfigCheck
{
	Oid			cfgId;
	ListDictionary *map;		/* identifies the cache entry's current build */
	bool		fast;
	bool		windowable;
} SnipConfigCheck;

/* True when the parser is the default one and every dictionary is single-word and context-free. */
static bool
snip_config_is_fast(FunctionCallInfo fcinfo, TSConfigCacheEntry *cfg, TSParserCacheEntry *prs,
					bool *windowable)
{
	SnipConfigCheck *cc = (SnipConfigCheck *) fcinfo->flinfo->fn_extra;
	bool		fast = true;
	int			t,
				i;

	if (cc != NULL && cc->cfgId == cfg->cfgId && cc->map == cfg->map)
	{
		*windowable = cc->windowable;
		return cc->fast;
	}

	if (prs->tokenOid != F_PRSD_NEXTTOKEN || prs->headlineOid != F_PRSD_HEADLINE)
		fast = false;
	for (t = 0; fast && t < cfg->lenmap; t++)
	{
		if (t >= 256 && cfg->map[t].len > 0)
			fast = false;
		for (i = 0; fast && i < cfg->map[t].len; i++)
		{
			TSDictionaryCacheEntry *d = lookup_ts_dictionary_cache(cfg->map[t].dictIds[i]);
			char	   *name = snip_catalog_func_name(d->lexizeOid);

			/*
			 * simple and snowball dictionaries take one word and look at
			 * nothing else, so a cached result is the result; anything else
			 * (ispell, synonym, thesaurus, unaccent, ...) goes to ts_headline.
			 */
			if (name == NULL ||
				(strcmp(name, "dsimple_lexize") != 0 &&
				 strcmp(name, "dsnowball_lexize") != 0))
				fast = false;
		}
	}

	if (cc == NULL)
		cc = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(SnipConfigCheck));
	cc->cfgId = cfg->cfgId;
	cc->map = cfg->map;
	cc->fast = fast;
	cc->windowable = fast && snip_config_windowable(cfg);
	fcinfo->flinfo->fn_extra = cc;
	*windowable = cc->windowable;
	return fast;
}

/* Compute the snippet of a document; the caller decides the memory context. */
static text *
snip_compute(SnipState *st, TSParserCacheEntry *prs, int doclen, text *opt, bool windowable)
{
	SnipOptions o;
	SnipSelect	s;
	int			i,
				nitemwords = 0,
				ncuts = 0;
	int		   *fill,
			   *cuts = NULL;
	bool		parsed = false;

	/* sized for the document: a short one should not pay for a long one's tables */
	st->lexsize = 64;
	while (st->lexsize < 1 << 16 && st->lexsize * 16 < doclen)
		st->lexsize *= 2;
	st->lex = palloc0(st->lexsize * sizeof(SnipLex));
	st->maxlexemes = 64;
	st->lexemes = palloc(st->maxlexemes * sizeof(SnipLexeme));
	st->maxitems = 16;
	st->items = palloc(st->maxitems * sizeof(int32));
	st->maxwords = Max(64, Min(doclen / 4, 1 << 20));
	st->words = palloc(st->maxwords * sizeof(SnipWord));

	if (snip_find_cuts(st->doc, doclen, &cuts, &ncuts))
	{
		/* no token can draw a NOTICE, so reading the options first changes nothing */
		snip_parse_options(opt, &o);
		/* (below 256 MB, virtual indexes stay far from overflowing) */
		if (windowable && doclen >= 8192 && doclen < (1 << 28) && snip_query_windowable(st->query) &&
			!(o.highlightall && o.max_fragments == 0) &&
			o.min_words > 0 && o.min_words < o.max_words && o.max_words <= 10000 &&
			o.shortword >= 0 && o.max_fragments >= 0 && o.max_fragments <= 1000)
			parsed = snip_parse_windows(st, prs, doclen, &o, cuts, ncuts);
		if (!parsed)
		{
			snip_parse_segments(st, prs, cuts, ncuts, doclen, 0, ncuts);
			snip_set_vidx(st, 0, 0, false);
		}
	}
	else
	{
		snip_parse(st, prs, 0, doclen);
		snip_set_vidx(st, 0, 0, false);
		snip_parse_options(opt, &o);
	}

	/* index the words by query item, and list the words that carry one */
	st->nocc = palloc0(Max(st->query->size, 1) * sizeof(int));
	st->occ = palloc0(Max(st->query->size, 1) * sizeof(int *));
	for (i = 0; i < st->nwords; i++)
	{
		if (st->words[i].item >= 0)
		{
			st->nocc[st->words[i].item]++;
			nitemwords++;
		}
	}
	for (i = 0; i < st->query->size; i++)
		if (st->nocc[i] > 0)
			st->occ[i] = palloc(st->nocc[i] * sizeof(int));
	fill = palloc0(Max(st->query->size, 1) * sizeof(int));
	s.itemwords = palloc(Max(nitemwords, 1) * sizeof(int));
	s.nitemwords = 0;
	for (i = 0; i < st->nwords; i++)
	{
		int32		item = st->words[i].item;

		if (item >= 0)
		{
			st->occ[item][fill[item]++] = i;
			s.itemwords[s.nitemwords++] = i;
		}
	}

	s.words = st->words;
	s.nwords = st->nwords;
	s.test = snip_test_range;
	s.testarg = st;
	s.monotone = true;
	for (i = 0; i < st->query->size; i++)
		if (GETQUERY(st->query)[i].type == QI_OPR &&
			GETQUERY(st->query)[i].qoperator.oper == OP_NOT)
			s.monotone = false;
	SnipSelectHeadline(&s, &o);

	if (o.startsel == NULL)
		o.startsel = "<b>";
	if (o.stopsel == NULL)
		o.stopsel = "</b>";
	if (o.fragdelim == NULL)
		o.fragdelim = " ... ";
	return snip_output(st, &o);
}

/* Snippet of a document for a query (fast path, or ts_headline itself when it must be). */
static text *
snip_snippet(FunctionCallInfo fcinfo, Oid cfgId, text *doc, TSQuery query, text *opt)
{
	TSConfigCacheEntry *cfg = lookup_ts_config_cache(cfgId);
	TSParserCacheEntry *prs = lookup_ts_parser_cache(cfg->prsId);
	MemoryContext work,
				old;
	SnipState  *st;
	text	   *res;

	bool		windowable = false;

	if (!snip_config_is_fast(fcinfo, cfg, prs, &windowable))
		return DatumGetTextPP(DirectFunctionCall4(ts_headline_byid_opt,
												  ObjectIdGetDatum(cfgId),
												  PointerGetDatum(doc),
												  PointerGetDatum(query),
												  PointerGetDatum(opt)));

	work = AllocSetContextCreate(CurrentMemoryContext, "journaling snippet",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	snip_global_check(cfg);
	st = palloc0(sizeof(SnipState));
	st->query = query;
	st->doc = VARDATA_ANY(doc);
	st->cfg = cfg;
	st->utf8 = (GetDatabaseEncoding() == PG_UTF8);
	res = snip_compute(st, prs, VARSIZE_ANY_EXHDR(doc), opt, windowable);
	MemoryContextSwitchTo(old);
	res = (text *) datumCopy(PointerGetDatum(res), false, -1);
	MemoryContextDelete(work);
	return res;
}

PG_FUNCTION_INFO_V1(journaling_snippet);
/* journaling.snippet(config, document, query, options): ts_headline's result, faster. */
Datum
journaling_snippet(PG_FUNCTION_ARGS)
{
	Oid			cfgId = PG_GETARG_OID(0);
	text	   *doc = PG_GETARG_TEXT_PP(1);
	TSQuery		query = PG_GETARG_TSQUERY(2);
	text	   *opt = PG_GETARG_TEXT_PP(3);

	PG_RETURN_TEXT_P(snip_snippet(fcinfo, cfgId, doc, query, opt));
}
