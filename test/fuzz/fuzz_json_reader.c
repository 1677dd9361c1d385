/*
 * fuzz_json_reader.c — libFuzzer harness for src/json_reader.c.
 *
 * Reads the input with every layout, both from memory and through a read
 * callback that hands out a few bytes at a time (so every token can straddle
 * a chunk boundary), writes each record back as JSON, and checks that the
 * two ways of reading agree and that what is written parses again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"

/* Arena of malloc'd blocks, freed after each input. */
typedef struct Arena
{
	void	  **blocks;
	size_t		n,
				cap;
} Arena;

/* Allocate from the arena. */
static void *
arena_alloc(void *ctx, size_t size)
{
	Arena	   *a = ctx;

	if (a->n == a->cap)
	{
		a->cap = a->cap ? a->cap * 2 : 64;
		a->blocks = realloc(a->blocks, a->cap * sizeof(void *));
	}
	return a->blocks[a->n++] = malloc(size);
}

/* Free the arena's blocks. */
static void
arena_reset(Arena *a)
{
	while (a->n)
		free(a->blocks[--a->n]);
}

typedef struct Out
{
	char	   *s;
	size_t		n,
				cap;
} Out;

/* Append callback for jr_write. */
static void
out_append(void *ctx, const char *s, size_t n)
{
	Out		   *o = ctx;

	if (o->n + n + 1 > o->cap)
	{
		o->cap = (o->n + n + 1) * 2;
		o->s = realloc(o->s, o->cap);
	}
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = '\0';
}

typedef struct Feed
{
	const uint8_t *data;
	size_t		len,
				pos,
				step;
} Feed;

/* Read callback handing out step bytes at a time. */
static size_t
feed_read(void *ctx, char *buf, size_t cap)
{
	Feed	   *f = ctx;
	size_t		n = f->len - f->pos;

	if (n > f->step)
		n = f->step;
	if (n > cap)
		n = cap;
	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	return n;
}

/* Read everything with a layout; the records written to out, status returned. */
static int
read_all(JrReader *r, JrLayout layout, Out *out, Arena *a)
{
	JrRecord	rec;
	JrStatus	st = jr_begin(r, layout, "entries");
	char		off[48];

	while (st == JR_OK && (st = jr_next(r, &rec)) == JR_OK)
	{
		snprintf(off, sizeof(off), "@%lld:", (long long) rec.offset);
		out_append(out, off, strlen(off));
		jr_write(rec.value, out_append, out);
		out_append(out, "\n", 1);
		/* whatever was written must parse again */
		{
			Out			again = {0};
			char		err[160];

			jr_write(rec.value, out_append, &again);
			if (jr_parse_document(again.s, again.n, arena_alloc, a, err, sizeof(err)) == NULL)
			{
				fprintf(stderr, "written record does not parse: %s\n%s\n", err, again.s);
				abort();
			}
			free(again.s);
		}
	}
	if (st == JR_ERROR)
	{
		snprintf(off, sizeof(off), "ERR@%lld", (long long) r->error_offset);
		out_append(out, off, strlen(off));
	}
	return st;
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char chunk[JR_CHUNK_SIZE];
	JrLayout	layouts[3] = {JR_LAYOUT_COLLECTION, JR_LAYOUT_WHOLE, JR_LAYOUT_NESTED};
	int			i;
	Arena		a = {0};

	for (i = 0; i < 3; i++)
	{
		JrReader	r;
		Out			m = {0},
					s = {0};
		Feed		f = {data, size, 0, 1 + (size % 7)};

		jr_init_memory(&r, (const char *) data, size, arena_alloc, &a);
		read_all(&r, layouts[i], &m, &a);
		jr_init_stream(&r, feed_read, &f, chunk, arena_alloc, &a);
		read_all(&r, layouts[i], &s, &a);
		if ((m.s == NULL) != (s.s == NULL) || (m.s && strcmp(m.s, s.s) != 0))
		{
			fprintf(stderr, "memory and stream readers disagree:\n%s\n---\n%s\n", m.s ? m.s : "", s.s ? s.s : "");
			abort();
		}
		free(m.s);
		free(s.s);
		arena_reset(&a);
	}
	free(a.blocks);
	return 0;
}
