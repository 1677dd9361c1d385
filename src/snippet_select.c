/*
 * snippet_select.c — which words a headline shows: ts_headline's selection rules.
 *
 * Pure logic over the word list snippet.c builds (SnipWord, declared in
 * journaling.h): the cover search, the fragment chooser used when
 * MaxFragments > 0 and the word chooser used when MaxFragments = 0, decision
 * for decision as PostgreSQL 15's prsd_headline (wparser_def.c) makes them,
 * written anew.  Whether the query matches a range of words is asked of a
 * callback, so this file needs nothing from the server beyond palloc,
 * ereport and CHECK_FOR_INTERRUPTS and can be compiled outside it (with
 * stand-ins for those) for unit tests and fuzzing.
 *
 * Two changes of method: when the query has no NOT, a range that matches
 * stays matched when it grows, so the shortest cover from a start word is
 * found by bisection instead of by testing every end word in turn; and
 * covers are cut into pieces with running word counts and the list of query
 * words instead of by walking them (snip_next_piece).  The answers are the
 * same.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "journaling.h"

typedef struct SnipCover
{
	int			startpos;
	int			endpos;
	int			poslen;			/* interesting words */
	int			curlen;			/* words */
	bool		chosen;
	bool		excluded;
} SnipCover;

#define INTERESTING(s, j)	((s)->words[j].item >= 0 && !((s)->words[j].flags & SW_REPEATED))
#define BADEND(s, j, shortword) \
	((NOEND((s)->words[j].type) || (s)->words[j].len <= (shortword)) && !INTERESTING(s, j))
#define ISWORD(s, j)		(!NONWORD((s)->words[j].type))

/* Index of the first element of the ascending array a[0..n-1] that is >= key (n if none). */
int
SnipLowerBound(const int *a, int n, int key)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Earliest, shortest cover starting at or after *p and at most max_cover
 * entries long: for each query word pmin in turn, the first query word pmax
 * (pmin itself, then later ones closer than max_cover) such that the query
 * matches pmin..pmax.
 *
 * Without NOT, a query that matches a range also matches every longer range
 * (operands only gain positions), so the first such pmax is found by testing
 * the longest range and then bisecting; with NOT we test each pmax in turn.
 * Both give the same answer.
 */
static bool
snip_cover(const SnipSelect *s, int max_cover, int *p, int *q)
{
	int			a = SnipLowerBound(s->itemwords, s->nitemwords, *p);

	while (a < s->nitemwords)
	{
		int			pmin = s->itemwords[a];

		if (s->monotone)
		{
			int			lo = a,
						hi = s->nitemwords - 1,
						b;

			/* b: the last candidate pmax (pmin itself is always one) */
			while (lo < hi)
			{
				int			mid = lo + (hi - lo + 1) / 2;

				if (s->words[s->itemwords[mid]].vidx - s->words[pmin].vidx < max_cover)
					lo = mid;
				else
					hi = mid - 1;
			}
			b = lo;
			if (s->test(s->testarg, pmin, s->itemwords[b]))
			{
				lo = a;
				hi = b;
				while (lo < hi)
				{
					int			mid = lo + (hi - lo) / 2;

					if (s->test(s->testarg, pmin, s->itemwords[mid]))
						hi = mid;
					else
						lo = mid + 1;
				}
				*p = pmin;
				*q = s->itemwords[lo];
				return true;
			}
		}
		else
		{
			int			c = a;

			do
			{
				if (s->test(s->testarg, pmin, s->itemwords[c]))
				{
					*p = pmin;
					*q = s->itemwords[c];
					return true;
				}
				c++;
			} while (c < s->nitemwords &&
					 s->words[s->itemwords[c]].vidx - s->words[pmin].vidx < max_cover);
		}
		a++;
	}
	return false;
}

/*
 * Mark words startpos..endpos as shown, highlighting query words.  An empty
 * document asks for words 0..0 (as in ts_headline): only existing words are
 * touched.
 */
static void
snip_mark(SnipSelect *s, bool highlightall, int startpos, int endpos)
{
	int			i;

	for (i = startpos; i <= endpos && i < s->nwords; i++)
	{
		SnipWord   *w = &s->words[i];

		if (w->item >= 0)
			w->flags |= SW_SELECTED;
		if (!highlightall)
		{
			if (HL_REPLACE(w->type))
				w->flags |= SW_REPLACE;
			else if (HL_SKIP(w->type))
				w->flags |= SW_SKIP;
		}
		else if (HL_SKIP(w->type))
			w->flags |= SW_SKIP;
		if (w->flags & SW_REPEATED)
			w->flags &= ~SW_IN;
		else
			w->flags |= SW_IN;
	}
}

/*
 * Counts that let snip_next_piece cut covers into pieces without walking
 * their words (covers from successive start words overlap, so walking them
 * costs the cover length once per query word).
 */
typedef struct SnipPieces
{
	int		   *words;			/* words[i]: entries before i that are words, i = 0..nwords */
	int		   *interesting;	/* indexes of the interesting entries, ascending */
	int			ninteresting;
} SnipPieces;

/* Count the words and list the query words of the word list. */
static void
snip_pieces_init(const SnipSelect *s, SnipPieces *pc)
{
	int			i;

	pc->words = palloc((s->nwords + 1) * sizeof(int));
	pc->words[0] = 0;
	for (i = 0; i < s->nwords; i++)
		pc->words[i + 1] = pc->words[i] + (ISWORD(s, i) ? 1 : 0);
	pc->interesting = palloc(Max(s->nitemwords, 1) * sizeof(int));
	pc->ninteresting = 0;
	for (i = 0; i < s->nitemwords; i++)
		if (INTERESTING(s, s->itemwords[i]))
			pc->interesting[pc->ninteresting++] = s->itemwords[i];
}

/*
 * Cut the next piece of at most max_words words, with query words at both
 * ends, from a cover (startpos <= endpos), as ts_headline does: from the
 * first query word on, take entries while fewer than max_words words are in
 * and the cover lasts; if the cover goes on, end at the last query word up
 * to the entry after the last one taken, taking off the words after it.
 */
static void
snip_next_piece(const SnipSelect *s, const SnipPieces *pc, int *startpos, int *endpos,
				int *curlen, int *poslen, int max_words)
{
	const int  *w = pc->words,
			   *iw = pc->interesting;
	int			n = pc->ninteresting,
				k = SnipLowerBound(iw, n, *startpos),
				a,
				i,
				ki;

	/* the first query word of the cover, else its last entry (k: query words before a, either way) */
	a = (k < n && iw[k] <= *endpos) ? iw[k] : *endpos;
	*startpos = a;
	/* i: past the entry that makes max_words words, or past the cover */
	i = a;
	if (max_words > 0)
		i = a + 1 + SnipLowerBound(w + a + 1, *endpos - a, w[a] + max_words);
	*curlen = w[i] - w[a];
	ki = k + SnipLowerBound(iw + k, n - k, i);	/* query words before i */
	*poslen = ki - k;
	if (*endpos > i)
	{
		/* the last query word up to i (a is one then, so there is one) */
		if (ki >= n || iw[ki] != i)
			ki--;
		Assert(ki >= k && iw[ki] >= a);
		*endpos = iw[ki];
		*curlen -= w[i + 1] - w[*endpos + 1];
	}
}

/* Mark the first min_words words (the headline when no cover qualifies). */
static void
snip_mark_prefix(SnipSelect *s, const SnipOptions *o)
{
	int			i,
				curlen = 0,
				endpos = 0;

	for (i = 0; i < s->nwords && curlen < o->min_words; i++)
	{
		if (ISWORD(s, i))
			curlen++;
		endpos = i;
	}
	snip_mark(s, o->highlightall, 0, endpos);
}

/* Selector for MaxFragments > 0: the best non-overlapping pieces of covers, stretched. */
static void
snip_select_fragments(SnipSelect *s, const SnipOptions *o, int max_cover)
{
	int			max_words = o->max_words;
	int			shortword = o->shortword;
	int			ncovers = 0,
				maxcovers = 32,
				num_f = 0,
				p = 0,
				q = 0,
				f,
				i;
	SnipCover  *covers = palloc(maxcovers * sizeof(SnipCover));
	SnipPieces	pc;

	snip_pieces_init(s, &pc);
	while (snip_cover(s, max_cover, &p, &q))
	{
		int			startpos = p,
					endpos = q,
					curlen,
					poslen;

		CHECK_FOR_INTERRUPTS();
		while (startpos <= endpos)
		{
			snip_next_piece(s, &pc, &startpos, &endpos, &curlen, &poslen, max_words);
			if (ncovers >= maxcovers)
			{
				maxcovers *= 2;
				covers = repalloc(covers, maxcovers * sizeof(SnipCover));
			}
			covers[ncovers].startpos = startpos;
			covers[ncovers].endpos = endpos;
			covers[ncovers].curlen = curlen;
			covers[ncovers].poslen = poslen;
			covers[ncovers].chosen = false;
			covers[ncovers].excluded = false;
			ncovers++;
			startpos = endpos + 1;
			endpos = q;
		}
		p++;
	}

	for (f = 0; f < o->max_fragments; f++)
	{
		int			maxitems = 0,
					minwords = PG_INT32_MAX,
					best = -1,
					startpos,
					endpos,
					curlen;

		for (i = 0; i < ncovers; i++)
		{
			if (!covers[i].chosen && !covers[i].excluded &&
				(maxitems < covers[i].poslen ||
				 (maxitems == covers[i].poslen && minwords > covers[i].curlen)))
			{
				maxitems = covers[i].poslen;
				minwords = covers[i].curlen;
				best = i;
			}
		}
		if (best < 0)
			break;

		covers[best].chosen = true;
		startpos = covers[best].startpos;
		endpos = covers[best].endpos;
		curlen = covers[best].curlen;
		if (curlen < max_words)
		{
			int			maxstretch = (max_words - curlen) / 2;
			int			stretch = 0;
			int			marker = startpos;

			/* widen to the left by up to half the room, not into shown words */
			for (i = startpos - 1; i >= 0 && stretch < maxstretch &&
				 !(s->words[i].flags & SW_IN); i--)
			{
				if (ISWORD(s, i))
				{
					curlen++;
					stretch++;
				}
				marker = i;
			}
			for (i = marker; i < startpos && BADEND(s, i, shortword); i++)
			{
				if (ISWORD(s, i))
					curlen--;
			}
			startpos = i;

			/* then to the right with whatever room is left */
			marker = endpos;
			for (i = endpos + 1; i < s->nwords && curlen < max_words &&
				 !(s->words[i].flags & SW_IN); i++)
			{
				if (ISWORD(s, i))
					curlen++;
				marker = i;
			}
			if (i >= s->nwords)
				s->reached_end = true;
			for (i = marker; i > endpos && BADEND(s, i, shortword); i--)
			{
				if (ISWORD(s, i))
					curlen--;
			}
			endpos = i;
		}
		covers[best].startpos = startpos;
		covers[best].endpos = endpos;
		covers[best].curlen = curlen;
		snip_mark(s, o->highlightall, startpos, endpos);
		num_f++;

		for (i = 0; i < ncovers; i++)
		{
			if (i != best &&
				((covers[i].startpos >= startpos && covers[i].startpos <= endpos) ||
				 (covers[i].endpos >= startpos && covers[i].endpos <= endpos) ||
				 (covers[i].startpos < startpos && covers[i].endpos > endpos)))
				covers[i].excluded = true;
		}
	}

	s->nfragments = num_f;
	if (num_f <= 0)
		snip_mark_prefix(s, o);
	pfree(covers);
	pfree(pc.words);
	pfree(pc.interesting);
}

/* Selector for MaxFragments = 0: one headline around the best cover. */
static void
snip_select_words(SnipSelect *s, const SnipOptions *o, int max_cover)
{
	int			min_words = o->min_words;
	int			max_words = o->max_words;
	int			shortword = o->shortword;
	int			p = 0,
				q = 0,
				bestb = -1,
				beste = -1,
				bestlen = -1;
	bool		bestcover = false;
	int			i;

	if (o->highlightall)
	{
		snip_mark(s, true, 0, s->nwords - 1);
		return;
	}

	while (snip_cover(s, max_cover, &p, &q))
	{
		int			curlen = 0,
					poslen = 0,
					posb = p,
					pose = p;
		bool		poscover;

		CHECK_FOR_INTERRUPTS();
		for (i = p; i <= q && curlen < max_words; i++)
		{
			if (ISWORD(s, i))
				curlen++;
			if (INTERESTING(s, i))
				poslen++;
			pose = i;
		}

		if (curlen < max_words)
		{
			/* room left: extend to the right up to a good end point */
			for (i = i - 1; i < s->nwords && curlen < max_words; i++)
			{
				if (i > q)
				{
					if (ISWORD(s, i))
						curlen++;
					if (INTERESTING(s, i))
						poslen++;
				}
				pose = i;
				if (BADEND(s, i, shortword))
					continue;
				if (curlen >= min_words)
					break;
			}
			if (curlen < min_words)
			{
				/* end of text reached while still short: extend to the left */
				for (i = p - 1; i >= 0; i--)
				{
					if (ISWORD(s, i))
						curlen++;
					if (INTERESTING(s, i))
						poslen++;
					if (curlen >= max_words)
						break;
					if (BADEND(s, i, shortword))
						continue;
					if (curlen >= min_words)
						break;
				}
				posb = (i >= 0) ? i : 0;
			}
		}
		else
		{
			/* full: shorten while the end point is bad */
			if (i > q)
				i = q;
			for (; curlen > min_words; i--)
			{
				if (!BADEND(s, i, shortword))
					break;
				if (ISWORD(s, i))
					curlen--;
				if (INTERESTING(s, i))
					poslen--;
				pose = i - 1;
			}
		}

		poscover = (posb <= p && pose >= q);
		if (poscover > bestcover ||
			(poscover == bestcover && poslen > bestlen) ||
			(poscover == bestcover && poslen == bestlen &&
			 !BADEND(s, pose, shortword) && BADEND(s, beste, shortword)))
		{
			bestb = posb;
			beste = pose;
			bestlen = poslen;
			bestcover = poscover;
		}
		p++;
	}

	if (bestlen < 0)
	{
		int			curlen = 0,
					pose = 0;

		for (i = 0; i < s->nwords && curlen < min_words; i++)
		{
			if (ISWORD(s, i))
				curlen++;
			pose = i;
		}
		bestb = 0;
		beste = pose;
	}
	snip_mark(s, false, bestb, beste);
}

/* Validate options as ts_headline does, then run the selector they ask for. */
void
SnipSelectHeadline(SnipSelect *s, const SnipOptions *o)
{
	int			max_cover = Max(o->max_words * 10, 100);

	if (o->max_fragments > 0)
		max_cover *= o->max_fragments;

	if (!o->highlightall)
	{
		if (o->min_words >= o->max_words)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("MinWords should be less than MaxWords")));
		if (o->min_words <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("MinWords should be positive")));
		if (o->shortword < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ShortWord should be >= 0")));
		if (o->max_fragments < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("MaxFragments should be >= 0")));
	}

	s->nfragments = 0;
	s->reached_end = false;
	if (o->max_fragments == 0)
		snip_select_words(s, o, max_cover);
	else
		snip_select_fragments(s, o, max_cover);
}
