/*
 * journaling.h — declarations shared between the extension's C files.
 */
#ifndef JOURNALING_H
#define JOURNALING_H

#include "fmgr.h"
#include "utils/uuid.h"

#include "compat.h"

/* identity.c */
extern void IdentityInit(void);
extern bool JournalingCurrentUserId(pg_uuid_t *out);

/* entry_vector.c */
#define JOURNALING_VECTOR_INPUT_LIMIT (256 * 1024)
extern int64 JournalingWordCount(const char *s, size_t len);

/* snippet_select.c — the word list of a headline and ts_headline's selection rules */
/* Token types of the default parser (wparser_def.c) that selection cares about. */
#define TT_URL			5
#define TT_SCIENTIFIC	7
#define TT_VERSION		8
#define TT_SPACE		12
#define TT_TAG			13
#define TT_PROTOCOL		14
#define TT_NUMHWORD		15
#define TT_ASCIIHWORD	16
#define TT_HWORD		17
#define TT_DECIMAL		20
#define TT_SIGNEDINT	21
#define TT_UNSIGNEDINT	22
#define TT_ENTITY		23

#define HL_REPLACE(t)	((t) == TT_TAG)
#define HL_SKIP(t)		((t) == TT_URL || (t) == TT_NUMHWORD || (t) == TT_ASCIIHWORD || (t) == TT_HWORD)
#define NONWORD(t)		((t) == TT_SPACE || HL_REPLACE(t) || HL_SKIP(t))
#define IDIGNORE(t)		((t) == TT_TAG || (t) == TT_PROTOCOL || (t) == TT_SPACE || (t) == TT_ENTITY)
#define NOEND(t)		(NONWORD(t) || (t) == TT_SCIENTIFIC || (t) == TT_VERSION || \
						 (t) == TT_DECIMAL || (t) == TT_SIGNEDINT || (t) == TT_UNSIGNEDINT || \
						 IDIGNORE(t))

/* Flag bits of SnipWord.flags */
#define SW_SELECTED		0x01
#define SW_IN			0x02
#define SW_REPLACE		0x04
#define SW_REPEATED		0x08
#define SW_SKIP			0x10
#define SW_GAP			0x20	/* first token after a part of the document left unparsed */

/* One entry of the word list (a token, or a repeated entry for a further operand). */
typedef struct SnipWord
{
	int32		off;			/* byte offset of the token in the document */
	uint16		len;			/* byte length of the token */
	uint8		type;			/* parser token type */
	uint8		flags;			/* SW_* */
	uint16		pos;			/* tsvector position, capped like LIMITPOS */
	int32		item;			/* index of the matched query item, or -1 */
	int32		vidx;			/* index the entry has in ts_headline's word list, up
								 * to a constant per parsed window (see snip_windows) */
} SnipWord;

/* Cover-test callback: does the query match words lo..hi (inclusive)? */
typedef bool (*SnipCoverTest) (void *arg, int lo, int hi);

/* What selection needs: the word list, sorted indexes of words with items, the test. */
typedef struct SnipSelect
{
	SnipWord   *words;
	int			nwords;
	int		   *itemwords;		/* indexes of words with item >= 0, ascending */
	int			nitemwords;
	bool		monotone;		/* the query has no NOT: matches only grow with the range */
	SnipCoverTest test;
	void	   *testarg;
} SnipSelect;

/* Parsed headline options, with ts_headline's defaults. */
typedef struct SnipOptions
{
	int			min_words;
	int			max_words;
	int			shortword;
	int			max_fragments;
	bool		highlightall;
	char	   *startsel;
	char	   *stopsel;
	char	   *fragdelim;
} SnipOptions;

/* Validate the options as ts_headline does and mark the words to show. */
extern void SnipSelectHeadline(SnipSelect *s, const SnipOptions *o);

#endif							/* JOURNALING_H */
