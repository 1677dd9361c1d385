/*
 * spi_plans.c — SPI plans prepared on first use and kept for the backend's
 * life (the plan cache re-plans them when a table they read changes).
 */
#include "postgres.h"

#include "executor/spi.h"

#include "journaling.h"

/*
 * Prepare sql into *plan unless it is there already, with the given
 * CURSOR_OPT_* options (0: the plan cache chooses between custom and
 * generic plans), and keep it.  Call inside SPI_connect().
 */
void
JournalingKeepPlan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types, int cursor_options)
{
	SPIPlanPtr	p;

	if (*plan != NULL)
		return;
	p = SPI_prepare_cursor(sql, nargs, types, cursor_options);
	if (p == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(p) != 0)
		elog(ERROR, "SPI_keepplan failed");
	*plan = p;
}
