/*
 * search_index.h — layout of the per-user search index, shared by its
 * builder (search_index.c) and its reader (search.c).
 *
 * journaling.search_index.entries: the user's entries in search order
 * (entry_date DESC, id), SEARCH_ENTRY_SIZE bytes each: the 16 bytes of the
 * id, then the date as a little-endian int32 day number.  An entry's
 * position in this array is its ordinal.
 *
 * journaling.search_postings.postings (one row per non-empty bucket): a
 * sequence of lexeme records, each
 *     uint16 lexeme length, the lexeme's bytes,
 *     uint32 number of entries, uint32 byte length of the postings,
 *     the postings: per entry, ascending ordinal,
 *         varint (ordinal - previous ordinal - 1; the first: the ordinal),
 *         varint number of positions (0: the lexeme has no positions),
 *         the positions, 2 bytes each, as WordEntryPos (weight and position).
 * Every integer is little-endian, so a dump restores on any machine.  A
 * lexeme lives in bucket SearchIndexBucket(lexeme, nbuckets).
 */
#ifndef SEARCH_INDEX_H
#define SEARCH_INDEX_H

#include "tsearch/ts_type.h"
#include "utils/date.h"
#include "utils/uuid.h"

#define SEARCH_ENTRY_SIZE 20

/* A lexeme's posting list inside a bucket, read one entry at a time. */
typedef struct SearchPostingCursor
{
	const uint8 *p;
	const uint8 *end;
	uint32		ndocs;			/* entries in the list */
	int32		ordinal;		/* current entry, -1 before the first */
	uint32		npos;			/* its positions (0: none stored) */
	const uint8 *pos;			/* 2 bytes each, little-endian */
} SearchPostingCursor;

extern int	SearchIndexBucket(const char *lexeme, int len, int nbuckets);
extern bool SearchIndexFind(const bytea *bucket, const char *lexeme, int len,
							SearchPostingCursor *cur);
extern bool SearchPostingNext(SearchPostingCursor *cur);

/* Position i of the current entry. */
static inline WordEntryPos
SearchPostingPos(const SearchPostingCursor *cur, uint32 i)
{
	return (WordEntryPos) (cur->pos[2 * i] | (cur->pos[2 * i + 1] << 8));
}

/* Id and date of entry ordinal of an entries array. */
static inline void
SearchIndexEntry(const uint8 *entries, int32 ordinal, pg_uuid_t *id, DateADT *date)
{
	const uint8 *e = entries + (Size) ordinal * SEARCH_ENTRY_SIZE;

	memcpy(id->data, e, UUID_LEN);
	*date = (DateADT) ((uint32) e[16] | ((uint32) e[17] << 8) |
					   ((uint32) e[18] << 16) | ((uint32) e[19] << 24));
}

#endif							/* SEARCH_INDEX_H */
