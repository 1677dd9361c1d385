/*
 * uuid5.c — name-based (SHA-1) UUIDs per RFC 4122 §4.3, and lenient uuid parsing.
 *
 * Imported records without a uuid of their own get
 * uuid5(JOURNALING_UUID_NAMESPACE, "<format>:<source id>"), so the same source
 * record always maps to the same row and a second import skips it.
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/sha1.h"
#include "miscadmin.h"
#include "utils/uuid.h"

#include "journaling.h"

/* The fixed namespace of every journaling UUIDv5: 5dad10db-7953-4ac5-b74f-2df677907c7a. */
static const unsigned char journaling_namespace[UUID_LEN] = {
	0x5d, 0xad, 0x10, 0xdb, 0x79, 0x53, 0x4a, 0xc5,
	0xb7, 0x4f, 0x2d, 0xf6, 0x77, 0x90, 0x7c, 0x7a
};

/* Bytes hashed between two checks for interrupts (a name may be 1 GB of content). */
#define UUID5_BYTES_PER_CHECK (1024 * 1024)

/*
 * UUIDv5 of "<prefix>:<name>" (just name when prefix is NULL) in the
 * journaling namespace, hashed piece by piece without a copy.
 */
static void
uuid5_of(const char *prefix, const char *name, size_t len, pg_uuid_t *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA1);
	uint8		digest[SHA1_DIGEST_LENGTH];
	bool		ok;
	size_t		done;

	ok = ctx != NULL &&
		pg_cryptohash_init(ctx) == 0 &&
		pg_cryptohash_update(ctx, journaling_namespace, UUID_LEN) == 0;
	if (ok && prefix)
		ok = pg_cryptohash_update(ctx, (const uint8 *) prefix, strlen(prefix)) == 0 &&
			pg_cryptohash_update(ctx, (const uint8 *) ":", 1) == 0;
	for (done = 0; ok && done < len; done += UUID5_BYTES_PER_CHECK)
	{
		CHECK_FOR_INTERRUPTS();
		ok = pg_cryptohash_update(ctx, (const uint8 *) name + done,
								  Min(len - done, UUID5_BYTES_PER_CHECK)) == 0;
	}
	if (!ok || pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
	{
		const char *why = ctx ? pg_cryptohash_error(ctx) : "out of memory";

		pg_cryptohash_free(ctx);
		elog(ERROR, "could not compute SHA-1 for a UUIDv5: %s", why);
	}
	pg_cryptohash_free(ctx);
	memcpy(out->data, digest, UUID_LEN);
	out->data[6] = (out->data[6] & 0x0F) | 0x50;	/* version 5 */
	out->data[8] = (out->data[8] & 0x3F) | 0x80;	/* RFC 4122 variant */
}

/* UUIDv5 of name (len bytes) in the journaling namespace. */
void
JournalingUuid5(const char *name, size_t len, pg_uuid_t *out)
{
	uuid5_of(NULL, name, len, out);
}

/* UUIDv5 of "<prefix>:<id>"; cancellable every megabyte of id. */
void
JournalingUuid5Pair(const char *prefix, const char *id, size_t idlen, pg_uuid_t *out)
{
	uuid5_of(prefix, id, idlen, out);
}

/*
 * Parse a uuid: 8-4-4-4-12 with hyphens, or 32 hex digits without (Day One),
 * in either case; false if s is anything else.
 */
bool
JournalingParseUuid(const char *s, size_t len, pg_uuid_t *out)
{
	int			i = 0;
	size_t		p = 0;
	bool		dashed = (len == 36);

	if (len != 36 && len != 32)
		return false;
	while (i < UUID_LEN)
	{
		int			hi,
					lo;

		if (dashed && (p == 8 || p == 13 || p == 18 || p == 23))
		{
			if (s[p] != '-')
				return false;
			p++;
		}
		hi = JournalingHexValue(s[p]);
		lo = JournalingHexValue(s[p + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out->data[i++] = (unsigned char) ((hi << 4) | lo);
		p += 2;
	}
	return p == len;
}

/* Canonical text form of a uuid into buf (at least 37 bytes). */
void
JournalingUuidText(const pg_uuid_t *u, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	int			i,
				p = 0;

	for (i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[p++] = '-';
		buf[p++] = hex[u->data[i] >> 4];
		buf[p++] = hex[u->data[i] & 0x0F];
	}
	buf[p] = '\0';
}
