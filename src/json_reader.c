/*
 * json_reader.c — streaming, tolerant JSON reader (see json_reader.h).
 *
 * Pure C99 with no PostgreSQL headers, so the same file builds into the
 * extension, the unit test and the libFuzzer harness in test/fuzz/.  Errors
 * unwind with longjmp to the public entry point that was called; the reader
 * then stays failed and reports the message and byte offset it recorded.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"

/* internal states of jr_next() */
#define ST_FIRST	0			/* before the first record of a collection */
#define ST_MORE		1			/* after a record, expect ',' or the close */
#define ST_DONE		2			/* no more records */
#define ST_NESTED_MEMBERS 3		/* NESTED: scanning members of the top object */

static JrValue *parse_value(JrReader *r, int depth, int build);

JrInterruptFn jr_interrupt_hook = NULL;

/* A byte a JSON string literal must escape: a control character, '"' or '\\'. */
#define JR_NEEDS_ESCAPE(c)	((c) < 0x20 || (c) == '"' || (c) == '\\')
/* A byte a string literal may hold as is without UTF-8 decoding. */
#define JR_PLAIN_ASCII(c)	((c) < 0x80 && !JR_NEEDS_ESCAPE(c))

/*
 * How many of the n bytes at s come before the first one that JR_NEEDS_ESCAPE
 * (or, with ascii, that is not JR_PLAIN_ASCII).  Eight bytes at a time: a
 * word holds such a byte exactly when one of these has a high bit set (the
 * usual "has a byte less than" test, exact for existence): x - 0x20 per byte
 * and not x, x ^ '"' - 1 and not x ^ '"', the same for '\\', and with ascii
 * x itself.
 */
static inline size_t
plain_run(const char *s, size_t n, int ascii)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t highs = UINT64_C(0x8080808080808080);
	size_t		i = 0;

	for (; i + 8 <= n; i += 8)
	{
		uint64_t	x,
					q,
					b,
					hit;

		memcpy(&x, s + i, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		hit = (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
		if (ascii)
			hit |= x & highs;
		if (hit)
			break;
	}
	while (i < n && (ascii ? JR_PLAIN_ASCII((unsigned char) s[i]) : !JR_NEEDS_ESCAPE((unsigned char) s[i])))
		i++;
	return i;
}

/* Items written between two calls of the interrupt hook in jr_write(). */
#define JR_WRITE_ITEMS_PER_CHECK 4096

#if defined(__GNUC__)
#define JR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define JR_NORETURN __attribute__((noreturn))
#else
#define JR_PRINTF(a, b)
#define JR_NORETURN
#endif

static void fail(JrReader *r, int64_t offset, const char *fmt,...) JR_PRINTF(3, 4) JR_NORETURN;

/* Record an error at a byte offset and unwind to the entry point. */
static void
fail(JrReader *r, int64_t offset, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->failed = 1;
	r->error_offset = offset;
	longjmp(*(jmp_buf *) r->jmp, 1);
}

/* Allocate through the caller's allocator; errors if it returns NULL. */
static void *
jr_alloc(JrReader *r, size_t size)
{
	void	   *p = r->alloc(r->alloc_ctx, size ? size : 1);

	if (p == NULL)
		fail(r, jr_position(r), "out of memory");
	return p;
}

/* Call the interrupt hook, if any. */
static inline void
check_interrupts(void)
{
	if (jr_interrupt_hook)
		jr_interrupt_hook();
}

/*
 * Refill the chunk buffer (in memory: slide the window to the next
 * JR_CHUNK_SIZE bytes); returns 0 at end of input.
 */
static int
refill(JrReader *r)
{
	if (r->eof)
		return 0;
	check_interrupts();
	r->base += (int64_t) r->len;
	r->pos = 0;
	if (r->read == NULL)
	{
		size_t		left = r->mem_len - (size_t) r->base;

		r->buf = (char *) r->mem + r->base;
		r->len = left < JR_CHUNK_SIZE ? left : JR_CHUNK_SIZE;
	}
	else
		r->len = r->read(r->read_ctx, r->buf, JR_CHUNK_SIZE);
	if (r->len == 0)
	{
		r->eof = 1;
		return 0;
	}
	return 1;
}

/* Next byte without consuming it, or -1 at end of input. */
static inline int
peekc(JrReader *r)
{
	if (r->pos >= r->len && !refill(r))
		return -1;
	return (unsigned char) r->buf[r->pos];
}

/* Consume and return the next byte, or -1 at end of input. */
static inline int
nextc(JrReader *r)
{
	if (r->pos >= r->len && !refill(r))
		return -1;
	return (unsigned char) r->buf[r->pos++];
}

/* Offset of the next byte. */
int64_t
jr_position(const JrReader *r)
{
	return r->base + (int64_t) r->pos;
}

/* Error for an unexpected byte (or the end of input) at the current position. */
static void
unexpected(JrReader *r, const char *expected)
{
	int			c = peekc(r);

	if (c < 0)
		fail(r, jr_position(r), "unexpected end of input at byte offset %lld, expected %s",
			 (long long) jr_position(r), expected);
	if (c >= 0x20 && c < 0x7f)
		fail(r, jr_position(r), "invalid JSON at byte offset %lld: unexpected character '%c', expected %s",
			 (long long) jr_position(r), c, expected);
	fail(r, jr_position(r), "invalid JSON at byte offset %lld: unexpected byte 0x%02X, expected %s",
		 (long long) jr_position(r), c, expected);
}

/* Skip JSON whitespace. */
static inline void
skip_ws(JrReader *r)
{
	for (;;)
	{
		int			c = peekc(r);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			r->pos++;
		else
			return;
	}
}

/* Append one byte to the scratch buffer. */
static inline void
scratch_put(JrReader *r, size_t *n, char c)
{
	if (*n + 1 >= r->scratch_cap)
	{
		size_t		cap = r->scratch_cap ? r->scratch_cap * 2 : 256;
		char	   *p = jr_alloc(r, cap);

		if (*n)
			memcpy(p, r->scratch, *n);
		r->scratch = p;
		r->scratch_cap = cap;
	}
	r->scratch[(*n)++] = c;
}

/* Append n bytes to the scratch buffer. */
static void
scratch_append(JrReader *r, size_t *n, const char *s, size_t k)
{
	if (*n + k >= r->scratch_cap)
	{
		size_t		cap = r->scratch_cap ? r->scratch_cap * 2 : 256;
		char	   *p;

		while (*n + k >= cap)
			cap *= 2;
		p = jr_alloc(r, cap);
		if (*n)
			memcpy(p, r->scratch, *n);
		r->scratch = p;
		r->scratch_cap = cap;
	}
	memcpy(r->scratch + *n, s, k);
	*n += k;
}

/* Append a code point as UTF-8 to the scratch buffer. */
static void
put_utf8(JrReader *r, size_t *n, unsigned cp, int build)
{
	if (!build)
		return;
	if (cp < 0x80)
		scratch_put(r, n, (char) cp);
	else if (cp < 0x800)
	{
		scratch_put(r, n, (char) (0xC0 | (cp >> 6)));
		scratch_put(r, n, (char) (0x80 | (cp & 0x3F)));
	}
	else if (cp < 0x10000)
	{
		scratch_put(r, n, (char) (0xE0 | (cp >> 12)));
		scratch_put(r, n, (char) (0x80 | ((cp >> 6) & 0x3F)));
		scratch_put(r, n, (char) (0x80 | (cp & 0x3F)));
	}
	else
	{
		scratch_put(r, n, (char) (0xF0 | (cp >> 18)));
		scratch_put(r, n, (char) (0x80 | ((cp >> 12) & 0x3F)));
		scratch_put(r, n, (char) (0x80 | ((cp >> 6) & 0x3F)));
		scratch_put(r, n, (char) (0x80 | (cp & 0x3F)));
	}
}

/* Four hex digits of a \u escape. */
static unsigned
read_hex4(JrReader *r, int64_t esc_off)
{
	unsigned	v = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		int			c = nextc(r);

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned) (c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned) (c - 'A' + 10);
		else if (c < 0)
			fail(r, jr_position(r), "unexpected end of input at byte offset %lld inside a \\u escape",
				 (long long) jr_position(r));
		else
			fail(r, esc_off, "invalid JSON at byte offset %lld: bad \\u escape", (long long) esc_off);
	}
	return v;
}

/*
 * Read a string (the opening quote is next).  With build, returns the
 * decoded UTF-8 copy (NUL-terminated) and its length; otherwise validates only.
 */
static const char *
parse_string(JrReader *r, size_t *lenp, int build)
{
	int64_t		start = jr_position(r);
	size_t		n = 0;
	char	   *out;

	r->pos++;					/* opening quote */
	for (;;)
	{
		int			c;

		if (r->pos >= r->len && !refill(r))
			fail(r, jr_position(r), "unexpected end of input at byte offset %lld inside the string starting at byte offset %lld",
				 (long long) jr_position(r), (long long) start);
		c = (unsigned char) r->buf[r->pos];
		if (JR_PLAIN_ASCII(c))
		{
			/* a run of printable ASCII other than '"' and '\\' at once */
			size_t		run = plain_run(r->buf + r->pos, r->len - r->pos, 1);

			if (build)
				scratch_append(r, &n, r->buf + r->pos, run);
			r->pos += run;
			continue;
		}
		if (c == '"')
		{
			r->pos++;
			break;
		}
		if (c == '\\')
		{
			int64_t		esc_off = jr_position(r);
			int			e;

			r->pos++;
			e = nextc(r);
			switch (e)
			{
				case '"':
				case '\\':
				case '/':
					put_utf8(r, &n, (unsigned) e, build);
					break;
				case 'b':
					put_utf8(r, &n, '\b', build);
					break;
				case 'f':
					put_utf8(r, &n, '\f', build);
					break;
				case 'n':
					put_utf8(r, &n, '\n', build);
					break;
				case 'r':
					put_utf8(r, &n, '\r', build);
					break;
				case 't':
					put_utf8(r, &n, '\t', build);
					break;
				case 'u':
					{
						unsigned	cp = read_hex4(r, esc_off);

						if (cp >= 0xD800 && cp <= 0xDBFF)
						{
							unsigned	lo;

							if (nextc(r) != '\\' || nextc(r) != 'u')
								fail(r, esc_off, "invalid JSON at byte offset %lld: high surrogate \\u%04X not followed by a low surrogate",
									 (long long) esc_off, cp);
							lo = read_hex4(r, esc_off);
							if (lo < 0xDC00 || lo > 0xDFFF)
								fail(r, esc_off, "invalid JSON at byte offset %lld: high surrogate \\u%04X not followed by a low surrogate",
									 (long long) esc_off, cp);
							cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						}
						else if (cp >= 0xDC00 && cp <= 0xDFFF)
							fail(r, esc_off, "invalid JSON at byte offset %lld: lone low surrogate \\u%04X",
								 (long long) esc_off, cp);
						else if (cp == 0)
							fail(r, esc_off, "invalid JSON at byte offset %lld: \\u0000 cannot be stored in text",
								 (long long) esc_off);
						put_utf8(r, &n, cp, build);
						break;
					}
				case -1:
					fail(r, jr_position(r), "unexpected end of input at byte offset %lld inside the string starting at byte offset %lld",
						 (long long) jr_position(r), (long long) start);
					break;
				default:
					fail(r, esc_off, "invalid JSON at byte offset %lld: invalid escape sequence",
						 (long long) esc_off);
			}
			continue;
		}
		if (c < 0x20)
			fail(r, jr_position(r), "invalid JSON at byte offset %lld: control character 0x%02X in a string",
				 (long long) jr_position(r), c);
		if (c < 0x80)
		{
			if (build)
				scratch_put(r, &n, (char) c);
			r->pos++;
			continue;
		}
		/* multi-byte UTF-8: validate the sequence */
		{
			int64_t		off = jr_position(r);
			int			need;
			unsigned	cp;
			int			i;

			if (c >= 0xC2 && c <= 0xDF)
			{
				need = 1;
				cp = (unsigned) c & 0x1F;
			}
			else if (c >= 0xE0 && c <= 0xEF)
			{
				need = 2;
				cp = (unsigned) c & 0x0F;
			}
			else if (c >= 0xF0 && c <= 0xF4)
			{
				need = 3;
				cp = (unsigned) c & 0x07;
			}
			else
				fail(r, off, "invalid UTF-8 at byte offset %lld", (long long) off);
			if (build)
				scratch_put(r, &n, (char) c);
			r->pos++;
			for (i = 0; i < need; i++)
			{
				int			cc = nextc(r);

				if (cc < 0)
					fail(r, jr_position(r), "unexpected end of input at byte offset %lld inside the string starting at byte offset %lld",
						 (long long) jr_position(r), (long long) start);
				if ((cc & 0xC0) != 0x80)
					fail(r, off, "invalid UTF-8 at byte offset %lld", (long long) off);
				cp = (cp << 6) | ((unsigned) cc & 0x3F);
				if (build)
					scratch_put(r, &n, (char) cc);
			}
			if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
				(need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
				fail(r, off, "invalid UTF-8 at byte offset %lld", (long long) off);
		}
	}
	if (!build)
		return NULL;
	out = jr_alloc(r, n + 1);
	if (n)
		memcpy(out, r->scratch, n);
	out[n] = '\0';
	*lenp = n;
	return out;
}

/* Match the rest of a literal word; fails at the first mismatch. */
static void
expect_word(JrReader *r, const char *word, int64_t start)
{
	const char *p;

	for (p = word; *p; p++)
	{
		int			c = nextc(r);

		if (c != (unsigned char) *p)
		{
			if (c < 0)
				fail(r, jr_position(r), "unexpected end of input at byte offset %lld", (long long) jr_position(r));
			fail(r, start, "invalid JSON at byte offset %lld: invalid token", (long long) start);
		}
	}
}

/* Read a number (or NaN / Infinity / -Infinity) into v. */
static void
parse_number(JrReader *r, JrValue *v, int build)
{
	char		tok[400];
	size_t		n = 0;
	int64_t		start = jr_position(r);
	int			c;
	size_t		i;
	int			digits;

	for (;;)
	{
		c = peekc(r);
		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' ||
			c == 'I' || c == 'N')
		{
			if (c == 'I' || c == 'N')
			{
				/* Infinity, -Infinity, NaN */
				const char *word = (c == 'I') ? "Infinity" : "NaN";

				if (!(n == 0 || (n == 1 && tok[0] == '-' && c == 'I')))
					fail(r, start, "invalid JSON at byte offset %lld: invalid number", (long long) start);
				expect_word(r, word, start);
				memcpy(tok + n, word, strlen(word));
				n += strlen(word);
				v->flags |= JR_NUM_NONFINITE;
				r->nonfinite_seen++;
				break;
			}
			if (n >= sizeof(tok) - 1)
				fail(r, start, "invalid JSON at byte offset %lld: number too long", (long long) start);
			tok[n++] = (char) c;
			r->pos++;
		}
		else
			break;
	}
	tok[n] = '\0';
	if (!(v->flags & JR_NUM_NONFINITE))
	{
		/* validate -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
		i = 0;
		if (tok[i] == '-')
			i++;
		if (tok[i] == '0')
			i++;
		else if (tok[i] >= '1' && tok[i] <= '9')
			while (tok[i] >= '0' && tok[i] <= '9')
				i++;
		else
			fail(r, start, "invalid JSON at byte offset %lld: invalid number", (long long) start);
		if (tok[i] == '.')
		{
			i++;
			digits = 0;
			while (tok[i] >= '0' && tok[i] <= '9')
				i++, digits++;
			if (!digits)
				fail(r, start, "invalid JSON at byte offset %lld: invalid number", (long long) start);
		}
		if (tok[i] == 'e' || tok[i] == 'E')
		{
			i++;
			if (tok[i] == '+' || tok[i] == '-')
				i++;
			digits = 0;
			while (tok[i] >= '0' && tok[i] <= '9')
				i++, digits++;
			if (!digits)
				fail(r, start, "invalid JSON at byte offset %lld: invalid number", (long long) start);
			/* only numbers with an exponent can reach DBL_MAX in 400 bytes */
			{
				double		d = strtod(tok, NULL);

				if (isinf(d) || fabs(d) >= DBL_MAX)
				{
					v->flags |= JR_NUM_SENTINEL;
					r->sentinel_seen++;
				}
			}
		}
		if (tok[i] != '\0')
			fail(r, start, "invalid JSON at byte offset %lld: invalid number", (long long) start);
	}
	v->type = JR_NUMBER;
	if (build)
	{
		char	   *s = jr_alloc(r, n + 1);

		memcpy(s, tok, n + 1);
		v->str = s;
		v->len = n;
	}
}

/* Read an object (the '{' is next). */
static void
parse_object(JrReader *r, JrValue *v, int depth, int build)
{
	size_t		cap = 0;

	r->pos++;
	v->type = JR_OBJECT;
	skip_ws(r);
	if (peekc(r) == '}')
	{
		r->pos++;
		return;
	}
	for (;;)
	{
		const char *key = NULL;
		size_t		keylen = 0;
		JrValue    *val;

		skip_ws(r);
		if (peekc(r) != '"')
			unexpected(r, "a string (object key)");
		key = parse_string(r, &keylen, build);
		skip_ws(r);
		if (peekc(r) != ':')
			unexpected(r, "':'");
		r->pos++;
		val = parse_value(r, depth + 1, build);
		if (build)
		{
			if (v->count == cap)
			{
				size_t		ncap = cap ? cap * 2 : 8;
				JrMember   *m = jr_alloc(r, ncap * sizeof(JrMember));

				if (cap)
					memcpy(m, v->members, cap * sizeof(JrMember));
				v->members = m;
				cap = ncap;
			}
			v->members[v->count].key = key;
			v->members[v->count].keylen = keylen;
			v->members[v->count].value = val;
			v->count++;
		}
		skip_ws(r);
		if (peekc(r) == ',')
		{
			r->pos++;
			continue;
		}
		if (peekc(r) == '}')
		{
			r->pos++;
			return;
		}
		unexpected(r, "',' or '}'");
	}
}

/* Read an array (the '[' is next). */
static void
parse_array(JrReader *r, JrValue *v, int depth, int build)
{
	size_t		cap = 0;

	r->pos++;
	v->type = JR_ARRAY;
	skip_ws(r);
	if (peekc(r) == ']')
	{
		r->pos++;
		return;
	}
	for (;;)
	{
		/* when probing, keep only the first element of nested arrays */
		int			keep = build && !(r->probe && depth >= 1 && v->count >= 1);
		JrValue    *item = parse_value(r, depth + 1, keep);

		if (keep)
		{
			if (v->count == cap)
			{
				size_t		ncap = cap ? cap * 2 : 8;
				JrValue   **items = jr_alloc(r, ncap * sizeof(JrValue *));

				if (cap)
					memcpy(items, v->items, cap * sizeof(JrValue *));
				v->items = items;
				cap = ncap;
			}
			v->items[v->count++] = item;
		}
		skip_ws(r);
		if (peekc(r) == ',')
		{
			r->pos++;
			continue;
		}
		if (peekc(r) == ']')
		{
			r->pos++;
			return;
		}
		unexpected(r, "',' or ']'");
	}
}

/* Read any value into v. */
static void
parse_into(JrReader *r, JrValue *v, int depth, int build)
{
	int			c;

	if (depth > JR_MAX_DEPTH)
		fail(r, jr_position(r), "invalid JSON at byte offset %lld: nesting deeper than %d levels",
			 (long long) jr_position(r), JR_MAX_DEPTH);
	skip_ws(r);
	memset(v, 0, sizeof(JrValue));
	v->offset = jr_position(r);
	c = peekc(r);
	switch (c)
	{
		case '{':
			parse_object(r, v, depth, build);
			break;
		case '[':
			parse_array(r, v, depth, build);
			break;
		case '"':
			v->type = JR_STRING;
			v->str = parse_string(r, &v->len, build);
			break;
		case 't':
			r->pos++;
			expect_word(r, "rue", v->offset);
			v->type = JR_TRUE;
			break;
		case 'f':
			r->pos++;
			expect_word(r, "alse", v->offset);
			v->type = JR_FALSE;
			break;
		case 'n':
			r->pos++;
			expect_word(r, "ull", v->offset);
			v->type = JR_NULL;
			break;
		default:
			if (c == '-' || (c >= '0' && c <= '9') || c == 'I' || c == 'N')
				parse_number(r, v, build);
			else
				unexpected(r, "a JSON value");
	}
}

/* Read any value; returns NULL when not building. */
static JrValue *
parse_value(JrReader *r, int depth, int build)
{
	JrValue		tmp;
	JrValue    *v;

	if (!build)
	{
		parse_into(r, &tmp, depth, 0);
		return NULL;
	}
	v = jr_alloc(r, sizeof(JrValue));
	parse_into(r, v, depth, 1);
	return v;
}

/* Common reader setup. */
static void
init_common(JrReader *r, JrAllocFn alloc, void *alloc_ctx)
{
	r->alloc = alloc;
	r->alloc_ctx = alloc_ctx;
	r->state = ST_FIRST;
}

/* Read from memory. */
void
jr_init_memory(JrReader *r, const char *data, size_t len, JrAllocFn alloc, void *alloc_ctx)
{
	memset(r, 0, sizeof(JrReader));
	r->mem = data;
	r->mem_len = len;
	r->buf = (char *) data;
	r->len = len < JR_CHUNK_SIZE ? len : JR_CHUNK_SIZE;
	init_common(r, alloc, alloc_ctx);
}

/* Read through a callback into buf (JR_CHUNK_SIZE bytes). */
void
jr_init_stream(JrReader *r, JrReadFn read, void *read_ctx, char *buf,
			   JrAllocFn alloc, void *alloc_ctx)
{
	memset(r, 0, sizeof(JrReader));
	r->read = read;
	r->read_ctx = read_ctx;
	r->buf = buf;
	init_common(r, alloc, alloc_ctx);
	r->len = 0;
	r->base = 0;
}

/* After the last record: only whitespace may follow. */
static void
expect_end(JrReader *r)
{
	skip_ws(r);
	if (peekc(r) >= 0)
		fail(r, jr_position(r), "invalid JSON at byte offset %lld: unexpected data after the end of the document",
			 (long long) jr_position(r));
}

/* Read the start of the document: BOM, first token, and the layout's opening. */
JrStatus
jr_begin(JrReader *r, JrLayout layout, const char *nested_key)
{
	jmp_buf		jb;

	r->jmp = &jb;
	if (setjmp(jb))
	{
		r->jmp = NULL;
		return JR_ERROR;
	}
	r->layout = layout;
	r->nested_key = nested_key;
	/* UTF-8 byte order mark */
	if (peekc(r) == 0xEF)
	{
		r->pos++;
		if (nextc(r) != 0xBB || nextc(r) != 0xBF)
			fail(r, 0, "invalid JSON at byte offset 0: unexpected byte 0xEF");
	}
	skip_ws(r);
	if (peekc(r) < 0)
	{
		r->empty = 1;
		fail(r, 0, jr_position(r) == 0 ? "the file is empty (0 bytes)" : "the input holds no JSON value (only white space)");
	}
	r->top = (char) peekc(r);
	r->record_offset = jr_position(r);
	if (layout == JR_LAYOUT_WHOLE)
	{
		r->jmp = NULL;
		return JR_OK;
	}
	if (r->top != '[' && r->top != '{')
		unexpected(r, "'[' or '{'");
	r->pos++;
	if (layout == JR_LAYOUT_NESTED && r->top == '{')
		r->state = ST_NESTED_MEMBERS;
	r->jmp = NULL;
	return JR_OK;
}

/* Scan members of the top object up to the nested array; 1 if found and opened. */
static int
open_nested(JrReader *r)
{
	for (;;)
	{
		const char *key;
		size_t		keylen;
		int			c;

		skip_ws(r);
		c = peekc(r);
		if (c == '}' && !r->nested_seen_member)
		{
			r->pos++;
			return 0;
		}
		if (r->nested_seen_member)
		{
			if (c == '}')
			{
				r->pos++;
				return 0;
			}
			if (c != ',')
				unexpected(r, "',' or '}'");
			r->pos++;
			skip_ws(r);
		}
		r->nested_seen_member = 1;
		if (peekc(r) != '"')
			unexpected(r, "a string (object key)");
		key = parse_string(r, &keylen, 1);
		skip_ws(r);
		if (peekc(r) != ':')
			unexpected(r, "':'");
		r->pos++;
		skip_ws(r);
		if (strcmp(key, r->nested_key) == 0 && peekc(r) == '[')
		{
			r->pos++;
			return 1;
		}
		(void) parse_value(r, 1, 0);
	}
}

/* Next record. */
JrStatus
jr_next(JrReader *r, JrRecord *rec)
{
	jmp_buf		jb;
	int			c;
	char		close;

	if (r->failed)
		return JR_ERROR;
	if (r->state == ST_DONE)
		return JR_END;
	r->jmp = &jb;
	if (setjmp(jb))
	{
		r->jmp = NULL;
		r->state = ST_DONE;
		return JR_ERROR;
	}
	r->scratch = NULL;
	r->scratch_cap = 0;
	r->record_offset = jr_position(r);
	r->nonfinite_seen = 0;
	r->sentinel_seen = 0;
	r->record_key[0] = '\0';
	memset(rec, 0, sizeof(JrRecord));

	if (r->layout == JR_LAYOUT_WHOLE)
	{
		r->record_offset = jr_position(r);
		rec->offset = r->record_offset;
		rec->value = parse_value(r, 0, 1);
		expect_end(r);
		r->state = ST_DONE;
		r->jmp = NULL;
		return JR_OK;
	}

	if (r->state == ST_NESTED_MEMBERS)
	{
		if (!open_nested(r))
		{
			expect_end(r);
			r->state = ST_DONE;
			r->jmp = NULL;
			return JR_END;
		}
		r->state = ST_FIRST;
	}

	/* in a nested layout the records sit in an array inside the top object */
	close = (r->layout == JR_LAYOUT_NESTED && r->top == '{') ? ']' : (r->top == '{' ? '}' : ']');
	skip_ws(r);
	c = peekc(r);
	if (r->state == ST_MORE)
	{
		if (c == ',')
		{
			r->pos++;
			skip_ws(r);
			c = peekc(r);
			if (c == close)
				unexpected(r, "a JSON value");
		}
		else if (c != close)
			unexpected(r, close == '}' ? "',' or '}'" : "',' or ']'");
	}
	if (c == close)
	{
		r->pos++;
		if (r->layout == JR_LAYOUT_NESTED && r->top == '{')
		{
			/* rest of the top object */
			r->state = ST_NESTED_MEMBERS;
			for (;;)
			{
				skip_ws(r);
				c = peekc(r);
				if (c == '}')
				{
					r->pos++;
					break;
				}
				if (c != ',')
					unexpected(r, "',' or '}'");
				r->pos++;
				skip_ws(r);
				if (peekc(r) != '"')
					unexpected(r, "a string (object key)");
				(void) parse_string(r, NULL, 0);
				skip_ws(r);
				if (peekc(r) != ':')
					unexpected(r, "':'");
				r->pos++;
				(void) parse_value(r, 1, 0);
			}
		}
		expect_end(r);
		r->state = ST_DONE;
		r->jmp = NULL;
		return JR_END;
	}

	r->record_offset = jr_position(r);
	rec->offset = r->record_offset;
	if (r->top == '{' && r->layout == JR_LAYOUT_COLLECTION)
	{
		size_t		keylen;
		const char *key;

		if (c != '"')
			unexpected(r, "a string (object key)");
		key = parse_string(r, &keylen, 1);
		snprintf(r->record_key, sizeof(r->record_key), "%s", key);
		rec->key = key;
		skip_ws(r);
		if (peekc(r) != ':')
			unexpected(r, "':'");
		r->pos++;
	}
	rec->value = parse_value(r, 0, 1);
	r->state = ST_MORE;
	r->jmp = NULL;
	return JR_OK;
}

/* Member of an object by key, or NULL. */
JrValue *
jr_get(const JrValue *obj, const char *key)
{
	size_t		i;

	if (obj == NULL || obj->type != JR_OBJECT)
		return NULL;
	for (i = 0; i < obj->count; i++)
		if (obj->members[i].key[0] == key[0] && strcmp(obj->members[i].key, key) == 0)
			return obj->members[i].value;
	return NULL;
}

/* Bytes before the first that a JSON string literal must escape. */
size_t
jr_plain_length(const char *s, size_t n)
{
	return plain_run(s, n, 0);
}

/* Write a JSON string literal. */
void
jr_write_string(const char *s, size_t len, JrAppendFn append, void *ctx)
{
	size_t		i = 0;
	char		esc[8];

	append(ctx, "\"", 1);
	while (i < len)
	{
		/* the bytes that need no escape up to the next one that does, within a chunk */
		size_t		run = i;
		size_t		chunk_end = (i | (JR_CHUNK_SIZE - 1)) + 1;
		size_t		stop = chunk_end < len ? chunk_end : len;
		unsigned char c;
		const char *rep;

		i += plain_run(s + i, stop - i, 0);
		if (i > run)
			append(ctx, s + run, i - run);
		if (i == stop)
		{
			if (i < len)
				check_interrupts();
			continue;
		}
		c = (unsigned char) s[i++];
		if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			rep = "\\\\";
		else if (c == '\n')
			rep = "\\n";
		else if (c == '\r')
			rep = "\\r";
		else if (c == '\t')
			rep = "\\t";
		else
		{
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rep = esc;
		}
		append(ctx, rep, strlen(rep));
	}
	append(ctx, "\"", 1);
}

/* Write a value as JSON text. */
void
jr_write(const JrValue *v, JrAppendFn append, void *ctx)
{
	size_t		i;

	if (v == NULL)
	{
		append(ctx, "null", 4);
		return;
	}
	switch (v->type)
	{
		case JR_NULL:
			append(ctx, "null", 4);
			break;
		case JR_TRUE:
			append(ctx, "true", 4);
			break;
		case JR_FALSE:
			append(ctx, "false", 5);
			break;
		case JR_NUMBER:
			if (v->flags & JR_NUM_NONFINITE)
				jr_write_string(v->str, v->len, append, ctx);
			else
				append(ctx, v->str, v->len);
			break;
		case JR_STRING:
			jr_write_string(v->str, v->len, append, ctx);
			break;
		case JR_ARRAY:
			append(ctx, "[", 1);
			for (i = 0; i < v->count; i++)
			{
				if (i % JR_WRITE_ITEMS_PER_CHECK == JR_WRITE_ITEMS_PER_CHECK - 1)
					check_interrupts();
				if (i)
					append(ctx, ",", 1);
				jr_write(v->items[i], append, ctx);
			}
			append(ctx, "]", 1);
			break;
		case JR_OBJECT:
			append(ctx, "{", 1);
			for (i = 0; i < v->count; i++)
			{
				if (i % JR_WRITE_ITEMS_PER_CHECK == JR_WRITE_ITEMS_PER_CHECK - 1)
					check_interrupts();
				if (i)
					append(ctx, ",", 1);
				jr_write_string(v->members[i].key, v->members[i].keylen, append, ctx);
				append(ctx, ":", 1);
				jr_write(v->members[i].value, append, ctx);
			}
			append(ctx, "}", 1);
			break;
	}
}

/* Parse a whole in-memory document as one value; NULL with err set on failure. */
JrValue *
jr_parse_document(const char *data, size_t len, JrAllocFn alloc, void *alloc_ctx,
				  char *err, size_t errlen)
{
	JrReader	r;
	JrRecord	rec;

	jr_init_memory(&r, data, len, alloc, alloc_ctx);
	if (jr_begin(&r, JR_LAYOUT_WHOLE, NULL) != JR_OK ||
		jr_next(&r, &rec) != JR_OK)
	{
		snprintf(err, errlen, "%s", r.error);
		return NULL;
	}
	return rec.value;
}
