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
 *    blanks are cut by hand, only the windows that can matter are read at
 *    all (see "Windowed parsing"), and reading stops once the headline is
 *    fixed (see "Early stop" and "Stop at the position cap").  Each token is
 *    normalized by the configuration's dictionaries, but the result is cached
 *    per distinct (token type, token text) within the call, so a long
 *    document runs each dictionary once per distinct word instead of once per
 *    word (and in windows of phrase queries, a plain word that no operand
 *    starts like needs no normalization at all, see snip_noitem_setup).
 *    Words are kept as offsets into the document, not copies.  From the
 *    lexemes we build the same word list ts_headline builds: one entry
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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_ts_dict.h"
#include "commands/defrem.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "tsearch/ts_cache.h"
#include "tsearch/ts_public.h"
#include "tsearch/ts_type.h"
#include "tsearch/ts_utils.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

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
	int32		off;			/* the token's bytes in SnipState.keys (the key) */
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
static bool snip_test_range(void *arg, int lo, int hi);

/* Lexize cache: normalized tokens and the query items their lexemes carry. */
typedef struct SnipLexCache
{
	MemoryContext lexcxt;		/* where the tables live */
	char	   *keys;			/* token bytes of the keys (SnipLex.off) */
	int32		nkeys,
				maxkeys;
	SnipLex    *lex;			/* open addressing */
	int			lexsize;		/* power of two */
	int			nlex;
	SnipLexeme *lexemes;
	int			nlexemes,
				maxlexemes;
	int32	   *items;
	int			nitems,
				maxitems;
} SnipLexCache;

/* Everything one call needs. */
#define SNIP_MARKS 256

typedef struct SnipState
{
	TSQuery		query;
	char	   *doc;
	TSConfigCacheEntry *cfg;
	TSDictionaryCacheEntry **dicts[256];	/* per token type, resolved lazily */
	bool		dictsdone[256];
	SnipLexCache lc;			/* lexize cache (kept from call to call, see snip_kept) */
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
	/* windowed parsing: bytes the candidate scan stops at, and why (see snip_scan_tables) */
	bool		stop[256];
	bool		opstart[256];
	bool		wordstart[256];
	/* the ASCII stop bytes b as the few values b | 0x20 they take (nscan of them, 0 if many) */
	int			nscan;
	uint64		scan[4];
	/* hword_asciipart goes to the same dictionaries as asciiword (snip_same_dicts) */
	bool		hword_as_word;
	/* ASCII words that need no dictionary, by first byte, and their normalization (snip_noitem_setup) */
	bool		noitem[256];
	SnipLex		noitemlex;
	/* early stop: words carrying a query item (not repeated), word count of the next check */
	int			ninteresting;
	int			nextcheck;
	/* index of the first entry at which positions are capped, or -1 */
	int			capidx;
	/* a pair x <lastd> y that ends every match (lastx, else -1), see snip_phrase_capped */
	int			lastx,
				lastd;
	int			capclear;		/* no match ends at or after capidx: 1, 0, or -1 not known yet */
	/* positions counted up to cuts before the cap (snip_cap_byte), for snip_skip_range */
	int			nmarks;
	int			markbyte[SNIP_MARKS];
	int32		markpos[SNIP_MARKS];
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

/*
 * Hash of a token's bytes and type: 8 bytes at a time (the last ones
 * gathered byte by byte), each word mixed in with a multiplication, and the
 * high bits folded into the low ones that pick a table slot.
 */
static inline uint32
snip_hash(const char *s, int len, int type)
{
	const uint64 k = UINT64CONST(0x9E3779B97F4A7C15);
	uint64		h = ((uint64) type << 32 | (uint32) len) * k,
				v;
	int			i = 0;

	for (; i + 8 <= len; i += 8)
	{
		memcpy(&v, s + i, sizeof(v));
		h = (h ^ v) * k;
	}
	if (i < len)
	{
		int			shift = 0;

		for (v = 0; i < len; i++, shift += 8)
			v |= (uint64) (unsigned char) s[i] << shift;
		h = (h ^ v) * k;
	}
	h ^= h >> 29;
	h *= k;
	return (uint32) (h >> 32);
}

/*
 * Backend-wide cache of dictionary results: (token type, token text) ->
 * lexemes, for one configuration at a time.  Dictionaries of the simple and
 * snowball templates return the same lexemes for the same word every time,
 * so once a word has been normalized, no later call -- for this or any other
 * document, this or any other query -- runs the dictionaries on it again.
 * It is emptied when any text search configuration or dictionary changes
 * in the catalog (snip_catalog_generation), when the configuration's cache
 * entry or any of its dictionaries is rebuilt (new dictData), and when it
 * grows past SNIP_GLOBAL_MAX words.
 */
#define SNIP_GLOBAL_MAX		(1 << 17)

/*
 * Counts the catalog changes of text search configurations, their mappings
 * and dictionaries seen by this backend (ALTER TEXT SEARCH DICTIONARY may
 * rebuild a dictionary at the same address, so pointers alone cannot tell).
 */
static uint64 snip_catalog_generation = 1;

/* Syscache callback: a configuration, mapping or dictionary changed. */
static void
snip_catalog_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	snip_catalog_generation++;
}

/* Called once per backend (_PG_init): watch the text search catalogs. */
void
SnippetInit(void)
{
	CacheRegisterSyscacheCallback(TSCONFIGOID, snip_catalog_changed, (Datum) 0);
	CacheRegisterSyscacheCallback(TSCONFIGMAP, snip_catalog_changed, (Datum) 0);
	CacheRegisterSyscacheCallback(TSDICTOID, snip_catalog_changed, (Datum) 0);
}

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
	uint64		generation;		/* counts the resets (see snip_kept) */
	uint64		catalog_generation; /* snip_catalog_generation when reset */
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
	snip_global.generation++;
	snip_global.catalog_generation = snip_catalog_generation;
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
			snip_global.catalog_generation == snip_catalog_generation &&
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
	e->first = st->lc.nlexemes;
	for (k = 0; k < g->nlexemes; k++)
	{
		SnipLexeme *lx;
		int			i;

		if (st->lc.nlexemes >= st->lc.maxlexemes)
		{
			st->lc.maxlexemes *= 2;
			st->lc.lexemes = repalloc(st->lc.lexemes, st->lc.maxlexemes * sizeof(SnipLexeme));
		}
		lx = &st->lc.lexemes[st->lc.nlexemes++];
		lx->addpos = g->lexemes[k].addpos;
		lx->nitems = 0;
		lx->firstitem = st->lc.nitems;
		for (i = 0; i < st->query->size; i++)
		{
			if (qi[i].type == QI_VAL &&
				tsCompareString(GETOPERAND(st->query) + qi[i].qoperand.distance,
								qi[i].qoperand.length,
								g->lexemes[k].lexeme, g->lexemes[k].len,
								qi[i].qoperand.prefix) == 0)
			{
				if (st->lc.nitems >= st->lc.maxitems)
				{
					st->lc.maxitems *= 2;
					st->lc.items = repalloc(st->lc.items, st->lc.maxitems * sizeof(int32));
				}
				st->lc.items[st->lc.nitems++] = i;
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
	SnipLex    *old = st->lc.lex;
	int			oldsize = st->lc.lexsize,
				mask,
				i;

	if (st->lc.nlex * 2 < st->lc.lexsize)
		return;
	st->lc.lexsize *= 2;
	st->lc.lex = MemoryContextAllocZero(st->lc.lexcxt, st->lc.lexsize * sizeof(SnipLex));
	mask = st->lc.lexsize - 1;
	for (i = 0; i < oldsize; i++)
	{
		int			j;

		if (!old[i].used)
			continue;
		for (j = old[i].hash & mask; st->lc.lex[j].used; j = (j + 1) & mask)
			;
		st->lc.lex[j] = old[i];
	}
	pfree(old);
}

/* The cache slot of (type, token): its entry, or the free slot where it belongs. */
static inline SnipLex *
snip_probe(SnipState *st, char *token, int len, int type, uint32 h)
{
	int			mask = st->lc.lexsize - 1,
				i;

	for (i = h & mask;; i = (i + 1) & mask)
	{
		SnipLex    *e = &st->lc.lex[i];

		if (!e->used)
			return e;
		if (e->hash == h && e->type == type && e->len == len)
		{
			const char *a = st->lc.keys + e->off;
			int			k;

			/* (tokens are short: a loop beats a call to memcmp) */
			for (k = 0; k < len && a[k] == token[k]; k++)
				;
			if (k == len)
				return e;
		}
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
	if (st->lc.nkeys + len > st->lc.maxkeys)
	{
		st->lc.maxkeys = Max(st->lc.maxkeys * 2, st->lc.nkeys + len);
		st->lc.keys = repalloc(st->lc.keys, st->lc.maxkeys);
	}
	memcpy(st->lc.keys + st->lc.nkeys, token, len);
	e->off = st->lc.nkeys;
	st->lc.nkeys += len;
	e->nlexemes = 0;
	e->first = 0;
	e->recognized = false;
	st->lc.nlex++;
}

/* Cached normalization of a token, computing it on first sight. */
static inline SnipLex *
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

/*
 * The word list lives in one buffer per backend, kept from call to call
 * while it stays small (SNIP_KEEP_WORDS entries), so that a call neither
 * copies it as it grows nor has the kernel hand out fresh pages for it
 * each time.  Only one call uses it at a time (a call runs no SQL), and a
 * call that ends in an error leaves it to the next one.
 */
#define SNIP_KEEP_WORDS		(1 << 16)

static SnipWord *snip_words_buf;
static int	snip_words_bufsize;

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
		st->words = snip_words_buf = repalloc(st->words, st->maxwords * sizeof(SnipWord));
		snip_words_bufsize = st->maxwords;
	}
	return &st->words[st->nwords++];
}

/* The normalization of every token of a type the configuration does not index. */
static SnipLex snip_unindexed;

/* Add one token to the word list, given its normalization (as hlparsetext does). */
static pg_attribute_always_inline void
snip_add_entry(SnipState *st, SnipLex *e, char *token, int len, int type)
{
	SnipWord   *w;
	int32		savedpos;
	int			k;

	if ((st->nwords & 1023) == 0)
		CHECK_FOR_INTERRUPTS();
	/* from here on, every word carrying a lexeme has the capped position (see snip_phrase_capped) */
	if (st->capidx < 0 && st->vectorpos >= MAXENTRYPOS - 2)
		st->capidx = st->nwords;
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
		SnipLexeme *lx = &st->lc.lexemes[e->first + k];
		int			last = st->nwords - 1;
		int			m;

		if (lx->addpos)
			savedpos++;
		st->words[last].pos = LIMITPOS(savedpos);
		for (m = 0; m < lx->nitems; m++)
		{
			int32		item = st->lc.items[lx->firstitem + m];

			if (st->words[last].item >= 0)
			{
				SnipWord   *c = snip_add_word(st);

				*c = st->words[last];
				c->item = item;
				c->flags |= SW_REPEATED;
			}
			else
			{
				st->words[last].item = item;
				st->ninteresting++;
			}
		}
	}
	for (k = 0; k < e->nlexemes; k++)
	{
		if (st->lc.lexemes[e->first + k].addpos)
			st->vectorpos++;
	}
}

/* Add one token to the word list, with its normalization. */
static pg_attribute_always_inline void
snip_add_token(SnipState *st, char *token, int len, int type)
{
	/* token types the configuration does not index (blanks, mostly) need no lookup */
	if (type < st->cfg->lenmap && st->cfg->map[type].len > 0)
		snip_add_entry(st, snip_lookup(st, token, len, type), token, len, type);
	else
		snip_add_entry(st, &snip_unindexed, token, len, type);
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
 *   - every operand of the query is a plain lowercase ASCII word
 *     ([a-z0-9]+), and the query has no phrase operator (word positions are
 *     then never consulted, only which query item each word carries) or the
 *     positions of the text left out can be counted without the
 *     dictionaries (snip_config_counts_words; see snip_skip_range);
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
 * stemmer would need; we ask the real dictionaries, only about words that
 * start with an operand's first letter when the dictionaries keep first
 * letters).  A scan that stops only at bytes that can begin such a token
 * finds these segments in document order.  We parse each with
 * max_words + 2 segments of context on either side (further than any
 * headline can stretch from its query words), the first min_words + 2
 * segments (the headline when nothing matches), and any gap too short to
 * keep covers apart; the word list then differs from ts_headline's only by
 * runs of unparsed tokens between windows, which are never shown, never
 * reached by stretching, and at least max_cover long, so no cover spans them
 * (vidx keeps cover lengths honest).  Parsing more than that (a window that
 * reaches the end, when windows would hold most of the text anyway) keeps
 * the result the same.  Windows are parsed in document order, so the words
 * parsed so far are always a prefix of that word list, which lets the early
 * stops below end the work as soon as the headline is fixed.
 */

/* A byte value in each byte of a word; the high bit of each byte that is 0 (bytes below 0x80). */
#define SNIP_BYTES(b) ((uint64) (b) * UINT64CONST(0x0101010101010101))
#define SNIP_ZERO_BYTES(v) (~((v) + SNIP_BYTES(0x7f)) & SNIP_BYTES(0x80))
/* How many bytes of a word have their high bit set, when no other bit is (all sum in the top byte). */
#define SNIP_COUNT_BYTES(m) ((int) ((((m) >> 7) * SNIP_BYTES(1)) >> 56))

#define LETTER_TYPE(t)	((t) == 1 || (t) == 2 || (t) == 10 || (t) == 11 || (t) == 16 || (t) == 17)
#define ASCII_SPACE(c)	((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r' || (c) == '\f' || (c) == '\v')
#define ASCII_LETTER(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define ASCII_DIGIT(c)	((c) >= '0' && (c) <= '9')
/* pg_ascii_tolower(), inline */
#define SNIP_ASCII_LOWER(c) (((c) >= 'A' && (c) <= 'Z') ? (c) + ('a' - 'A') : (c))

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

/*
 * Whether every dictionary of ASCII words (asciiword, hword_asciipart) keeps
 * a word's first letter, lower-cased, as the first letter of its lexemes:
 * simple dictionaries do (they only lower-case), and so does the snowball
 * stemmer for English, whose every step rewrites only a suffix and leaves at
 * least one letter before it (its exception list included: "dying" -> "die",
 * "skies" -> "sky"...).  sql/30_search_snippet.sql checks this against the
 * real english_stem over a generated word list.  Other languages' stemmers
 * are not assumed to.  Read from the catalog again after any change to a
 * text search dictionary or configuration (snip_config_check), so a changed
 * dictionary is never judged by its old options.
 */
static bool
snip_config_first_letter(TSConfigCacheEntry *cfg)
{
	static const int types[] = {1, 11};
	int			t,
				i;

	for (t = 0; t < (int) lengthof(types); t++)
	{
		if (types[t] >= cfg->lenmap)
			continue;
		for (i = 0; i < cfg->map[types[t]].len; i++)
		{
			Oid			dictId = cfg->map[types[t]].dictIds[i];
			TSDictionaryCacheEntry *d = lookup_ts_dictionary_cache(dictId);
			char	   *name = snip_catalog_func_name(d->lexizeOid);
			HeapTuple	tp;
			Datum		opt;
			bool		isnull,
						english = false;
			ListCell   *l;

			if (name != NULL && strcmp(name, "dsimple_lexize") == 0)
				continue;
			if (name == NULL || strcmp(name, "dsnowball_lexize") != 0)
				return false;
			tp = SearchSysCache1(TSDICTOID, ObjectIdGetDatum(dictId));
			if (!HeapTupleIsValid(tp))
				return false;
			opt = SysCacheGetAttr(TSDICTOID, tp, Anum_pg_ts_dict_dictinitoption, &isnull);
			if (!isnull)
			{
				foreach(l, deserialize_deflist(opt))
				{
					DefElem    *defel = (DefElem *) lfirst(l);

					if (pg_strcasecmp(defel->defname, "language") == 0)
						english = (pg_strcasecmp(defGetString(defel), "english") == 0);
				}
			}
			ReleaseSysCache(tp);
			if (!english)
				return false;
		}
	}
	return true;
}

/*
 * Whether the positions of plain text can be counted without the
 * dictionaries: blanks are not indexed, and every ASCII word gets a position
 * (a snowball dictionary, which answers for every word, ends its list; simple
 * and snowball dictionaries give one lexeme and no extra position).
 */
static bool
snip_config_counts_words(TSConfigCacheEntry *cfg)
{
	TSDictionaryCacheEntry *d;
	char	   *name;

	if (cfg->lenmap > TT_SPACE && cfg->map[TT_SPACE].len > 0)
		return false;
	if (cfg->lenmap <= 1 || cfg->map[1].len == 0)
		return false;
	d = lookup_ts_dictionary_cache(cfg->map[1].dictIds[cfg->map[1].len - 1]);
	name = snip_catalog_func_name(d->lexizeOid);
	return name != NULL && strcmp(name, "dsnowball_lexize") == 0;
}

/* Do token types a and b go to the same dictionaries, in the same order? */
static bool
snip_same_dicts(TSConfigCacheEntry *cfg, int a, int b)
{
	int			na = (a < cfg->lenmap) ? cfg->map[a].len : 0,
				nb = (b < cfg->lenmap) ? cfg->map[b].len : 0;

	return na == nb && (na == 0 || memcmp(cfg->map[a].dictIds, cfg->map[b].dictIds, na * sizeof(Oid)) == 0);
}

/* Does the query have a phrase operator? */
static bool
snip_query_has_phrase(TSQuery query)
{
	int			i;

	for (i = 0; i < query->size; i++)
		if (GETQUERY(query)[i].type == QI_OPR && GETQUERY(query)[i].qoperator.oper == OP_PHRASE)
			return true;
	return false;
}

/*
 * Whether the query allows windowed parsing: plain ASCII operands, and no
 * phrase operator unless the positions of left-out text can be counted.
 */
static bool
snip_query_windowable(TSQuery query, bool countpos)
{
	QueryItem  *qi = GETQUERY(query);
	int			i,
				j;

	for (i = 0; i < query->size; i++)
	{
		if (qi[i].type == QI_OPR && qi[i].qoperator.oper == OP_PHRASE && !countpos)
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

/* Byte i (> 0) of the document is a cut. */
#define SNIP_IS_CUT(doc, i) \
	(ASCII_LETTER((unsigned char) (doc)[i]) && ASCII_SPACE((unsigned char) (doc)[(i) - 1]))

/*
 * Whether the document can be cut (see above): it has no '<', and no stretch
 * before the first cut, between two cuts or after the last one is long
 * enough to hold an over-long token.  From each cut we jump to the last cut
 * less than MAXSTRLEN bytes further on, looking back from there, so a
 * document of ordinary text costs a few bytes per MAXSTRLEN (and never more
 * than two passes: the cut found is the last one of its stretch, so the next
 * jump goes past that stretch).
 */
static bool
snip_splittable(const char *doc, int len)
{
	int			last = 0;

	if (memchr(doc, '<', len) != NULL)
		return false;
	while (len - last >= MAXSTRLEN)
	{
		int			i;

		CHECK_FOR_INTERRUPTS();
		for (i = last + MAXSTRLEN - 1; i > last && !SNIP_IS_CUT(doc, i); i--)
			;
		if (i == last)
			return false;
		last = i;
	}
	return true;
}

/*
 * The cuts among the 8 bytes at p (p[-1] must be readable too), as the high
 * bit of each byte of a little-endian word: letters (bytes below 0x80 whose
 * b | 0x20 lies in 'a'..'z') right after white space (' ' or 0x09..0x0d).
 * With the high bits masked off first, no sum below reaches 0x100, so none
 * carries into the next byte.
 */
static inline uint64
snip_cuts8(const char *p)
{
	uint64		x,
				y,
				lx,
				ly,
				letter,
				space;

	memcpy(&x, p, sizeof(x));
	memcpy(&y, p - 1, sizeof(y));
	lx = (x & SNIP_BYTES(0x7f)) | SNIP_BYTES(0x20);
	letter = (lx + SNIP_BYTES(0x80 - 'a')) & ~(lx + SNIP_BYTES(0x80 - 'z' - 1)) & ~x;
	ly = y & SNIP_BYTES(0x7f);
	space = (SNIP_ZERO_BYTES(ly ^ SNIP_BYTES(' ')) |
			 ((ly + SNIP_BYTES(0x80 - 0x09)) & ~(ly + SNIP_BYTES(0x80 - 0x0e)))) & ~y;
	return letter & space & SNIP_BYTES(0x80);
}

/*
 * The n-th cut (n >= 1) after byte i and before to, else to: 8 bytes at a
 * time (on little-endian machines) while they hold fewer cuts than wanted.
 */
static int
snip_nth_cut(const char *doc, int i, int to, int64 n)
{
	for (i++; i < to; i++)
	{
#ifndef WORDS_BIGENDIAN
		if (i + 8 <= to)
		{
			int			k = SNIP_COUNT_BYTES(snip_cuts8(doc + i));

			if (k < n)
			{
				n -= k;
				i += 7;
				continue;
			}
		}
#endif
		if (SNIP_IS_CUT(doc, i) && --n == 0)
			return i;
	}
	return to;
}

/* The first cut after byte i and before to, else to. */
static inline int
snip_next_cut(const char *doc, int i, int to)
{
	return snip_nth_cut(doc, i, to, 1);
}

/* The last cut at or before byte i, else 0 (the start of the first segment). */
static inline int
snip_cut_at_or_before(const char *doc, int i)
{
	for (; i > 0; i--)
		if (SNIP_IS_CUT(doc, i))
			return i;
	return 0;
}

/*
 * Start of the segment n segments before the one starting at s (0 at most),
 * or, when that lies at or before byte floor, some segment start at or
 * before floor.
 */
static int
snip_segments_back(const char *doc, int s, int n, int floor)
{
	int			i;

	if (n <= 0 || s <= Max(floor, 0))
		return s;
	/* the cuts before s, from the last on: the n-th, or the first at or before floor */
	for (i = s - 1; i > 0; i--)
	{
#ifndef WORDS_BIGENDIAN
		/* bytes i - 7..i, all past floor, at a time while they hold fewer cuts than wanted */
		if (i - 7 > Max(floor, 0))
		{
			int			k = SNIP_COUNT_BYTES(snip_cuts8(doc + i - 7));

			if (k < n)
			{
				n -= k;
				i -= 7;
				continue;
			}
		}
#endif
		if (SNIP_IS_CUT(doc, i) && (--n == 0 || i <= floor))
			return i;
	}
	return 0;
}

/* End of the n-th segment from the one starting at s on (doclen at most). */
static int
snip_segments_forward(const char *doc, int s, int n, int doclen)
{
	return (n > 0) ? snip_nth_cut(doc, s, doclen, n) : s;
}

/*
 * Byte classes for finding segments and telling plain ones: a segment is
 * plain when the default parser surely splits it into ASCII words (runs of
 * letters) and blanks (runs of anything else) only: nothing but ASCII
 * letters, white space, and punctuation that no parser state treats
 * specially ('.' only when white space or the end follows and no '.'
 * precedes, ':' only because no '/' can follow in such a segment).  Digits,
 * '-', '+', '&', '/', '~', '_', '@', '<', NUL and non-ASCII bytes all need
 * the real parser.
 */
#define SC_OTHER	0
#define SC_LETTER	1
#define SC_SPACE	2
#define SC_PUNCT	3
#define SC_DOT		4

static uint8 snip_class[256];

static void
snip_class_init(void)
{
	const char *p;
	int			c;

	if (snip_class['a'] == SC_LETTER)
		return;
	for (p = ",;!?\"'()[]{}*=#%^|`$\\>:"; *p; p++)
		snip_class[(unsigned char) *p] = SC_PUNCT;
	for (p = " \t\n\r\f\v"; *p; p++)
		snip_class[(unsigned char) *p] = SC_SPACE;
	snip_class['.'] = SC_DOT;
	for (c = 0; c < 256; c++)
		if (ASCII_LETTER(c))
			snip_class[c] = SC_LETTER;
}

/*
 * The end of the segment starting at byte s (the first cut after s, else
 * to), and whether the segment is plain (see above).
 */
static inline int
snip_segment_scan(const char *doc, int s, int to, int doclen, bool *plain)
{
	int			i;
	bool		ok = true;

	for (i = s; i < to; i++)
	{
		uint8		k = snip_class[(unsigned char) doc[i]];

		if (k == SC_LETTER)
		{
			if (i > s && snip_class[(unsigned char) doc[i - 1]] == SC_SPACE)
				break;
		}
		else if (k == SC_DOT)
		{
			if ((i + 1 < doclen && !ASCII_SPACE((unsigned char) doc[i + 1])) ||
				(i > 0 && doc[i - 1] == '.'))
				ok = false;
		}
		else if (k == SC_OTHER)
			ok = false;
	}
	*plain = ok;
	return i;
}

/* May byte i of the document be part of a plain segment (see snip_segment_scan)? */
static inline bool
snip_byte_plain(const char *doc, int i, int doclen)
{
	uint8		k = snip_class[(unsigned char) doc[i]];

	if (k == SC_DOT)
		return (i + 1 >= doclen || ASCII_SPACE((unsigned char) doc[i + 1])) && !(i > 0 && doc[i - 1] == '.');
	return k != SC_OTHER;
}

/*
 * Length of the run of ASCII letters at p, of at most avail bytes: 16 bytes
 * at a time with SSE2 (a word's end then costs no mispredicted loop exit),
 * byte by byte for the rest.
 */
static inline int
snip_letter_run(const unsigned char *p, int avail)
{
	int			n = 0;

#ifdef __SSE2__
	while (avail - n >= 16)
	{
		__m128i		low = _mm_or_si128(_mm_loadu_si128((const __m128i *) (p + n)), _mm_set1_epi8(0x20));
		uint32		letters = (uint32) _mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
																	   _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1))));

		if (letters != 0xFFFF)
			return n + pg_rightmost_one_pos32(~letters);
		n += 16;
	}
#endif
	while (n < avail && snip_class[p[n]] == SC_LETTER)
		n++;
	return n;
}

/*
 * Tokenize the segments from byte s on (ending before to at most) without
 * the parser, as long as they are plain (see snip_segment_scan): returns the
 * start of the first one that is not (to if none), with the word list
 * holding the tokens before it.
 */
static int
snip_tokenize_plain(SnipState *st, int s, int to, int doclen)
{
	const unsigned char *doc = (const unsigned char *) st->doc;
	bool		words_indexed = 1 < st->cfg->lenmap && st->cfg->map[1].len > 0;
	/* the state at the start of the current segment */
	int			nwords = st->nwords,
				ninteresting = st->ninteresting,
				capidx = st->capidx;
	int32		vectorpos = st->vectorpos;
	int			i = s;

	while (i < to)
	{
		int			j = i;

		if (snip_class[doc[i]] == SC_LETTER)
		{
			/* an asciiword */
			if (i > s && snip_class[doc[i - 1]] == SC_SPACE)
			{
				/* a cut: the segment before is plain, the next one starts */
				s = i;
				nwords = st->nwords;
				ninteresting = st->ninteresting;
				capidx = st->capidx;
				vectorpos = st->vectorpos;
			}
			j += snip_letter_run(doc + j, to - j);
			if (st->noitem[doc[i]])
				snip_add_entry(st, &st->noitemlex, st->doc + i, j - i, 1);
			else
				snip_add_entry(st, words_indexed ? snip_lookup(st, st->doc + i, j - i, 1) : &snip_unindexed,
							   st->doc + i, j - i, 1);
		}
		else
		{
			for (; j < to && snip_class[doc[j]] != SC_LETTER; j++)
			{
				uint8		k = snip_class[doc[j]];

				if (k == SC_OTHER ||
					(k == SC_DOT && ((j + 1 < doclen && !ASCII_SPACE(doc[j + 1])) ||
									 (j > 0 && doc[j - 1] == '.'))))
				{
					/* not plain after all: forget what this segment added */
					st->nwords = nwords;
					st->ninteresting = ninteresting;
					st->capidx = capidx;
					st->vectorpos = vectorpos;
					return s;
				}
			}
			snip_add_token(st, st->doc + i, j - i, TT_SPACE);
		}
		i = j;
	}
	return i;
}

/* Tokenize bytes from..to (segment bounds): plain segments by hand, runs of others with the parser. */
static void
snip_parse_range(SnipState *st, TSParserCacheEntry *prs, int from, int to, int doclen)
{
	int			s = from;

	while (s < to)
	{
		int			e,
					runstart;
		bool		plain;

		s = runstart = snip_tokenize_plain(st, s, to, doclen);
		if (s >= to)
			break;
		/* s starts a segment that needs the parser, and so may the next ones */
		s = snip_segment_scan(st->doc, s, to, doclen, &plain);
		while (s < to)
		{
			e = snip_segment_scan(st->doc, s, to, doclen, &plain);
			if (plain)
				break;
			s = e;
		}
		snip_parse(st, prs, runstart, s);
	}
}

/*
 * ASCII words that need no dictionary (windowed parsing, when positions are
 * counted without the dictionaries and they keep first letters): such a word
 * gets one position and one lexeme, or none for a stop word
 * (snip_config_counts_words), that starts with the word's first letter
 * lower-cased (snip_config_first_letter), so a word whose first letter no
 * operand starts with carries no query item, and all its entry needs is its
 * position.  These words share one normalization: recognized, one lexeme
 * carrying nothing.  That gives a stop word among them a position where
 * ts_headline has none, which only snip_phrase_capped looks at (see "Stop
 * at the position cap").
 */
static void
snip_noitem_setup(SnipState *st)
{
	QueryItem  *qi = GETQUERY(st->query);
	int			c,
				i;

	for (c = 0; c < 256; c++)
		st->noitem[c] = ASCII_LETTER(c);
	for (i = 0; i < st->query->size; i++)
	{
		if (qi[i].type == QI_VAL)
		{
			unsigned char f = (unsigned char) GETOPERAND(st->query)[qi[i].qoperand.distance];

			st->noitem[f] = false;
			if (f >= 'a' && f <= 'z')
				st->noitem[f - ('a' - 'A')] = false;
		}
	}
	st->noitemlex.used = true;
	st->noitemlex.recognized = true;
	st->noitemlex.nlexemes = 1;
	st->noitemlex.first = 0;	/* the lexeme that carries nothing (snip_kept_take) */
}

/* Whether a normalized token carries any query item. */
static inline bool
snip_lex_has_item(SnipState *st, SnipLex *e)
{
	int			k;

	for (k = 0; k < e->nlexemes; k++)
		if (st->lc.lexemes[e->first + k].nitems > 0)
			return true;
	return false;
}

/*
 * Which bytes the candidate scan stops at (see snip_may_start): the first
 * byte of every operand in either case, every non-ASCII byte, and the
 * letters a word must start with to be normalized to an operand -- with the
 * first-letter property (snowball's english stemmer and simple dictionaries
 * keep a word's first letter, see snip_config_first_letter) the operands'
 * first letters, else every letter.  With only >= 0, for that operand alone.
 */
static void
snip_scan_tables(SnipState *st, bool first_letter, int only)
{
	QueryItem  *qi = GETQUERY(st->query);
	int			c,
				i;

	memset(st->stop, 0, sizeof(st->stop));
	memset(st->opstart, 0, sizeof(st->opstart));
	memset(st->wordstart, 0, sizeof(st->wordstart));
	for (c = 0x80; c < 256; c++)
		st->stop[c] = true;
	for (c = 0; c < 128; c++)
		if (!first_letter && ASCII_LETTER(c))
			st->stop[c] = st->wordstart[c] = true;
	for (i = 0; i < st->query->size; i++)
	{
		if (qi[i].type == QI_VAL && (only < 0 || i == only))
		{
			unsigned char f = (unsigned char) GETOPERAND(st->query)[qi[i].qoperand.distance];

			st->stop[f] = st->opstart[f] = true;
			if (f >= 'a' && f <= 'z')
			{
				st->stop[f - ('a' - 'A')] = st->opstart[f - ('a' - 'A')] = true;
				st->wordstart[f] = st->wordstart[f - ('a' - 'A')] = true;
			}
		}
	}
	/* for the scan's 8-byte test (snip_may_stop8) */
	st->nscan = 0;
	for (c = 0; c < 128; c++)
	{
		if (st->stop[c])
		{
			uint64		v = SNIP_BYTES(c | 0x20);

			for (i = 0; i < st->nscan && st->scan[i] != v; i++)
				;
			if (i == st->nscan && st->nscan == lengthof(st->scan))
			{
				st->nscan = 0;
				break;
			}
			if (i == st->nscan)
				st->scan[st->nscan++] = v;
		}
	}
}

/*
 * Might one of these 8 bytes be a stop byte of the scan?  Not when none is
 * a non-ASCII byte and none b has b | 0x20 among the values the ASCII stop
 * bytes take (snip_scan_tables): then (b | 0x20) ^ v has no zero byte.
 */
static inline bool
snip_may_stop8(const SnipState *st, const unsigned char *p)
{
	uint64		x,
				low,
				hit = 0;
	int			k;

	memcpy(&x, p, sizeof(x));
	if (x & SNIP_BYTES(0x80))
		return true;
	low = x | SNIP_BYTES(0x20);
	for (k = 0; k < st->nscan; k++)
		hit |= SNIP_ZERO_BYTES(low ^ st->scan[k]);
	return hit != 0;
}

#ifdef __SSE2__
/* The bytes of the 16 at p that may be stop bytes of the scan (as snip_may_stop8 tells), as a bit mask. */
static inline uint32
snip_may_stop16(const SnipState *st, const unsigned char *p)
{
	__m128i		x = _mm_loadu_si128((const __m128i *) p),
				low = _mm_or_si128(x, _mm_set1_epi8(0x20));
	uint32		m = (uint32) _mm_movemask_epi8(x);
	int			k;

	for (k = 0; k < st->nscan; k++)
		m |= (uint32) _mm_movemask_epi8(_mm_cmpeq_epi8(low, _mm_set1_epi8((char) (st->scan[k] & 0xFF))));
	return m;
}
#endif

/* Does some query operand start at byte i of the document, in any letter case? */
static bool
snip_operand_at(SnipState *st, int i, int doclen)
{
	QueryItem  *qi = GETQUERY(st->query);
	int			k;

	for (k = 0; k < st->query->size; k++)
	{
		if (qi[k].type == QI_VAL && i + qi[k].qoperand.length <= doclen)
		{
			const char *op = GETOPERAND(st->query) + qi[k].qoperand.distance;
			int			j;

			for (j = 0; j < qi[k].qoperand.length; j++)
				if (SNIP_ASCII_LOWER((unsigned char) st->doc[i + j]) != op[j])
					break;
			if (j == qi[k].qoperand.length)
				return true;
		}
	}
	return false;
}

/*
 * Whether a token carrying a query item may start at byte i, a stop byte of
 * the scan; *skip gets how many bytes to step over when not.  Operands are
 * plain lowercase ASCII ([a-z0-9]+).  A token normalized by a simple
 * dictionary (numbers, hosts, hyphenated words and their parts...) carries
 * one only if the operand lies, in some letter case, inside one of its
 * alphanumeric ASCII runs.  A word token does if its letters normalize to
 * it, which we ask the real dictionaries about (cached) for each run of
 * letters that ends an alphanumeric run (a word token's ASCII letters).  A
 * token holding a non-ASCII character keeps one in its lexeme (lower-casing
 * keeps it non-ASCII, stemming only touches ASCII suffixes), so it can only
 * match an operand as a prefix, and that prefix lies in the token's leading
 * ASCII run, which we check like any run.  The exceptions are characters
 * that lower-case to ASCII (U+0130 and the Kelvin sign, or whatever
 * towlower() says) and bytes that are not well-formed UTF-8: those count as
 * possible matches.
 */
static bool
snip_may_start(SnipState *st, int i, int doclen, int *skip)
{
	const unsigned char *doc = (const unsigned char *) st->doc;
	unsigned char c = doc[i];

	*skip = 1;
	if (c >= 0x80)
	{
		int			l = pg_utf_mblen(doc + i),
					k;
		pg_wchar	cp;

		if (!st->utf8 || l < 2 || i + l > doclen)
			return true;
		for (k = 1; k < l; k++)
			if ((doc[i + k] & 0xC0) != 0x80)
				return true;
		cp = utf8_to_unicode(doc + i);
		*skip = l;
		return cp == 0x130 || cp == 0x212A || (cp <= 0xFFFF && towlower((wint_t) cp) < 0x80);
	}
	if (st->opstart[c] && snip_operand_at(st, i, doclen))
		return true;
	if (st->wordstart[c] && (i == 0 || !ASCII_LETTER(doc[i - 1])))
	{
		int			j = i;

		while (j < doclen && ASCII_LETTER(doc[j]))
			j++;
		*skip = j - i;
		if (j < doclen && ASCII_DIGIT(doc[j]))
			return false;
		return snip_lex_has_item(st, snip_lookup(st, st->doc + i, j - i, 1)) ||
			(!st->hword_as_word && snip_lex_has_item(st, snip_lookup(st, st->doc + i, j - i, 11)));
	}
	return false;
}

/* The first byte at or after i where a token carrying a query item may start, else doclen. */
static int
snip_next_candidate(SnipState *st, int i, int doclen)
{
	const unsigned char *doc = (const unsigned char *) st->doc;
	const bool *stop = st->stop;

	while (i < doclen)
	{
		int			end = Min(doclen, i + (1 << 16)),
					skip;

		CHECK_FOR_INTERRUPTS();
		while (i < end)
		{
			int			lim = end;

#ifdef __SSE2__
			/* 16 bytes at a time: on to the first that may stop the scan */
			if (st->nscan > 0 && i + 16 <= end)
			{
				uint32		m = snip_may_stop16(st, doc + i);

				if (m == 0)
				{
					i += 16;
					continue;
				}
				i += pg_rightmost_one_pos32(m);
				if (stop[doc[i]])
					break;
				i++;
				continue;
			}
#endif
			/* 8 bytes at a time while none can stop the scan */
			if (st->nscan > 0 && i + 8 <= end)
			{
				if (!snip_may_stop8(st, doc + i))
				{
					i += 8;
					continue;
				}
				lim = i + 8;
			}
			while (i < lim && !stop[doc[i]])
				i++;
			if (i < lim)
				break;
		}
		if (i >= end)
			continue;
		if (snip_may_start(st, i, doclen, &skip))
			return i;
		i += skip;
	}
	return doclen;
}

/* Index the words by query item and run the selection over them. */
static void
snip_select(SnipState *st, const SnipOptions *o, SnipSelect *s)
{
	int			i,
				nitemwords = 0;
	int		   *fill;

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
	s->itemwords = palloc(Max(nitemwords, 1) * sizeof(int));
	s->nitemwords = 0;
	for (i = 0; i < st->nwords; i++)
	{
		int32		item = st->words[i].item;

		if (item >= 0)
		{
			st->occ[item][fill[item]++] = i;
			s->itemwords[s->nitemwords++] = i;
		}
	}

	s->words = st->words;
	s->nwords = st->nwords;
	s->test = snip_test_range;
	s->testarg = st;
	s->monotone = true;
	for (i = 0; i < st->query->size; i++)
		if (GETQUERY(st->query)[i].type == QI_OPR &&
			GETQUERY(st->query)[i].qoperator.oper == OP_NOT)
			s->monotone = false;
	SnipSelectHeadline(s, o);
}

/*
 * Stop at the position cap (queries that need a phrase match).
 *
 * ts_headline gives each word its tsvector position capped at
 * MAXENTRYPOS - 1 (LIMITPOS), so past the word at position MAXENTRYPOS - 2
 * every word carrying a lexeme has the same position.  A phrase with
 * distance d >= 1 then cannot match among them: it needs a left word at a
 * position at most MAXENTRYPOS - 1 - d, i.e. before capidx (the first entry
 * from which all positions are capped).  When the query cannot match
 * without such a phrase (snip_query_needs_phrase), every cover holds one,
 * so it starts before capidx and, being shorter than max_cover entries,
 * ends before capidx + max_cover; and selection reaches at most max_words
 * words past a cover's end (stretching a fragment, or filling the headline
 * of MaxFragments = 0).  Once max_words + 1 words follow entry
 * capidx + max_cover, the rest of the document changes nothing: the parse
 * stops there.
 *
 * When the query is a phrase whose every match ends at its last word y,
 * d after x (see "Phrase pairs"), a match ending at or after capidx has y at
 * the capped position MAXENTRYPOS - 1, so x at MAXENTRYPOS - 1 - d exactly.
 * The entries before capidx have their true positions, and a token found
 * there at that position that does not carry x (nor has a repeated entry
 * carrying it) rules every such match out: then every cover ends before
 * capidx, and the parse stops once max_words + 1 words follow capidx.  When
 * no parsed entry has that position (a stop word, or text left out there),
 * nothing is ruled out.  (A stop word among the words snip_noitem_setup
 * leaves to no dictionary does have an entry with that position, and rightly
 * rules them out too: it does not carry x, and no other token has its
 * position.)
 */
/* Is a phrase operand made of words, phrases and OR only (positions of real words)? */
static bool
snip_phrase_simple(QueryItem *qi)
{
	check_stack_depth();
	if (qi->type == QI_VAL)
		return true;
	if (qi->qoperator.oper != OP_PHRASE && qi->qoperator.oper != OP_OR)
		return false;
	return snip_phrase_simple(qi + 1) && snip_phrase_simple(qi + qi->qoperator.left);
}

/*
 * Whether the query can match only through a phrase of distance >= 1 whose
 * operands are words, phrases or alternatives of those (a NOT inside a
 * phrase could match next to any position, so none is allowed).
 */
static bool
snip_query_needs_phrase(QueryItem *qi)
{
	check_stack_depth();
	if (qi->type != QI_OPR)
		return false;
	switch (qi->qoperator.oper)
	{
		case OP_PHRASE:
			return qi->qoperator.distance >= 1 && snip_phrase_simple(qi + 1) &&
				snip_phrase_simple(qi + qi->qoperator.left);
		case OP_AND:
			return snip_query_needs_phrase(qi + 1) ||
				snip_query_needs_phrase(qi + qi->qoperator.left);
		case OP_OR:
			return snip_query_needs_phrase(qi + 1) &&
				snip_query_needs_phrase(qi + qi->qoperator.left);
		default:
			return false;
	}
}

/* Is the full parse past the point where the position cap fixes the headline?  (See above.) */
static bool
snip_phrase_capped(SnipState *st, const SnipOptions *o)
{
	int64		max_cover = Max(o->max_words * 10, 100);
	int64		from;
	int			i,
				words = 0;

	if (o->max_fragments > 0)
		max_cover *= o->max_fragments;
	if (st->capidx < 0)
		return false;
	if (st->capclear < 0)
	{
		int32		target = MAXENTRYPOS - 1 - st->lastd;
		bool		seen = false,
					hasx = false;

		/* positions below the cap grow with the index; entries without a lexeme have 0 */
		for (i = st->capidx - 1; st->lastx >= 0 && i >= 0; i--)
		{
			if (st->words[i].pos == 0)
				continue;
			if (st->words[i].pos < target)
				break;
			if (st->words[i].pos == target)
			{
				seen = true;
				hasx |= (st->words[i].item == st->lastx);
			}
		}
		st->capclear = (seen && !hasx) ? 1 : 0;
	}
	if (st->capclear == 1)
		max_cover = 0;
	from = st->capidx + max_cover;
	if (st->nwords < from)
		return false;
	for (i = st->nwords - 1; i >= from && words <= o->max_words; i--)
		if (!NONWORD(st->words[i].type))
			words++;
	return words > o->max_words;
}

/*
 * Early stop (MaxFragments > 0, and a query whose every cover is a single
 * word: one operand, or operands joined by OR only, none a prefix).
 *
 * ts_headline then sees one cover per query word, each with one interesting
 * word (poslen 1) and one word (curlen 1: the token types that do not count
 * as words -- blanks, tags, URLs, hyphenated words -- never carry such an
 * operand, since their lexemes always hold a '/', '-' or '.', blanks are not
 * indexed (we require it) and tags do not occur).  Its chooser takes the
 * cover with most interesting words, then fewest words, then the earliest:
 * here simply the earliest cover that no chosen fragment has excluded.
 * So once the words parsed so far (a prefix of the whole word list) yield
 * MaxFragments fragments, and no fragment's stretch to the right ran into
 * the end of that prefix, the rest of the document can only add later covers
 * that are never chosen, and words no fragment reaches: the headline is
 * fixed.  The words of the prefix are the same as in the whole list, since
 * windows only ever grow to the right.
 */
static bool
snip_query_single_word_covers(TSQuery query)
{
	QueryItem  *qi = GETQUERY(query);
	int			i;

	for (i = 0; i < query->size; i++)
	{
		if (qi[i].type == QI_OPR && qi[i].qoperator.oper != OP_OR)
			return false;
		if (qi[i].type == QI_VAL && qi[i].qoperand.prefix)
			return false;
	}
	return true;
}

/* Early stop: is the headline fixed by the words parsed so far?  (See above.) */
static bool
snip_headline_fixed(SnipState *st, const SnipOptions *o, SnipSelect *s)
{
	int			i;

	if (st->ninteresting < o->max_fragments || st->nwords < st->nextcheck)
		return false;
	snip_select(st, o, s);
	if (s->nfragments == o->max_fragments && !s->reached_end)
		return true;
	/* not yet: undo the selection, and look again when twice as many words are in */
	for (i = 0; i < st->nwords; i++)
		st->words[i].flags &= (SW_REPEATED | SW_GAP);
	st->nextcheck = st->nwords * 2;
	return false;
}

/*
 * The ASCII letters of 8 bytes taken as a little-endian word, as the high
 * bit of each byte, when all 8 may be part of plain segments for sure
 * (snip_byte_plain): letters, ' ', '\n', ',', and '.' between another byte
 * of the same 8 and a ' ' or '\n' (that byte is no '.', which would be
 * followed by no blank), else 0 (as when there is no letter).  (b | 0x20)
 * lies in 'a'..'z' exactly for letters, and b + 0x7f reaches 0x80 exactly
 * when b is not 0, tested on all bytes at once (no byte reaches 0x80, so no
 * sum carries into the next byte).
 */
static inline uint64
snip_letters8(const char *p)
{
	uint64		x,
				low,
				letter,
				space,
				dot;

	memcpy(&x, p, sizeof(x));
	if (x & SNIP_BYTES(0x80))
		return 0;
	low = x | SNIP_BYTES(0x20);
	letter = (low + SNIP_BYTES(0x80 - 'a')) & ~(low + SNIP_BYTES(0x80 - 'z' - 1)) & SNIP_BYTES(0x80);
	space = SNIP_ZERO_BYTES(x ^ SNIP_BYTES(' ')) | SNIP_ZERO_BYTES(x ^ SNIP_BYTES('\n'));
	dot = SNIP_ZERO_BYTES(x ^ SNIP_BYTES('.'));
	/* every dot followed by a blank here, and not the first byte */
	if ((dot & ~(space >> 8)) != 0 || (dot & 0x80) != 0)
		return 0;
	return ((letter | space | dot | SNIP_ZERO_BYTES(x ^ SNIP_BYTES(','))) == SNIP_BYTES(0x80)) ? letter : 0;
}

#ifdef __SSE2__
/*
 * The ASCII letters of bytes i..i + 15 of the document as the bits of a
 * mask, when all 16 may be part of plain segments for sure
 * (snip_byte_plain): letters, white space, the punctuation , ? ! : ; ' " ( )
 * and dots followed by white space (or the end of the document) and not
 * preceded by a dot, else 0 (as when there is no letter).  Bytes from 0x80
 * on compare as negative numbers, so below every letter.  (SSE2: always
 * there on x86-64.)
 */
static inline uint32
snip_letters16(const char *doc, int i, int doclen)
{
	__m128i		x = _mm_loadu_si128((const __m128i *) (doc + i)),
				low = _mm_or_si128(x, _mm_set1_epi8(0x20)),
				letter,
				space,
				plain;
	uint32		l,
				s,
				d;

	letter = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
						   _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
	space = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')),
						 _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x08)),
									   _mm_cmplt_epi8(x, _mm_set1_epi8(0x0e))));
#define SNIP_OR_EQ(v, c) ((v) = _mm_or_si128((v), _mm_cmpeq_epi8(x, _mm_set1_epi8(c))))
	plain = _mm_or_si128(letter, space);
	SNIP_OR_EQ(plain, ',');
	SNIP_OR_EQ(plain, '?');
	SNIP_OR_EQ(plain, '!');
	SNIP_OR_EQ(plain, ':');
	SNIP_OR_EQ(plain, ';');
	SNIP_OR_EQ(plain, '\'');
	SNIP_OR_EQ(plain, '"');
	SNIP_OR_EQ(plain, '(');
	SNIP_OR_EQ(plain, ')');
#undef SNIP_OR_EQ
	l = (uint32) _mm_movemask_epi8(letter);
	s = (uint32) _mm_movemask_epi8(space);
	d = (uint32) _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')));
	if (l == 0 || ((uint32) _mm_movemask_epi8(plain) | d) != 0xFFFF)
		return 0;
	/* a dot followed by a byte here that is no blank, or by one after that is */
	if ((d & ~(s >> 1) & 0x7FFF) != 0 ||
		((d & 0x8000) != 0 && i + 16 < doclen && !ASCII_SPACE((unsigned char) doc[i + 16])))
		return 0;
	/* (a dot after a dot here is ruled out already: that one is followed by no blank) */
	if ((d & 1) != 0 && i > 0 && doc[i - 1] == '.')
		return 0;
	return l;
}

/* Number of bits set in the low 16 bits of v (the rest are 0). */
static inline int
snip_popcount16(uint32 v)
{
	v = v - ((v >> 1) & 0x5555);
	v = (v & 0x3333) + ((v >> 2) & 0x3333);
	v = (v + (v >> 4)) & 0x0F0F;
	return (int) ((v + (v >> 8)) & 0x1F);
}
#endif

/*
 * Count the words (runs of ASCII letters) of bytes from..to as long as they
 * may be part of plain segments (snip_byte_plain): returns the first byte
 * that may not (or to), with *words the words before it.  Stretches of
 * surely plain bytes go 16 bytes at a time (SSE2), else 8 at a time (on
 * little-endian machines); the rest byte by byte, where only dots need a
 * closer look.
 */
static inline int
snip_plain_words(const char *doc, int from, int to, int doclen, int *words)
{
	int			i = from,
				n = 0;
	uint8		prevletter = 0;

	while (i < to)
	{
		uint8		k,
					letter;

#ifdef __SSE2__
		if (i + 16 <= to)
		{
			uint32		l = snip_letters16(doc, i, doclen);

			if (l != 0)
			{
				n += snip_popcount16(l & ~((l << 1) | prevletter));
				prevletter = (uint8) (l >> 15);
				i += 16;
				continue;
			}
		}
#endif
#ifndef WORDS_BIGENDIAN
		if (i + 8 <= to)
		{
			uint64		l = snip_letters8(doc + i);

			/* bytes surely plain, at least one letter */
			if (l != 0)
			{
				/* a letter starts a word when the byte before is not a letter */
				n += SNIP_COUNT_BYTES(l & ~((l << 8) | (uint64) prevletter << 7));
				prevletter = (uint8) (l >> 63);
				i += 8;
				continue;
			}
		}
#endif
		k = snip_class[(unsigned char) doc[i]];
		letter = (k == SC_LETTER);
		if (unlikely(k == SC_OTHER || k == SC_DOT) && !snip_byte_plain(doc, i, doclen))
			break;
		n += letter & (prevletter ^ 1);
		prevletter = letter;
		i++;
	}
	*words = n;
	return i;
}

/*
 * Count the positions of bytes from..to (segment bounds), as ts_headline
 * gives them: a plain segment's only tokens are ASCII words, one position
 * each (snip_config_counts_words), and blanks, none, so runs of plain
 * segments are counted in one pass (snip_plain_words); a segment holding a
 * byte that may not be plain is parsed and its words dropped again.
 */
static void
snip_count_range(SnipState *st, TSParserCacheEntry *prs, int from, int to, int doclen)
{
	const char *doc = st->doc;

	while (from < to)
	{
		int			words,
					segwords,
					b = snip_plain_words(doc, from, to, doclen, &words),
					s,
					e,
					nwords = st->nwords,
					ninteresting = st->ninteresting;

		if (b >= to)
		{
			st->vectorpos += words;
			return;
		}
		/* the segment s..e holding byte b needs the parser; the words before s are plain */
		s = Max(snip_cut_at_or_before(doc, b), from);
		e = snip_next_cut(doc, b, to);
		(void) snip_plain_words(doc, s, b, doclen, &segwords);
		st->vectorpos += words - segwords;
		snip_parse(st, prs, s, e);
		st->nwords = nwords;
		st->ninteresting = ninteresting;
		from = e;
	}
}

/*
 * The start of a stretch of text (1 kB or so) in which the positions of the
 * document reach the cap, or doclen if they never do: counted as
 * snip_count_range counts, leaving the state as it was, but for the marks:
 * the positions counted up to each stretch before the cap (the first
 * SNIP_MARKS of them), so that snip_skip_range need not count them again.
 */
static int
snip_cap_byte(SnipState *st, TSParserCacheEntry *prs, int doclen)
{
	int32		vectorpos = st->vectorpos;
	int			capidx = st->capidx,
				from = 0,
				result = doclen;

	while (from < doclen)
	{
		int			to = (from + 1024 < doclen) ? snip_next_cut(st->doc, from + 1024, doclen) : doclen;

		if (st->nmarks < SNIP_MARKS)
		{
			st->markbyte[st->nmarks] = from;
			st->markpos[st->nmarks++] = st->vectorpos;
		}
		snip_count_range(st, prs, from, to, doclen);
		if (st->vectorpos >= MAXENTRYPOS - 2)
		{
			result = from;
			break;
		}
		from = to;
	}
	st->vectorpos = vectorpos;
	st->capidx = capidx;
	return result;
}

/*
 * Count the positions of bytes from..to (segment bounds) that windowed
 * parsing leaves out, so that the words after them get the positions
 * ts_headline gives them (phrase queries).  Between two marks of
 * snip_cap_byte, the count is known: positions stay below the cap there, so
 * counting would not touch capidx either.
 */
static void
snip_skip_range(SnipState *st, TSParserCacheEntry *prs, int from, int to, int doclen)
{
	int			i = SnipLowerBound(st->markbyte, st->nmarks, from),
				j = SnipLowerBound(st->markbyte, st->nmarks, to + 1) - 1;

	if (i < j)
	{
		snip_count_range(st, prs, from, st->markbyte[i], doclen);
		st->vectorpos += st->markpos[j] - st->markpos[i];
		snip_count_range(st, prs, st->markbyte[j], to, doclen);
	}
	else
		snip_count_range(st, prs, from, to, doclen);
}

/*
 * Phrase pairs.  A query that cannot match without a phrase (see
 * snip_query_needs_phrase) often cannot match without a given pair of words
 * x <d> y: y at some position P and x at P - d.  Every cover then holds such
 * a pair and is shorter than max_cover entries, and a segment holds at least
 * two entries, so windows of max_cover / 2 + 2 segments (plus the usual
 * context) around each place where the pair may occur hold every cover.
 * The pair may occur where a token carrying y may start, unless we can tell
 * it does not: when the text from the cut before the d-th word before y to
 * the cut after y is plain (see snip_segment_scan), its tokens are ASCII
 * words and blanks only, one position per word (snip_config_counts_words),
 * so the token at P - d is the d-th word before, and whether those two words
 * carry x and y the dictionaries say -- as long as positions stay below
 * the cap (where ts_headline gives every word the same position, so a right
 * word anywhere after the cap pairs with a left word just before it): from
 * the stretch of text where positions may reach it on (snip_cap_byte),
 * every possible y counts.  Anything else counts as a possible pair too.
 *
 * When the query is the phrase itself (its root is the phrase operator whose
 * right operand is y: x <d> y, or a chain ... x <d> y), every match ends at
 * its y, so every cover does too: the cover from pmin ends at the first pmax
 * such that pmin..pmax matches, and a match inside it has its y -- a word at
 * a greater position than every other word of the match (distances are at
 * least 1), hence a later entry -- at or before pmax, so pmin..y matches
 * already and pmax is that y, a place where the pair occurs.  Covers then lie
 * before the places found, and the windows only need the usual context of
 * max_words + 2 segments after them (stretching), not max_cover / 2 + 2.
 */
typedef struct SnipPair
{
	int			x;				/* query items of the operands */
	int			y;
	int			d;				/* distance */
	bool		last;			/* every match of the query ends at y (see above) */
	int			capbyte;		/* from here on, positions may be capped */
} SnipPair;

/* Find a pair that every match of the query holds (false if none is found). */
static bool
snip_query_pair(QueryItem *query, QueryItem *qi, SnipPair *pair)
{
	check_stack_depth();
	if (qi->type != QI_OPR)
		return false;
	if (qi->qoperator.oper == OP_PHRASE)
	{
		QueryItem  *left = qi + qi->qoperator.left;

		/* in a chain a <> b <d> c, c is d after b, the right end of the left side */
		if (left->type == QI_OPR && left->qoperator.oper == OP_PHRASE)
			left = left + 1;
		if (qi->qoperator.distance >= 1 && (qi + 1)->type == QI_VAL && left->type == QI_VAL)
		{
			pair->x = left - query;
			pair->y = (qi + 1) - query;
			pair->d = qi->qoperator.distance;
			pair->last = (qi == query);
			return true;
		}
		return snip_query_pair(query, qi + qi->qoperator.left, pair) ||
			snip_query_pair(query, qi + 1, pair);
	}
	if (qi->qoperator.oper == OP_AND)
		return snip_query_pair(query, qi + qi->qoperator.left, pair) ||
			snip_query_pair(query, qi + 1, pair);
	return false;
}

/* Does the lexeme list of a normalized token carry query item item? */
static bool
snip_lex_has_operand(SnipState *st, SnipLex *e, int item)
{
	int			k,
				m;

	for (k = 0; k < e->nlexemes; k++)
	{
		SnipLexeme *lx = &st->lc.lexemes[e->first + k];

		for (m = 0; m < lx->nitems; m++)
			if (st->lc.items[lx->firstitem + m] == item)
				return true;
	}
	return false;
}

/*
 * May the pair occur with y at the token starting at byte c (a stop of the
 * scan for y)?  *skip gets how far the scan may jump when not.  See above.
 */
static bool
snip_pair_may_match(SnipState *st, const SnipPair *pair, int c, int doclen, int *skip)
{
	const char *doc = st->doc;
	int			yend = c,
				i = c,
				k;

	*skip = 1;
	if (c >= pair->capbyte || !ASCII_LETTER((unsigned char) doc[c]) ||
		(c > 0 && (ASCII_LETTER((unsigned char) doc[c - 1]) || !snip_byte_plain(doc, c - 1, doclen))))
		return true;
	while (yend < doclen && ASCII_LETTER((unsigned char) doc[yend]))
		yend++;
	*skip = yend - c;
	/* plain up to the next cut (or the end) */
	for (k = yend; k < doclen && !SNIP_IS_CUT(doc, k); k++)
		if (!snip_byte_plain(doc, k, doclen))
			return true;
	/* back d words over plain blanks */
	for (k = 0; k < pair->d; k++)
	{
		int			j = i - 1;

		while (j >= 0 && !ASCII_LETTER((unsigned char) doc[j]))
		{
			if (!snip_byte_plain(doc, j, doclen))
				return true;
			j--;
		}
		if (j < 0)
			return false;		/* fewer than d words before y: no pair */
		while (j > 0 && ASCII_LETTER((unsigned char) doc[j - 1]))
			j--;
		i = j;
	}
	/* the word found must start at a cut (or the start), so its segment is plain from there */
	if (i > 0 && !ASCII_SPACE((unsigned char) doc[i - 1]))
		return true;
	{
		int			xend = i;

		while (ASCII_LETTER((unsigned char) doc[xend]))
			xend++;
		return snip_lex_has_operand(st, snip_lookup(st, st->doc + c, yend - c, 1), pair->y) &&
			snip_lex_has_operand(st, snip_lookup(st, st->doc + i, xend - i, 1), pair->x);
	}
}

/* Windowed parsing: the current window and how far it has been parsed. */
typedef struct SnipWindow
{
	int			start;			/* first byte (a segment start) */
	int			end;			/* end so far (a segment end) */
	int			parsed;			/* bytes start..parsed are tokenized */
	int			firstword;		/* index of its first word */
	int32		vidx;			/* virtual index of its first word */
} SnipWindow;

/* Tokenize the rest of the current window as far as it reaches now. */
static void
snip_window_parse(SnipState *st, TSParserCacheEntry *prs, SnipWindow *w, int doclen)
{
	int			before = st->nwords;

	if (w->parsed >= w->end)
		return;
	snip_parse_range(st, prs, w->parsed, w->end, doclen);
	w->parsed = w->end;
	if (before == w->firstword)
		snip_set_vidx(st, before, w->vidx, w->start > 0);
	else
		snip_set_vidx(st, before, st->words[before - 1].vidx + 1, false);
}

/*
 * Tokenize the current window up to byte end (a segment end), in pieces of
 * about step bytes when a stop may come (earlystop, phrasecap), looking for
 * it after each piece: returns true at a stop, with *selected true when the
 * headline is chosen (earlystop) and false at the position cap.
 */
static bool
snip_window_advance(SnipState *st, TSParserCacheEntry *prs, SnipWindow *w, int end, int step,
					int doclen, const SnipOptions *o, bool earlystop, bool phrasecap,
					SnipSelect *s, bool *selected)
{
	while (w->parsed < end)
	{
		w->end = end;
		if ((earlystop || phrasecap) && w->parsed < end - step)
			w->end = snip_next_cut(st->doc, w->parsed + step, end);
		snip_window_parse(st, prs, w, doclen);
		*selected = earlystop && snip_headline_fixed(st, o, s);
		if (*selected || (phrasecap && snip_phrase_capped(st, o)))
			return true;
	}
	w->end = Max(w->end, end);
	return false;
}

/* Do fewer than n (>= 2) segments start in bytes from..to (from < to)? */
static bool
snip_few_segments(const char *doc, int from, int to, int64 n)
{
	Assert(from < to && n >= 2);
	/* one starts at from, and one at each cut after it */
	return snip_nth_cut(doc, from, to, n - 1) >= to;
}

/*
 * Parse only the windows of the document that can matter (see above): the
 * first min_words + 2 segments, and max_words + 2 segments on either side of
 * each segment where a token carrying a query item may start, found by a
 * scan that stops only at bytes that can begin one; windows closer than
 * max_cover / 2 + 2 segments are joined, and once windows hold most of the
 * text scanned so far (60 %, past the first eighth), the rest is taken whole.
 * With countpos, the positions of the text between windows are counted.
 * With a pair (see "Phrase pairs"), the scan looks for the pair's right
 * word only, keeps only places where the pair may occur, and widens their
 * windows by max_cover / 2 + 2 segments (on the left only when the pair
 * ends every match).
 * Windows are parsed as they grow when a stop may come early: with
 * earlystop, the headline is chosen as soon as it is fixed, and true
 * returned; with phrasecap, parsing ends at the position cap.  Else false,
 * with the word list complete (as far as the cap allows).
 */
static bool
snip_parse_windows(SnipState *st, TSParserCacheEntry *prs, int doclen, const SnipOptions *o,
				   bool earlystop, bool countpos, bool phrasecap, const SnipPair *pair, SnipSelect *s)
{
	const char *doc = st->doc;
	int64		max_cover = Max(o->max_words * 10, 100);
	int			margin = o->max_words + 2;
	int64		mingap;
	int			c = 0,
				reach,
				reachright;
	int64		wanted = 0;		/* bytes of the windows before the current one */
	SnipWindow	w;
	bool		selected = false;
	/* phrasecap: small pieces, so that the parse ends soon after the cap */
	int			step = phrasecap ? 1024 : doclen;

	if (o->max_fragments > 0)
		max_cover *= o->max_fragments;
	mingap = max_cover / 2 + 2;
	/* around a possible pair, as far as a cover holding it can reach */
	reach = (pair != NULL) ? (int) (max_cover / 2 + 2) : 0;
	/* covers end at the pair when it ends every match (see "Phrase pairs") */
	reachright = (pair != NULL && pair->last) ? 0 : reach;

	w.start = w.parsed = w.firstword = 0;
	w.vidx = 0;
	w.end = snip_segments_forward(doc, 0, o->min_words + 3, doclen);
	for (;;)
	{
		int			seg,
					from,
					to;

		c = snip_next_candidate(st, c, doclen);
		if (c >= doclen)
			break;
		if (pair != NULL)
		{
			int			skip;

			if (!snip_pair_may_match(st, pair, c, doclen, &skip))
			{
				c += skip;
				continue;
			}
		}
		if (!earlystop && pair == NULL && c > doclen / 8 && (wanted + w.end - w.start) * 10 > (int64) c * 6)
		{
			/* the windows hold most of the text so far: take the rest whole */
			w.end = doclen;
			break;
		}
		seg = snip_cut_at_or_before(doc, c);
		/* (only whether it lies past the window matters when it does not) */
		from = snip_segments_back(doc, seg, margin + reach, w.end);
		to = snip_segments_forward(doc, seg, margin + reachright + 1, doclen);
		if (from > w.end && !snip_few_segments(doc, w.end, from, mingap))
		{
			/* a new window: finish this one (no cover can span the gap) */
			if (snip_window_advance(st, prs, &w, w.end, step, doclen, o, earlystop, phrasecap,
									s, &selected))
				return selected;
			if (countpos)
				snip_skip_range(st, prs, w.end, from, doclen);
			wanted += w.end - w.start;
			if (st->nwords > w.firstword)
				w.vidx = st->words[st->nwords - 1].vidx + 1 + (int32) max_cover;
			w.start = w.parsed = from;
			w.firstword = st->nwords;
		}
		if (earlystop || phrasecap)
		{
			if (snip_window_advance(st, prs, &w, Max(w.end, to), step, doclen, o, earlystop,
									phrasecap, s, &selected))
				return selected;
		}
		else
			w.end = Max(w.end, to);
		/* the rest of this segment adds nothing to the window */
		c = snip_next_cut(doc, c, doclen);
	}
	/* the last window, in pieces when a stop may come before its end */
	return snip_window_advance(st, prs, &w, w.end, Min(step, 8192), doclen, o, earlystop, phrasecap,
							   s, &selected) && selected;
}

/* TS_execute callback: positions of the operand's words inside the current range. */
static TSTernaryValue
snip_check_operand(void *arg, QueryOperand *val, ExecPhraseData *data)
{
	SnipState  *st = (SnipState *) arg;
	int			qi = (QueryItem *) val - GETQUERY(st->query);
	int		   *occ = st->occ[qi];
	int			n = st->nocc[qi];
	int			lo = SnipLowerBound(occ, n, st->lo),
				i,
				end;

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

/*
 * Cache in fn_extra: whether a configuration can take the fast path, and
 * what the fast path may assume of its dictionaries (read from the catalog,
 * so computed again after any change there).
 */
typedef struct SnipConfigCheck
{
	Oid			cfgId;
	ListDictionary *map;		/* identifies the cache entry's current build */
	uint64		catalog_generation; /* snip_catalog_generation when computed */
	bool		fast;
	bool		windowable;
	bool		first_letter;	/* snip_config_first_letter */
	bool		counts_words;	/* snip_config_counts_words */
	bool		hword_as_word;	/* snip_same_dicts(cfg, 1, 11) */
} SnipConfigCheck;

/*
 * The configuration's properties: fast is true when the parser is the
 * default one and every dictionary is single-word and context-free.
 */
static const SnipConfigCheck *
snip_config_check(FunctionCallInfo fcinfo, TSConfigCacheEntry *cfg, TSParserCacheEntry *prs)
{
	SnipConfigCheck *cc = (SnipConfigCheck *) fcinfo->flinfo->fn_extra;
	bool		fast = true;
	int			t,
				i;

	if (cc != NULL && cc->cfgId == cfg->cfgId && cc->map == cfg->map &&
		cc->catalog_generation == snip_catalog_generation)
		return cc;

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
	cc->catalog_generation = snip_catalog_generation;
	cc->fast = fast;
	cc->windowable = fast && snip_config_windowable(cfg);
	cc->first_letter = fast && snip_config_first_letter(cfg);
	cc->counts_words = fast && snip_config_counts_words(cfg);
	cc->hword_as_word = snip_same_dicts(cfg, 1, 11);
	fcinfo->flinfo->fn_extra = cc;
	return cc;
}

/* Tokenize the whole document, or with a phrase query only up to the position cap. */
static void
snip_parse_all(SnipState *st, TSParserCacheEntry *prs, int doclen, const SnipOptions *o, bool phrasecap)
{
	int			from = 0;

	while (from < doclen)
	{
		int			to = doclen;

		if (phrasecap && from + 8192 < doclen)
			to = snip_next_cut(st->doc, from + 8192, doclen);
		snip_parse_range(st, prs, from, to, doclen);
		from = to;
		if (phrasecap && snip_phrase_capped(st, o))
			break;
	}
	snip_set_vidx(st, 0, 0, false);
}

/*
 * The lexize cache is kept from call to call while the configuration (and
 * the backend-wide cache it draws on) and the query stay the same: search()
 * asks for the snippets of many documents of one user for one query, and a
 * SQL query over many rows does the same, so each distinct word is
 * normalized and matched against the query once per query, not once per
 * document.  The cache holds nothing of a document but copies of its
 * tokens; it is dropped when it grows past SNIP_KEPT_MAX words, and when a
 * call ends in an error (busy is still set then).
 */
#define SNIP_KEPT_MAX		(1 << 16)

static struct
{
	MemoryContext cxt;
	bool		busy;
	Oid			cfgId;
	ListDictionary *map;
	uint64		generation;		/* of the backend-wide cache */
	TSQuery		query;			/* a copy */
	SnipLexCache lc;
} snip_kept;

/* Take the kept cache for this call, or start a new one sized for len bytes. */
static void
snip_kept_take(SnipState *st, int len)
{
	bool		same = snip_kept.cxt != NULL && !snip_kept.busy &&
		snip_kept.cfgId == st->cfg->cfgId && snip_kept.map == st->cfg->map &&
		snip_kept.generation == snip_global.generation && snip_kept.lc.nlex < SNIP_KEPT_MAX &&
		VARSIZE(snip_kept.query) == VARSIZE(st->query) &&
		memcmp(snip_kept.query, st->query, VARSIZE(st->query)) == 0;

	if (!same)
	{
		if (snip_kept.cxt == NULL)
			snip_kept.cxt = AllocSetContextCreate(TopMemoryContext, "journaling snippet kept cache",
												  ALLOCSET_DEFAULT_SIZES);
		else
			MemoryContextReset(snip_kept.cxt);
		snip_kept.cfgId = st->cfg->cfgId;
		snip_kept.map = st->cfg->map;
		snip_kept.generation = snip_global.generation;
		snip_kept.query = MemoryContextAlloc(snip_kept.cxt, VARSIZE(st->query));
		memcpy(snip_kept.query, st->query, VARSIZE(st->query));
		snip_kept.lc.lexcxt = snip_kept.cxt;
		snip_kept.lc.lexsize = 64;
		while (snip_kept.lc.lexsize < 1 << 16 && snip_kept.lc.lexsize * 16 < len)
			snip_kept.lc.lexsize *= 2;
		snip_kept.lc.lex = MemoryContextAllocZero(snip_kept.cxt, snip_kept.lc.lexsize * sizeof(SnipLex));
		snip_kept.lc.nlex = 0;
		snip_kept.lc.maxlexemes = 64;
		snip_kept.lc.lexemes = MemoryContextAlloc(snip_kept.cxt, snip_kept.lc.maxlexemes * sizeof(SnipLexeme));
		/* lexeme 0 carries nothing: the one of the words snip_noitem_setup leaves out */
		snip_kept.lc.lexemes[0].addpos = false;
		snip_kept.lc.lexemes[0].nitems = 0;
		snip_kept.lc.lexemes[0].firstitem = 0;
		snip_kept.lc.nlexemes = 1;
		snip_kept.lc.maxitems = 16;
		snip_kept.lc.items = MemoryContextAlloc(snip_kept.cxt, snip_kept.lc.maxitems * sizeof(int32));
		snip_kept.lc.nitems = 0;
		snip_kept.lc.maxkeys = 1024;
		snip_kept.lc.keys = MemoryContextAlloc(snip_kept.cxt, snip_kept.lc.maxkeys);
		snip_kept.lc.nkeys = 0;
	}
	snip_kept.busy = true;
	st->lc = snip_kept.lc;
}

/* At the end of a call: keep the cache as the call left it. */
static void
snip_kept_give_back(SnipState *st)
{
	snip_kept.lc = st->lc;
	snip_kept.busy = false;
}

/* Allocate the word list and caches, sized for this many bytes of text (they grow if need be). */
static void
snip_alloc_tables(SnipState *st, int len)
{
	snip_kept_take(st, len);
	st->maxwords = Max(64, Min(len / 4, 1 << 20));
	if (snip_words_buf != NULL &&
		(snip_words_bufsize < st->maxwords || snip_words_bufsize > Max(st->maxwords, SNIP_KEEP_WORDS)))
	{
		pfree(snip_words_buf);
		snip_words_buf = NULL;
	}
	if (snip_words_buf == NULL)
	{
		snip_words_buf = MemoryContextAlloc(TopMemoryContext, st->maxwords * sizeof(SnipWord));
		snip_words_bufsize = st->maxwords;
	}
	st->words = snip_words_buf;
	st->maxwords = snip_words_bufsize;
}

/* After a call: give a large word list back (see snip_add_word). */
static void
snip_release_words(void)
{
	if (snip_words_buf != NULL && snip_words_bufsize > SNIP_KEEP_WORDS)
	{
		pfree(snip_words_buf);
		snip_words_buf = NULL;
	}
}

/*
 * Documents at least this long are parsed by windows; shorter ones whole.
 * Windows pay for themselves from about 2 kB: over the 3 916 snippets of
 * the search benchmark's results (1.5-20 kB, most under 8 kB), 2048 took
 * 13 % less time than 8192.
 */
#define SNIP_WINDOWS_FROM 2048

/* Compute the snippet of a document; the caller decides the memory context. */
static text *
snip_compute(SnipState *st, TSParserCacheEntry *prs, int doclen, text *opt, const SnipConfigCheck *cc)
{
	SnipOptions o;
	SnipSelect	s;
	bool		selected = false;

	snip_class_init();
	if (snip_splittable(st->doc, doclen))
	{
		bool		ordinary,
					countpos,
					phrasecap,
					noitem,
					phrase = snip_query_has_phrase(st->query);

		/* no token can draw a NOTICE, so reading the options first changes nothing */
		snip_parse_options(opt, &o);
		/* options that selection takes as they are (windows and stops rely on them) */
		ordinary = !(o.highlightall && o.max_fragments == 0) &&
			o.min_words > 0 && o.min_words < o.max_words && o.max_words <= 10000 &&
			o.shortword >= 0 && o.max_fragments >= 0 && o.max_fragments <= 1000;
		/* positions of left-out text matter to phrases only */
		countpos = cc->windowable && phrase && cc->counts_words;
		/* words no operand starts like need no dictionary (their positions matter to phrases only) */
		noitem = cc->first_letter && (!phrase || countpos);
		phrasecap = ordinary && snip_query_needs_phrase(GETQUERY(st->query));

		/* (below 256 MB, virtual indexes stay far from overflowing) */
		if (cc->windowable && ordinary && doclen >= SNIP_WINDOWS_FROM && doclen < (1 << 28) &&
			snip_query_windowable(st->query, countpos))
		{
			bool		earlystop = o.max_fragments > 0 && snip_query_single_word_covers(st->query) &&
				(st->cfg->lenmap <= TT_SPACE || st->cfg->map[TT_SPACE].len == 0);
			SnipPair	pair;
			bool		paired = countpos && phrasecap &&
				snip_query_pair(GETQUERY(st->query), GETQUERY(st->query), &pair);

			/* a word's letters taken as either type then normalize alike (snip_may_start) */
			st->hword_as_word = cc->hword_as_word;
			/* tables start small and grow with what the windows hold */
			snip_alloc_tables(st, 8192);
			if (noitem)
				snip_noitem_setup(st);
			if (paired)
				pair.capbyte = snip_cap_byte(st, prs, doclen);
			if (paired && pair.last)
			{
				st->lastx = pair.x;
				st->lastd = pair.d;
			}
			snip_scan_tables(st, cc->first_letter, paired ? pair.y : -1);
			selected = snip_parse_windows(st, prs, doclen, &o, earlystop, countpos, phrasecap,
										  paired ? &pair : NULL, &s);
		}
		else
		{
			snip_alloc_tables(st, doclen);
			if (noitem)
				snip_noitem_setup(st);
			snip_parse_all(st, prs, doclen, &o, phrasecap);
		}
	}
	else
	{
		snip_alloc_tables(st, doclen);
		snip_parse(st, prs, 0, doclen);
		snip_set_vidx(st, 0, 0, false);
		snip_parse_options(opt, &o);
	}

	if (!selected)
		snip_select(st, &o, &s);

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
	const SnipConfigCheck *cc = snip_config_check(fcinfo, cfg, prs);

	if (!cc->fast)
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
	st->capidx = -1;
	st->lastx = -1;
	st->capclear = -1;
	res = snip_compute(st, prs, VARSIZE_ANY_EXHDR(doc), opt, cc);
	snip_kept_give_back(st);
	snip_release_words();
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
