/*
 * json_reader.h — streaming, tolerant JSON reader (pure C, no server headers).
 *
 * The reader pulls input in chunks (a file through a read callback, or a
 * document in memory), and hands out one *record* at a time as a small tree
 * (JrValue) allocated through a caller-supplied allocator, so memory stays
 * bounded by the largest record, never by the input.  Records are the
 * elements of a top-level array, the members of a top-level object keyed by
 * id, the elements of the array under one key of a top-level object (Day
 * One, jrnl), or the whole document.
 *
 * Tolerated beyond RFC 8259: a UTF-8 byte order mark, NaN / Infinity /
 * -Infinity (flagged JR_NUM_NONFINITE), numbers of magnitude >= DBL_MAX such
 * as 1.7976931348623157E308 (flagged JR_NUM_SENTINEL).  Everything else that
 * is not JSON is an error with a byte offset.
 */
#ifndef JSON_READER_H
#define JSON_READER_H

#include <stddef.h>
#include <stdint.h>

#define JR_CHUNK_SIZE 65536
#define JR_MAX_DEPTH 512

typedef enum JrType
{
	JR_NULL,
	JR_FALSE,
	JR_TRUE,
	JR_NUMBER,
	JR_STRING,
	JR_ARRAY,
	JR_OBJECT
} JrType;

/* flags of a JR_NUMBER */
#define JR_NUM_NONFINITE 0x01	/* NaN, Infinity, -Infinity */
#define JR_NUM_SENTINEL	 0x02	/* |x| >= DBL_MAX, e.g. 1.7976931348623157E308 */

typedef struct JrValue JrValue;

typedef struct JrMember
{
	const char *key;			/* decoded, NUL-terminated */
	size_t		keylen;
	JrValue    *value;
} JrMember;

struct JrValue
{
	JrType		type;
	int			flags;
	int64_t		offset;			/* byte offset of the value's first byte */
	const char *str;			/* STRING: decoded UTF-8; NUMBER: token text */
	size_t		len;
	size_t		count;			/* ARRAY / OBJECT: number of items / members */
	JrValue   **items;			/* ARRAY */
	JrMember   *members;		/* OBJECT */
};

/* How records are laid out in the document. */
typedef enum JrLayout
{
	JR_LAYOUT_COLLECTION,		/* top-level array: elements; object: members */
	JR_LAYOUT_WHOLE,			/* the whole document is one record */
	JR_LAYOUT_NESTED			/* top-level object; elements of the array under nested_key */
} JrLayout;

typedef enum JrStatus
{
	JR_OK = 1,
	JR_END = 0,
	JR_ERROR = -1
} JrStatus;

/* One record handed out by jr_next(). */
typedef struct JrRecord
{
	JrValue    *value;
	const char *key;			/* member key for an object keyed by id, else NULL */
	int64_t		offset;			/* record start: its first byte, or its key's quote */
} JrRecord;

typedef size_t (*JrReadFn) (void *ctx, char *buf, size_t cap);
typedef void (*JrInterruptFn) (void);
typedef void *(*JrAllocFn) (void *ctx, size_t size);
typedef void (*JrAppendFn) (void *ctx, const char *s, size_t n);

typedef struct JrReader
{
	/* input */
	JrReadFn	read;
	void	   *read_ctx;
	const char *mem;			/* in-memory document (read == NULL) */
	size_t		mem_len;
	char	   *buf;			/* chunk buffer (JR_CHUNK_SIZE), or the window
								 * of at most JR_CHUNK_SIZE bytes over mem */
	size_t		len;			/* bytes in buf */
	size_t		pos;			/* next byte in buf */
	int64_t		base;			/* offset of buf[0] in the input */
	int			eof;

	JrAllocFn	alloc;			/* per-record allocations */
	void	   *alloc_ctx;

	/* layout state */
	JrLayout	layout;
	const char *nested_key;
	char		top;			/* '{' or '[' or 0 */
	int			state;			/* internal */
	int			nested_seen_member;	/* internal */
	int			probe;			/* keep at most one element of nested arrays */
	int			nonfinite_seen; /* non-finite numbers in the last record */
	int			sentinel_seen;	/* sentinel numbers in the last record */

	/* record in progress (for error reports) */
	int64_t		record_offset;
	char		record_key[128];

	/* scratch buffer for strings */
	char	   *scratch;
	size_t		scratch_cap;

	/* error */
	int			failed;
	int			empty;			/* input had no token at all */
	int64_t		error_offset;
	char		error[160];
	void	   *jmp;			/* jmp_buf of the active call */
} JrReader;

/*
 * Called, when set, before every JR_CHUNK_SIZE bytes the reader reads (from a
 * file or from memory) and every JR_CHUNK_SIZE bytes of string or 4096 items
 * jr_write() writes, so that a host can stop long work: the extension sets a
 * function that runs CHECK_FOR_INTERRUPTS().  It may leave by longjmp; the
 * reader holds nothing then but what it allocated through the caller's
 * allocator, and must not be used again.
 */
extern JrInterruptFn jr_interrupt_hook;

/* Read from memory: data must stay valid while the reader is used. */
extern void jr_init_memory(JrReader *r, const char *data, size_t len,
						   JrAllocFn alloc, void *alloc_ctx);
/* Read through a callback; buf must hold JR_CHUNK_SIZE bytes. */
extern void jr_init_stream(JrReader *r, JrReadFn read, void *read_ctx, char *buf,
						   JrAllocFn alloc, void *alloc_ctx);
/* Read the start of the document for a layout; JR_OK, or JR_ERROR. */
extern JrStatus jr_begin(JrReader *r, JrLayout layout, const char *nested_key);
/* Next record: JR_OK (rec filled), JR_END, or JR_ERROR (r->error set). */
extern JrStatus jr_next(JrReader *r, JrRecord *rec);
/* Bytes consumed so far. */
extern int64_t jr_position(const JrReader *r);

/* Member of an object by key, or NULL. */
extern JrValue *jr_get(const JrValue *obj, const char *key);
/* Write a value as JSON: NaN/Infinity become JSON strings, sentinels stay numbers. */
extern void jr_write(const JrValue *v, JrAppendFn append, void *ctx);
/* How many of the n bytes at s a JSON string literal holds as they are (before the first to escape). */
extern size_t jr_plain_length(const char *s, size_t n);
/* Write a string as a JSON string literal. */
extern void jr_write_string(const char *s, size_t len, JrAppendFn append, void *ctx);
/* Parse a complete document held in memory as one value (for JSON inside strings). */
extern JrValue *jr_parse_document(const char *data, size_t len, JrAllocFn alloc,
								  void *alloc_ctx, char *err, size_t errlen);

#endif							/* JSON_READER_H */
