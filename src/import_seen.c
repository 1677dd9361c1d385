/*
 * import_seen.c — the import's per-file set of record ids, in bounded memory.
 *
 * A file must not hold two records of one kind with the same id: the second
 * is rejected naming the ordinal of the first.  This set maps a key (the
 * kind byte, then the uuid) to the ordinal of the record that first had it.
 *
 * Keys are kept in an in-memory hash table until they would take more than
 * work_mem (as hash aggregation and sorts do; SEEN_BYTES_PER_ID is what one
 * costs there, sort array included).  Then they are written, sorted, as a
 * run to a temporary file (BufFile: removed when closed or at transaction
 * end, placed in temp_tablespaces, counted against temp_file_limit), and the
 * table is emptied.  Each run keeps in memory a Bloom filter of its keys and
 * the first key of each page of SEEN_PAGE_RECORDS records: a key that is not
 * in a run rarely reads its file, and one that is reads one page.
 *
 * A key is only added when no run and not the table have it, so runs never
 * share a key.  They are merged LSM-style: whenever the newest SEEN_FANIN
 * runs have the same level they become one run of the next level, so there
 * are at most SEEN_FANIN - 1 runs per level, and log base SEEN_FANIN of
 * (ids / ids per run) levels.
 *
 * What still grows with the number of ids, once they spill: the Bloom
 * filters (2 bytes per id or less, but at least 1 MB per run: see
 * lib/bloomfilter.c), the page index (SEEN_KEY_LEN bytes per
 * SEEN_PAGE_RECORDS ids) and a BufFile buffer (BLCKSZ) per run; on disk,
 * SEEN_REC_LEN bytes per id.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "lib/bloomfilter.h"
#include "miscadmin.h"
#include "storage/buffile.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "import_seen.h"

/* a key: the kind byte, then the uuid */
#define SEEN_KEY_LEN		(1 + UUID_LEN)
/* a record of a run: the key, then the first ordinal */
#define SEEN_REC_LEN		(SEEN_KEY_LEN + sizeof(int64))
/* records per page of a run (one page index entry each) */
#define SEEN_PAGE_RECORDS	256
/* runs of one level merged into one of the next */
#define SEEN_FANIN			4

/*
 * Memory an id takes in the table, counted against work_mem: a 32-byte
 * entry in a table that doubles when 90 % full (up to 2 * 32 / 0.9 bytes
 * per id just after it grew) plus its pointer in the sort array.
 */
#define SEEN_BYTES_PER_ID	80

typedef struct SeenKey
{
	uint8		b[SEEN_KEY_LEN];
} SeenKey;

typedef struct SeenEntry
{
	SeenKey		key;
	char		status;
	int64		ordinal;
} SeenEntry;

#define SH_PREFIX		seenmem
#define SH_ELEMENT_TYPE	SeenEntry
#define SH_KEY_TYPE		SeenKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	hash_bytes((k).b, SEEN_KEY_LEN)
#define SH_EQUAL(tb, x, y)	(memcmp((x).b, (y).b, SEEN_KEY_LEN) == 0)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* A sorted run of keys in a temporary file. */
typedef struct SeenRun
{
	BufFile    *file;
	int64		n;				/* records */
	int			level;			/* 0: written from the table; k + 1: merged from level k */
	bloom_filter *bloom;
	SeenKey    *first;			/* first key of each page */
} SeenRun;

struct ImportSeen
{
	MemoryContext cxt;
	ResourceOwner owner;		/* owns the temporary files */
	seenmem_hash *mem;
	uint32		mem_limit;		/* keys in the table before it is written out */
	SeenRun    *runs;			/* oldest first, levels not increasing */
	int			nruns;
	int			maxruns;
	int64		spilled;		/* runs written from the table */
	int64		merges;
	char		page[SEEN_PAGE_RECORDS * SEEN_REC_LEN];
};

/* A new, empty set in a child of parent; its budget is work_mem. */
ImportSeen *
ImportSeenCreate(MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "journaling import ids", ALLOCSET_DEFAULT_SIZES);
	ImportSeen *s = MemoryContextAllocZero(cxt, sizeof(ImportSeen));
	int64		limit = (int64) work_mem * 1024 / SEEN_BYTES_PER_ID;

	s->cxt = cxt;
	s->owner = CurrentResourceOwner;
	s->mem_limit = (uint32) Min(limit, (int64) (MaxAllocSize / sizeof(SeenEntry *)));
	s->mem = seenmem_create(cxt, 256, NULL);
	s->maxruns = 8;
	s->runs = MemoryContextAlloc(cxt, s->maxruns * sizeof(SeenRun));
	return s;
}

/* Order of keys (and of table entries by key, through pointers). */
static int
key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SEEN_KEY_LEN);
}

static int
entry_ptr_cmp(const void *a, const void *b)
{
	return key_cmp(&(*(SeenEntry *const *) a)->key, &(*(SeenEntry *const *) b)->key);
}

/* Read exactly len bytes of a run. */
static void
run_read(SeenRun *run, void *buf, size_t len)
{
	size_t		got = BufFileRead(run->file, buf, len);

	if (got != len)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read from the import's temporary id file: read only %zu of %zu bytes",
						got, len)));
}

/* Position a run's file at a record. */
static void
run_seek(SeenRun *run, int64 record)
{
	if (BufFileSeek(run->file, 0, (off_t) (record * SEEN_REC_LEN), SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not seek in the import's temporary id file")));
}

/* Append a run of n records and level to the set, ready for run_put(). */
static SeenRun *
run_begin(ImportSeen *s, int64 n, int level)
{
	MemoryContext old = MemoryContextSwitchTo(s->cxt);
	ResourceOwner oldowner = CurrentResourceOwner;
	SeenRun    *run;
	int64		bloom_kb = Min((n * 2 + 1023) / 1024, (int64) (MaxAllocSize / 1024 / 2));

	if (s->nruns == s->maxruns)
	{
		s->maxruns *= 2;
		s->runs = repalloc(s->runs, s->maxruns * sizeof(SeenRun));
	}
	run = &s->runs[s->nruns++];
	run->n = n;
	run->level = level;
	run->bloom = bloom_create(n, (int) bloom_kb, 0);
	run->first = palloc_extended(((n + SEEN_PAGE_RECORDS - 1) / SEEN_PAGE_RECORDS) * sizeof(SeenKey),
								 MCXT_ALLOC_HUGE);
	/* the file belongs to the set's resource owner, not to a subtransaction */
	CurrentResourceOwner = s->owner;
	run->file = BufFileCreateTemp(false);
	CurrentResourceOwner = oldowner;
	MemoryContextSwitchTo(old);
	return run;
}

/* Write record i of a run being built (records come in key order). */
static void
run_put(SeenRun *run, int64 i, const SeenKey *key, int64 ordinal)
{
	char		rec[SEEN_REC_LEN];

	memcpy(rec, key->b, SEEN_KEY_LEN);
	memcpy(rec + SEEN_KEY_LEN, &ordinal, sizeof(int64));
	BufFileWrite(run->file, rec, SEEN_REC_LEN);
	bloom_add_element(run->bloom, (unsigned char *) key->b, SEEN_KEY_LEN);
	if (i % SEEN_PAGE_RECORDS == 0)
		run->first[i / SEEN_PAGE_RECORDS] = *key;
}

/* Close a run and free what it holds in memory. */
static void
run_free(SeenRun *run)
{
	BufFileClose(run->file);
	bloom_free(run->bloom);
	pfree(run->first);
}

/* Whether a run has the key; its ordinal if so. */
static bool
run_find(ImportSeen *s, SeenRun *run, const SeenKey *key, int64 *ordinal)
{
	int64		lo = 0;
	int64		hi = (run->n + SEEN_PAGE_RECORDS - 1) / SEEN_PAGE_RECORDS;
	int64		page;
	int			count;

	if (bloom_lacks_element(run->bloom, (unsigned char *) key->b, SEEN_KEY_LEN))
		return false;
	/* the last page whose first key is not after the key */
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (key_cmp(&run->first[mid], key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	page = lo - 1;
	count = (int) Min((int64) SEEN_PAGE_RECORDS, run->n - page * SEEN_PAGE_RECORDS);
	run_seek(run, page * SEEN_PAGE_RECORDS);
	run_read(run, s->page, count * SEEN_REC_LEN);
	lo = 0;
	hi = count;
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;
		const char *rec = s->page + mid * SEEN_REC_LEN;
		int			c = key_cmp(rec, key);

		if (c == 0)
		{
			memcpy(ordinal, rec + SEEN_KEY_LEN, sizeof(int64));
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Merge the newest SEEN_FANIN runs (one level) into one run of the next. */
static void
merge_newest(ImportSeen *s)
{
	SeenRun    *in = palloc(SEEN_FANIN * sizeof(SeenRun));
	char		head[SEEN_FANIN][SEEN_REC_LEN];
	int64		left[SEEN_FANIN];
	int64		n = 0;
	int64		i;
	int			j;
	SeenRun    *out;

	memcpy(in, &s->runs[s->nruns - SEEN_FANIN], SEEN_FANIN * sizeof(SeenRun));
	s->nruns -= SEEN_FANIN;
	for (j = 0; j < SEEN_FANIN; j++)
	{
		n += in[j].n;
		left[j] = in[j].n;
		run_seek(&in[j], 0);
		run_read(&in[j], head[j], SEEN_REC_LEN);
	}
	out = run_begin(s, n, in[0].level + 1);
	for (i = 0; i < n; i++)
	{
		int			min = -1;
		int64		ordinal;

		CHECK_FOR_INTERRUPTS();
		for (j = 0; j < SEEN_FANIN; j++)
			if (left[j] > 0 && (min < 0 || key_cmp(head[j], head[min]) < 0))
				min = j;
		memcpy(&ordinal, head[min] + SEEN_KEY_LEN, sizeof(int64));
		run_put(out, i, (const SeenKey *) head[min], ordinal);
		if (--left[min] > 0)
			run_read(&in[min], head[min], SEEN_REC_LEN);
	}
	for (j = 0; j < SEEN_FANIN; j++)
		run_free(&in[j]);
	pfree(in);
	s->merges++;
}

/* Write the table out as a run of level 0 and empty it; merge as needed. */
static void
spill(ImportSeen *s)
{
	uint32		n = s->mem->members;
	SeenEntry **sorted = MemoryContextAllocHuge(s->cxt, n * sizeof(SeenEntry *));
	seenmem_iterator it;
	SeenEntry  *e;
	SeenRun    *run;
	uint32		i = 0;

	seenmem_start_iterate(s->mem, &it);
	while ((e = seenmem_iterate(s->mem, &it)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		sorted[i++] = e;
	}
	qsort(sorted, n, sizeof(SeenEntry *), entry_ptr_cmp);
	run = run_begin(s, n, 0);
	for (i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		run_put(run, i, &sorted[i]->key, sorted[i]->ordinal);
	}
	pfree(sorted);
	seenmem_reset(s->mem);
	s->spilled++;
	while (s->nruns >= SEEN_FANIN &&
		   s->runs[s->nruns - SEEN_FANIN].level == s->runs[s->nruns - 1].level)
		merge_newest(s);
}

/*
 * Add (kind, id) first seen at ordinal: true if it is new, else false with
 * the ordinal of the record that had it first.
 */
bool
ImportSeenAdd(ImportSeen *s, int kind, const pg_uuid_t *id, int64 ordinal, int64 *first_ordinal)
{
	SeenKey		key;
	SeenEntry  *e;
	bool		found;
	int			i;

	key.b[0] = (uint8) kind;
	memcpy(key.b + 1, id->data, UUID_LEN);
	e = seenmem_insert(s->mem, key, &found);
	if (found)
	{
		*first_ordinal = e->ordinal;
		return false;
	}
	for (i = s->nruns - 1; i >= 0; i--)
		if (run_find(s, &s->runs[i], &key, first_ordinal))
		{
			seenmem_delete_item(s->mem, e);
			return false;
		}
	e->ordinal = ordinal;
	if (s->mem->members >= s->mem_limit)
		spill(s);
	return true;
}

/* Close the set's files and free its memory; label names the file in a debug message. */
void
ImportSeenFree(ImportSeen *s, const char *label)
{
	int			i;

	if (s->spilled > 0)
		ereport(DEBUG1,
				(errmsg_internal("ids of %s spilled to temporary files: runs written " INT64_FORMAT ", merges " INT64_FORMAT ", runs at the end %d",
								 label, s->spilled, s->merges, s->nruns)));
	for (i = 0; i < s->nruns; i++)
		BufFileClose(s->runs[i].file);
	MemoryContextDelete(s->cxt);
}
