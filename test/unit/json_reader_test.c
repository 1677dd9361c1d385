/*
 * json_reader_test.c — unit tests of the pure-C JSON reader (no server).
 * Build and run: test/unit/run.sh
 */
#include <setjmp.h>
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

/* Record a test result. */
static void
result(const char *name, int ok, const char *detail)
{
	tests++;
	if (ok)
		printf("ok %d - %s\n", tests, name);
	else
	{
		failures++;
		printf("not ok %d - %s\n#   %s\n", tests, name, detail);
	}
}

/* The interrupt hook of the tests: counts calls, longjmps at call stop_at. */
static long hook_calls;
static long hook_stop_at;
static jmp_buf hook_jmp;

static void
counting_hook(void)
{
	if (++hook_calls == hook_stop_at)
		longjmp(hook_jmp, 1);
}

/* Discarding append callback. */
static void
null_append(void *ctx, const char *s, size_t n)
{
}

/*
 * In-memory documents are read through a window of JR_CHUNK_SIZE bytes, so
 * the interrupt hook runs every chunk and can stop a parse by longjmp (as
 * ereport does in the server); jr_write runs it too.  Values and offsets
 * across window boundaries stay right.
 */
static void
check_interrupt_hook(void)
{
	size_t		size = 20 * JR_CHUNK_SIZE + 100;
	char	   *doc = malloc(size + 1);
	char		err[160];
	char		detail[200];
	Arena		a = {0};
	JrValue    *v;
	JrReader	r;
	JrRecord	rec;
	size_t		i;

	/* ["xxx...x", 1, "abc"]: the first string spans 19 window boundaries */
	memset(doc, 'x', size);
	memcpy(doc, "[\"", 2);
	memcpy(doc + size - 12, "\", 1, \"abc\"]", 12);
	doc[size] = '\0';
	jr_interrupt_hook = counting_hook;
	hook_calls = 0;
	hook_stop_at = -1;
	v = jr_parse_document(doc, size, arena_alloc, &a, err, sizeof(err));
	snprintf(detail, sizeof(detail), "%ld hook calls, value %s", hook_calls, v ? "parsed" : err);
	result("in-memory parse: the hook runs every chunk and the value is whole",
		   v && v->type == JR_ARRAY && v->count == 3 && v->items[0]->len == size - 14 &&
		   v->items[1]->offset == (int64_t) size - 9 && strcmp(v->items[2]->str, "abc") == 0 &&
		   hook_calls >= 20 && hook_calls <= 21, detail);

	hook_calls = 0;
	jr_write(v, null_append, NULL);
	snprintf(detail, sizeof(detail), "%ld hook calls", hook_calls);
	result("jr_write of a 1.3 MB string runs the hook every chunk", hook_calls >= 19, detail);
	arena_reset(&a);

	/* an error past the first window reports its offset in the whole document */
	doc[size - 9] = '#';
	v = jr_parse_document(doc, size, arena_alloc, &a, err, sizeof(err));
	snprintf(detail, sizeof(detail), "invalid JSON at byte offset %zu:", size - 9);
	result("in-memory parse: error offsets past the first window",
		   v == NULL && strncmp(err, detail, strlen(detail)) == 0, v ? "parsed" : err);
	arena_reset(&a);

	/* the hook stops a parse half way, and the reader can be dropped */
	hook_calls = 0;
	hook_stop_at = 10;
	if (setjmp(hook_jmp) == 0)
	{
		jr_init_memory(&r, doc, size, arena_alloc, &a);
		if (jr_begin(&r, JR_LAYOUT_WHOLE, NULL) == JR_OK)
			jr_next(&r, &rec);
		result("the hook stops an in-memory parse", 0, "the parse ran to its end");
	}
	else
	{
		snprintf(detail, sizeof(detail), "stopped at byte %lld", (long long) jr_position(&r));
		result("the hook stops an in-memory parse",
			   jr_position(&r) >= 9 * JR_CHUNK_SIZE && jr_position(&r) <= 10 * JR_CHUNK_SIZE, detail);
	}
	arena_reset(&a);

	/* a 10,000-item array written: the hook runs every 4096 items */
	for (i = 0; i < 10000; i++)
		memcpy(doc + 1 + 2 * i, "1,", 2);
	doc[0] = '[';
	doc[20000] = ']';
	hook_calls = 0;
	hook_stop_at = -1;
	v = jr_parse_document(doc, 20001, arena_alloc, &a, err, sizeof(err));
	hook_calls = 0;
	if (v)
		jr_write(v, null_append, NULL);
	snprintf(detail, sizeof(detail), "%ld hook calls", hook_calls);
	result("jr_write of a 10,000-item array runs the hook every 4096 items", v && hook_calls == 2, detail);

	jr_interrupt_hook = NULL;
	arena_reset(&a);
	free(a.blocks);
	free(doc);
}

/* The JSON string literal of s[0 .. n), one byte at a time: the oracle of jr_write_string. */
static void
reference_literal(const unsigned char *s, size_t n, Buf *out)
{
	size_t		i;
	char		e[8];

	out->n = 0;
	buf_append(out, "\"", 1);
	for (i = 0; i < n; i++)
	{
		if (s[i] == '"' || s[i] == '\\')
		{
			e[0] = '\\';
			e[1] = (char) s[i];
			buf_append(out, e, 2);
		}
		else if (s[i] == '\n')
			buf_append(out, "\\n", 2);
		else if (s[i] == '\r')
			buf_append(out, "\\r", 2);
		else if (s[i] == '\t')
			buf_append(out, "\\t", 2);
		else if (s[i] < 0x20)
		{
			snprintf(e, sizeof(e), "\\u%04x", s[i]);
			buf_append(out, e, 6);
		}
		else
			buf_append(out, (const char *) s + i, 1);
	}
	buf_append(out, "\"", 1);
}

/*
 * Strings are read and written eight bytes at a time: for every length up
 * to 40 and every position, a byte that must be escaped (or a multi-byte
 * character, or DEL, which need not be) placed there is found by
 * jr_plain_length, written as the byte-at-a-time oracle writes it, and read
 * back (in memory, through the eight-byte path) to the same bytes.
 */
static void
check_string_runs(void)
{
	static const char *const specials[] = {"\"", "\\", "\n", "\x01", "\x1F", "\x7F", "\xC3\xA9", "\xE2\x82\xAC"};
	unsigned char s[64];
	char		err[160];
	char		detail[200];
	Buf		   *got = malloc(sizeof(Buf));
	Buf		   *want = malloc(sizeof(Buf));
	Arena		a = {0};
	int			bad = 0;
	size_t		len,
				pos,
				k;

	detail[0] = '\0';
	for (len = 1; len <= 40 && !bad; len++)
		for (pos = 0; pos < len && !bad; pos++)
			for (k = 0; k < sizeof(specials) / sizeof(specials[0]) && !bad; k++)
			{
				size_t		sl = strlen(specials[k]);
				size_t		n = len + sl - 1;
				size_t		plain = (specials[k][0] & 0x80) || specials[k][0] == 0x7F ? n : pos;
				JrValue    *v;

				memset(s, 'a', sizeof(s));
				memcpy(s + pos, specials[k], sl);
				if (jr_plain_length((const char *) s, n) != plain)
				{
					snprintf(detail, sizeof(detail), "jr_plain_length: length %zu, special %zu at %zu", n, k, pos);
					bad = 1;
					break;
				}
				got->n = 0;
				jr_write_string((const char *) s, n, buf_append, got);
				reference_literal(s, n, want);
				if (got->n != want->n || memcmp(got->s, want->s, got->n) != 0)
				{
					snprintf(detail, sizeof(detail), "written: %.80s, expected %.80s", got->s, want->s);
					bad = 1;
					break;
				}
				v = jr_parse_document(got->s, got->n, arena_alloc, &a, err, sizeof(err));
				if (v == NULL || v->type != JR_STRING || v->len != n || memcmp(v->str, s, n) != 0)
				{
					snprintf(detail, sizeof(detail), "read back: %.150s", v ? v->str : err);
					bad = 1;
				}
				arena_reset(&a);
			}
	result("strings read and written eight bytes at a time: escapes found at every position", !bad, detail);
	free(a.blocks);
	free(got);
	free(want);
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
	check_interrupt_hook();
	check_string_runs();
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
