/*
 * json_reader_test.c — unit tests of the pure-C JSON reader (no server).
 * Build and run: test/unit/run.sh
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"

static int	failures = 0;
static int	tests = 0;

/* Bump allocator over malloc'd blocks, freed all at once. */
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
	void	   *p = malloc(size);

	if (a->n == a->cap)
	{
		a->cap = a->cap ? a->cap * 2 : 64;
		a->blocks = realloc(a->blocks, a->cap * sizeof(void *));
	}
	a->blocks[a->n++] = p;
	return p;
}

/* Free everything the arena handed out. */
static void
arena_reset(Arena *a)
{
	size_t		i;

	for (i = 0; i < a->n; i++)
		free(a->blocks[i]);
	a->n = 0;
}

typedef struct Buf
{
	char		s[65536];
	size_t		n;
} Buf;

/* Append to a fixed buffer. */
static void
buf_append(void *ctx, const char *s, size_t n)
{
	Buf		   *b = ctx;

	if (b->n + n < sizeof(b->s))
	{
		memcpy(b->s + b->n, s, n);
		b->n += n;
		b->s[b->n] = '\0';
	}
}

typedef struct Feed
{
	const char *data;
	size_t		len,
				pos,
				step;
} Feed;

/* Read callback handing out at most step bytes at a time. */
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

/*
 * Read doc with a layout, through 1-byte chunks, and write "key=value;" per
 * record (or "ERR@offset:message") into out.
 */
static void
run(const char *doc, size_t len, JrLayout layout, const char *nested, Buf *out)
{
	static char chunk[JR_CHUNK_SIZE];
	JrReader	r;
	JrRecord	rec;
	Feed		f = {doc, len, 0, 1};
	Arena		a = {0};
	JrStatus	st;

	out->n = 0;
	out->s[0] = '\0';
	jr_init_stream(&r, feed_read, &f, chunk, arena_alloc, &a);
	st = jr_begin(&r, layout, nested);
	while (st == JR_OK && (st = jr_next(&r, &rec)) == JR_OK)
	{
		char		off[32];

		snprintf(off, sizeof(off), "@%lld ", (long long) rec.offset);
		buf_append(out, off, strlen(off));
		if (rec.key)
		{
			buf_append(out, rec.key, strlen(rec.key));
			buf_append(out, "=", 1);
		}
		jr_write(rec.value, buf_append, out);
		buf_append(out, ";", 1);
	}
	if (st == JR_ERROR)
	{
		char		e[256];

		snprintf(e, sizeof(e), "ERR@%lld:%s", (long long) r.error_offset, r.error);
		buf_append(out, e, strlen(e));
	}
	arena_reset(&a);
	free(a.blocks);
}

/* Check that reading doc gives expected output. */
static void
check(const char *name, const char *doc, JrLayout layout, const char *nested, const char *expected)
{
	Buf		   *out = malloc(sizeof(Buf));

	tests++;
	run(doc, strlen(doc), layout, nested, out);
	if (strncmp(out->s, expected, strlen(expected)) != 0)
	{
		failures++;
		printf("not ok %d - %s\n#   got:      %s\n#   expected: %s\n", tests, name, out->s, expected);
	}
	else
		printf("ok %d - %s\n", tests, name);
	free(out);
}

int
main(void)
{
	check("array of records", "[{\"a\":1},{\"b\":[true,false,null]}]", JR_LAYOUT_COLLECTION, NULL,
		  "@1 {\"a\":1};@9 {\"b\":[true,false,null]};");
	check("object keyed by id", "{\"k1\": {\"x\": \"y\"}, \"k2\": 2}", JR_LAYOUT_COLLECTION, NULL,
		  "@1 k1={\"x\":\"y\"};@19 k2=2;");
	check("BOM", "\xEF\xBB\xBF[1]", JR_LAYOUT_COLLECTION, NULL, "@4 1;");
	check("surrogate pair", "[\"\\uD83D\\uDE0A\"]", JR_LAYOUT_COLLECTION, NULL, "@1 \"\xF0\x9F\x98\x8A\";");
	check("escaped slash", "[\"a\\/b\"]", JR_LAYOUT_COLLECTION, NULL, "@1 \"a/b\";");
	check("non-finite", "[NaN,Infinity,-Infinity]", JR_LAYOUT_COLLECTION, NULL,
		  "@1 \"NaN\";@5 \"Infinity\";@14 \"-Infinity\";");
	check("sentinel", "[1.7976931348623157E308]", JR_LAYOUT_COLLECTION, NULL, "@1 1.7976931348623157E308;");
	check("empty", "", JR_LAYOUT_COLLECTION, NULL, "ERR@0:the file is empty");
	check("truncated string", "{\"k\": {\"c\": \"abc", JR_LAYOUT_COLLECTION, NULL, "ERR@16:unexpected end of input");
	check("not json", "<html>", JR_LAYOUT_COLLECTION, NULL, "ERR@0:invalid JSON at byte offset 0");
	check("trailing comma", "[1,]", JR_LAYOUT_COLLECTION, NULL, "@1 1;ERR@3:invalid JSON at byte offset 3");
	check("nested entries", "{\"metadata\":{\"v\":1},\"entries\":[{\"t\":1},{\"t\":2}],\"z\":0}", JR_LAYOUT_NESTED, "entries",
		  "@31 {\"t\":1};@39 {\"t\":2};");
	check("whole", " {\"a\": [1, 2]} ", JR_LAYOUT_WHOLE, NULL, "@1 {\"a\":[1,2]};");
	check("empty array where object meant", "[]", JR_LAYOUT_COLLECTION, NULL, "");
	check("garbage after end", "[1] x", JR_LAYOUT_COLLECTION, NULL, "@1 1;ERR@4:invalid JSON at byte offset 4: unexpected data");
	check("bad escape", "[\"\\x\"]", JR_LAYOUT_COLLECTION, NULL, "ERR@2:invalid JSON at byte offset 2: invalid escape");
	check("lone surrogate", "[\"\\uDE0A\"]", JR_LAYOUT_COLLECTION, NULL, "ERR@2:invalid JSON at byte offset 2: lone low surrogate");
	check("invalid utf8", "[\"\xC3\x28\"]", JR_LAYOUT_COLLECTION, NULL, "ERR@2:invalid UTF-8 at byte offset 2");
	check("control escapes round trip", "[\"a\\r\\n\\t\\u0001\\\"\\\\\"]", JR_LAYOUT_COLLECTION, NULL,
		  "@1 \"a\\r\\n\\t\\u0001\\\"\\\\\";");
	check("bad number", "[01]", JR_LAYOUT_COLLECTION, NULL, "ERR@1:invalid JSON at byte offset 1: invalid number");
	{
		char		deep[1300];

		memset(deep, '[', 600);
		memset(deep + 600, ']', 600);
		deep[1200] = '\0';
		check("nesting limit", deep, JR_LAYOUT_WHOLE, NULL, "ERR@513:invalid JSON at byte offset 513: nesting deeper than 512");
	}
	check("beyond DBL_MAX is a sentinel too", "[-1.0e309, -0.5e-3]", JR_LAYOUT_COLLECTION, NULL, "@1 -1.0e309;@11 -0.5e-3;");
	check("bad literal", "[nul]", JR_LAYOUT_COLLECTION, NULL, "ERR@1:invalid JSON at byte offset 1: invalid token");
	check("missing colon", "{\"k\" 1}", JR_LAYOUT_COLLECTION, NULL, "ERR@5:invalid JSON at byte offset 5: unexpected character '1', expected ':'");
	check("nested key absent", "{\"metadata\": {}}", JR_LAYOUT_NESTED, "entries", "");
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
