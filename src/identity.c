/*
 * identity.c — who the current application user is.
 *
 * The identity lives in the superuser-only setting journaling.user_id, so an
 * ordinary role cannot SET it, set_config() it or pass it in PGOPTIONS; it
 * changes only through journaling.set_user(), whose EXECUTE privilege is
 * granted to application roles.  Row-level security policies compare rows
 * with journaling.current_user_id(); an unset identity is NULL and so matches
 * no row (fail closed).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/uuid.h"

#include "journaling.h"

static char *identity_setting = NULL;

/* Parsed form of identity_setting, kept current by the assign hook. */
static bool identity_is_set = false;
static pg_uuid_t identity_value;

/*
 * Parse a uuid written the ways uuid_in accepts (optional braces, optional
 * hyphen after any group of four digits) without raising errors.
 */
static bool
parse_uuid(const char *s, pg_uuid_t *out)
{
	bool		braces = false;
	int			i;

	if (*s == '{')
	{
		braces = true;
		s++;
	}
	for (i = 0; i < UUID_LEN; i++)
	{
		int			hi = JournalingHexValue(s[0]);
		int			lo = (hi < 0) ? -1 : JournalingHexValue(s[1]);

		if (lo < 0)
			return false;
		out->data[i] = (unsigned char) ((hi << 4) | lo);
		s += 2;
		if (s[0] == '-' && i % 2 == 1 && i < UUID_LEN - 1)
			s++;
	}
	if (braces && *s++ != '}')
		return false;
	return *s == '\0';
}

/* GUC check hook: accept '' (no identity) or a uuid, stored canonically. */
static bool
identity_check_hook(char **newval, void **extra, GucSource source)
{
	pg_uuid_t	parsed;
	pg_uuid_t  *kept;
	char	   *canonical;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;

	if (!parse_uuid(*newval, &parsed))
	{
		GUC_check_errcode(ERRCODE_INVALID_TEXT_REPRESENTATION);
		GUC_check_errdetail("The identity must be a uuid or empty.");
		return false;
	}

	kept = (pg_uuid_t *) guc_malloc(LOG, sizeof(pg_uuid_t));
	if (kept == NULL)
		return false;
	*kept = parsed;
	*extra = kept;

	canonical = guc_strdup(LOG, DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&parsed))));
	if (canonical == NULL)
		return false;
	guc_free(*newval);
	*newval = canonical;
	return true;
}

/* GUC assign hook: remember the parsed identity. */
static void
identity_assign_hook(const char *newval, void *extra)
{
	identity_is_set = (extra != NULL);
	if (extra != NULL)
		identity_value = *(pg_uuid_t *) extra;
}

/* Define journaling.user_id and reserve the journaling.* prefix. */
void
IdentityInit(void)
{
	DefineCustomStringVariable("journaling.user_id",
							   "Identity of the application user whose rows this session may see.",
							   "Set only through journaling.set_user(); row-level security policies compare rows with it. Empty means no identity: no rows are visible.",
							   &identity_setting,
							   "",
							   PGC_SUSET,
							   GUC_NOT_IN_SAMPLE,
							   identity_check_hook,
							   identity_assign_hook,
							   NULL);

	MarkGUCPrefixReserved("journaling");
}

/* The current identity, if one is set. */
bool
JournalingCurrentUserId(pg_uuid_t *out)
{
	if (identity_is_set)
		*out = identity_value;
	return identity_is_set;
}

/* journaling.current_user_id(): the identity, or NULL when none is set. */
PG_FUNCTION_INFO_V1(journaling_current_user_id);
Datum
journaling_current_user_id(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *result;

	if (!identity_is_set)
		PG_RETURN_NULL();
	result = (pg_uuid_t *) palloc(sizeof(pg_uuid_t));
	*result = identity_value;
	PG_RETURN_UUID_P(result);
}

/*
 * journaling.set_user(user_id, is_local): set (or with NULL clear) the
 * identity for the session, or for the transaction when is_local.  Callers
 * need EXECUTE on the function; the setting itself is superuser-only.
 */
PG_FUNCTION_INFO_V1(journaling_set_user);
Datum
journaling_set_user(PG_FUNCTION_ARGS)
{
	const char *value = "";
	bool		is_local;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("is_local must not be null")));
	is_local = PG_GETARG_BOOL(1);

	if (!PG_ARGISNULL(0))
		value = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(0)));

	(void) set_config_option("journaling.user_id", value,
							 PGC_SUSET, PGC_S_SESSION,
							 is_local ? GUC_ACTION_LOCAL : GUC_ACTION_SET,
							 true, 0, false);

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}
