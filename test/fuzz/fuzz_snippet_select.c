/*
 * fuzz_snippet_select.c — libFuzzer harness for src/snippet_select.c.
 *
 * Builds a word list, a boolean query over up to 8 items and headline
 * options from the input, runs the selection and checks:
 *   - invalid options (for a non-HighlightAll headline) raise an error, valid
 *     ones never do;
 *   - the selector only asks about ranges of the word list, and only marks
 *     words it may (SW_SELECTED only on words carrying a query item);
 *   - for a query without NOT, the bisection used for such queries picks
 *     exactly the words the linear scan of ts_headline picks (the selector
 *     run with monotone = false).
 * Compiled against the server headers with test/fuzz/pg_stubs.c.
 */
#include "postgres.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journaling.h"

#include "pg_stubs.h"

#define MAX_ITEMS	8
#define MAX_PROG	16
#define MAX_WORDS	2048
#define HEADER		6

/* Token types drawn by the input: letters mostly, then every special case. */
static const uint8 word_types[16] = {
	1, 2, 3, 1, 2, TT_URL, TT_SCIENTIFIC, TT_VERSION,
	TT_SPACE, TT_TAG, TT_NUMHWORD, TT_ASCIIHWORD, TT_HWORD, TT_DECIMAL, TT_UNSIGNEDINT, TT_ENTITY
};

/* Option values the high bit of an option byte selects: overflow and sign edges. */
static const int extreme_values[8] = {
	PG_INT32_MAX, PG_INT32_MIN, PG_INT32_MAX / 10 + 1, 0, -1, 1, 1 << 20, 10000
};

/* Postfix program: operands (op 0, item arg) and AND (1), OR (2), NOT (3). */
typedef struct Query
{
	int			n;
	uint8		op[MAX_PROG];
	uint8		arg[MAX_PROG];
	int			nitems;
	bool		has_not;
} Query;

typedef struct Fuzz
{
	const Query *q;
	int			nwords;
	int		   *cnt[MAX_ITEMS];	/* cnt[i][j]: words before j carrying item i */
} Fuzz;

/* The query's value when exactly the items in present[] occur. */
static bool
eval(const Query *q, const bool *present)
{
	bool		stack[MAX_PROG];
	int			sp = 0,
				i;

	for (i = 0; i < q->n; i++)
	{
		switch (q->op[i])
		{
			case 0:
				stack[sp++] = present[q->arg[i]];
				break;
			case 1:
				sp--;
				stack[sp - 1] = stack[sp - 1] && stack[sp];
				break;
			case 2:
				sp--;
				stack[sp - 1] = stack[sp - 1] || stack[sp];
				break;
			default:
				stack[sp - 1] = !stack[sp - 1];
				break;
		}
	}
	while (sp > 1)
	{
		sp--;
		stack[sp - 1] = stack[sp - 1] || stack[sp];
	}
	return stack[0];
}

/* Cover test: does the query match words lo..hi? */
static bool
test_range(void *arg, int lo, int hi)
{
	Fuzz	   *f = arg;
	bool		present[MAX_ITEMS];
	int			i;

	if (lo < 0 || hi >= f->nwords || lo > hi)
	{
		fprintf(stderr, "cover test asked for words %d..%d of %d\n", lo, hi, f->nwords);
		abort();
	}
	for (i = 0; i < f->q->nitems; i++)
		present[i] = f->cnt[i][hi + 1] - f->cnt[i][lo] > 0;
	return eval(f->q, present);
}

/* One option from a byte: small values near the edges, or an extreme one. */
static int
option_value(uint8 b)
{
	if (b & 0x80)
		return extreme_values[b & 7];
	return (int) (b & 0x7f) % 48 - 4;
}

/* Decode the query program; every prefix of valid operations is kept. */
static void
decode_query(const uint8_t *data, int len, int nitems, Query *q)
{
	int			depth = 0,
				i;

	q->n = 0;
	q->nitems = nitems;
	q->has_not = false;
	for (i = 0; i < len && q->n < MAX_PROG; i++)
	{
		uint8		op = data[i] & 3;

		if ((op == 1 || op == 2) && depth < 2)
			continue;
		if (op == 3 && depth < 1)
			continue;
		q->op[q->n] = op;
		q->arg[q->n] = (data[i] >> 2) % nitems;
		q->n++;
		if (op == 0)
			depth++;
		else if (op != 3)
			depth--;
		else
			q->has_not = true;
	}
	if (q->n == 0)
	{
		q->op[0] = 0;
		q->arg[0] = 0;
		q->n = 1;
	}
}

/* Run the selection on a copy of the words; the flags it leaves, or false on error. */
static bool
run_select(const SnipWord *words, int nwords, int *itemwords, int nitemwords,
		   Fuzz *f, bool monotone, const SnipOptions *o, uint8 *flags)
{
	/* exactly nwords entries: a read or write past them is an overflow */
	SnipWord   *w = malloc(sizeof(SnipWord) * nwords);
	SnipSelect	s;
	jmp_buf		jb;
	volatile bool ok = true;
	int			i;

	memcpy(w, words, sizeof(SnipWord) * nwords);
	s.words = w;
	s.nwords = nwords;
	s.itemwords = itemwords;
	s.nitemwords = nitemwords;
	s.monotone = monotone;
	s.test = test_range;
	s.testarg = f;
	pg_stub_error_jmp = &jb;
	if (setjmp(jb) == 0)
		SnipSelectHeadline(&s, o);
	else
		ok = false;
	pg_stub_error_jmp = NULL;
	for (i = 0; i < nwords; i++)
	{
		if ((w[i].flags & SW_SELECTED) && w[i].item < 0)
		{
			fprintf(stderr, "word %d selected without a query item\n", i);
			abort();
		}
		flags[i] = w[i].flags;
	}
	free(w);
	return ok;
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SnipOptions o;
	Query		q;
	Fuzz		f;
	SnipWord   *words;
	int		   *itemwords;
	uint8	   *flags_linear,
			   *flags_bisect;
	int			nitems,
				nwords = 0,
				nitemwords = 0,
				proglen,
				i,
				j;
	int32		vidx = 0;
	bool		invalid,
				ok_linear;

	if (size < HEADER)
		return 0;
	memset(&o, 0, sizeof(o));
	o.min_words = option_value(data[0]);
	o.max_words = option_value(data[1]);
	o.shortword = option_value(data[2]) % 8;
	o.max_fragments = option_value(data[3]);
	if (!(data[3] & 0x80))
		o.max_fragments %= 6;
	o.highlightall = data[4] & 1;
	nitems = 1 + ((data[4] >> 1) & 7);
	proglen = 1 + (data[5] & 15);
	if ((size_t) (HEADER + proglen) > size)
		return 0;
	decode_query(data + HEADER, proglen, nitems, &q);
	data += HEADER + proglen;
	size -= HEADER + proglen;

	/* the words: 2 bytes each (type and length; item, repeat, gap) */
	words = malloc(sizeof(SnipWord) * (MAX_WORDS + 1));
	for (i = 0; i + 1 < (int) size && nwords < MAX_WORDS; i += 2)
	{
		uint8		a = data[i],
					b = data[i + 1];
		SnipWord   *w = &words[nwords];
		int			kind = b & 3;

		if (kind == 3 && nwords > 0 && words[nwords - 1].item >= 0)
		{
			/* a further query item on the previous token */
			*w = words[nwords - 1];
			w->item = (b >> 2) % nitems;
			w->flags = SW_REPEATED;
		}
		else
		{
			w->off = nwords;
			w->len = 1 + (a >> 4);
			w->type = word_types[a & 15];
			w->flags = 0;
			w->pos = 0;
			/* blanks, tags and entities are never indexed; anything else may match */
			w->item = (kind == 2 && !IDIGNORE(w->type)) ? (b >> 2) % nitems : -1;
		}
		if ((b & 0xe0) == 0xe0 && nwords > 0)
		{
			/* a part of the document left unparsed: no cover may span it */
			vidx += 1 + ((b >> 2) & 7) * 25000;
			w->flags |= SW_GAP;
		}
		w->vidx = vidx++;
		nwords++;
	}

	itemwords = malloc(sizeof(int) * (nwords + 1));
	for (i = 0; i < nwords; i++)
		if (words[i].item >= 0)
			itemwords[nitemwords++] = i;
	f.q = &q;
	f.nwords = nwords;
	for (j = 0; j < nitems; j++)
	{
		f.cnt[j] = malloc(sizeof(int) * (nwords + 1));
		f.cnt[j][0] = 0;
		for (i = 0; i < nwords; i++)
			f.cnt[j][i + 1] = f.cnt[j][i] + (words[i].item == j);
	}

	invalid = !o.highlightall &&
		(o.min_words >= o.max_words || o.min_words <= 0 || o.shortword < 0 || o.max_fragments < 0);
	flags_linear = malloc(nwords + 1);
	flags_bisect = malloc(nwords + 1);
	ok_linear = run_select(words, nwords, itemwords, nitemwords, &f, false, &o, flags_linear);
	if (ok_linear == invalid)
	{
		fprintf(stderr, "options min %d max %d short %d frags %d all %d: %s\n",
				o.min_words, o.max_words, o.shortword, o.max_fragments, o.highlightall,
				ok_linear ? "accepted" : pg_stub_message);
		abort();
	}
	if (ok_linear && !q.has_not)
	{
		run_select(words, nwords, itemwords, nitemwords, &f, true, &o, flags_bisect);
		for (i = 0; i < nwords; i++)
			if (flags_linear[i] != flags_bisect[i])
			{
				fprintf(stderr, "bisection and linear scan disagree at word %d of %d: flags 0x%02x vs 0x%02x\n",
						i, nwords, flags_bisect[i], flags_linear[i]);
				abort();
			}
	}

	for (j = 0; j < nitems; j++)
		free(f.cnt[j]);
	free(flags_linear);
	free(flags_bisect);
	free(itemwords);
	free(words);
	return 0;
}
