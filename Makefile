# journaling — PGXS build.  The version lives only in journaling.control.
EXTENSION = journaling
EXTVERSION = $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big = journaling
OBJS = \
	src/journaling.o \
	src/identity.o \
	src/entry_vector.o \
	src/moodstats.o \
	src/mood_trend.o \
	src/stats_capture.o \
	src/refresh.o \
	src/user_aggregates.o \
	src/json_reader.o \
	src/uuid5.o \
	src/import.o \
	src/import_seen.o \
	src/import_targets.o \
	src/import_map.o \
	src/import_formats.o \
	src/snippet.o \
	src/snippet_select.o \
	src/search.o \
	src/search_index.o \
	src/search_prepare.o \
	src/spi_plans.o

DATA = $(wildcard $(EXTENSION)--*.sql)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=pg_trgm
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --load-extension=pg_trgm

EXTRA_CLEAN = results/ regression.diffs regression.out output_iso/ tmp_check/

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# META.json must carry the control file's version (checked on every build).
all: check-version
.PHONY: check-version
check-version:
	@grep -q '"version": *"$(EXTVERSION)"' META.json || \
		{ echo "META.json version differs from journaling.control ($(EXTVERSION))" >&2; exit 1; }

# The double-double arithmetic of moodstats relies on separately rounded
# products and sums: never let the compiler fuse them.
src/moodstats.o src/mood_trend.o: override CFLAGS += -ffp-contract=off
src/moodstats.o src/mood_trend.o: src/moodstats.h src/moodstats_math.h src/journaling.h src/compat.h

# Every object depends on the shared headers, so a header change rebuilds them all.
$(OBJS): src/journaling.h src/compat.h
src/json_reader.o src/import.o src/import_map.o src/import_formats.o src/import_targets.o: src/json_reader.h
src/import.o src/import_seen.o: src/import_seen.h
src/search.o src/search_prepare.o: src/search_prepare.h
src/search.o src/search_index.o: src/search_index.h
