#!/usr/bin/env bash
# test/bench/search.sh — full-text search benchmark.
#
# On its own throwaway cluster (stopped on exit), with generated journal data:
#   1. journaling.snippet() vs ts_headline() on 1.5 kB, 25 kB and 200 kB
#      documents (made of generated entries), for a frequent term, a rare
#      term and a phrase, with the same options; outputs must be identical.
#   2. journaling.search() for one user (top 20 with snippets; after the load
#      the statistics are refreshed and the search index built, as the
#      scheduled refreshes would) vs the seed SQL
#      (to_tsvector of the content on every row, no stored vector,
#      ts_headline) and the best hand-tuned SQL (stored vector, the user's
#      btree or the GIN index as the planner picks, ts_rank_cd, ts_headline on
#      the 20 rows kept): p50 / p95 over many (user, query) pairs.
#   3. Global top 20 (all users): search() vs GIN + ts_rank_cd vs a RUM index
#      ordered by <=> (RUM ranks differently: figures only).
# Tables go to standard output (Markdown), progress to standard error.
#
# Environment: ENTRIES (200000), USERS (200), SAMPLES (200 searches per
# method), REPEAT (15 snippet calls per measurement), SEED (42), GEN (the
# data generator; default test/bench/gen.py, else data is made in SQL),
# PARTS (which parts to run: "snippet user global", the default, or any
# subset), SHARED_BUFFERS (5GB: enough to hold the 1 M-entry data set, which
# is read into it with pg_prewarm before any part runs), BENCH_PGHOST (run
# against an already running cluster whose database "postgres" holds the
# loaded data and the extensions journaling, rum and pg_prewarm: no build, no
# load; the server settings are then that cluster's), SNIPPET_ONLY (1: the
# snippet part only, PARTS=snippet, on ENTRIES 5000 by default -- enough for
# the 1.5 kB, 25 kB and 200 kB documents -- without the RUM index).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$REPO_ROOT"

SNIPPET_ONLY=${SNIPPET_ONLY:-0}
if [ "$SNIPPET_ONLY" = 1 ]; then ENTRIES=${ENTRIES:-5000} PARTS=snippet; fi
ENTRIES=${ENTRIES:-200000}
USERS=${USERS:-200}
SAMPLES=${SAMPLES:-200}
REPEAT=${REPEAT:-15}
SEED=${SEED:-42}
GEN=${GEN:-$REPO_ROOT/test/bench/gen.py}
PARTS=${PARTS:-snippet user global}
SHARED_BUFFERS=${SHARED_BUFFERS:-5GB}
OPTS='MaxWords=35, MinWords=15, MaxFragments=3'
part() { [[ " $PARTS " == *" $1 "* ]]; }

q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

if [ -n "${BENCH_PGHOST:-}" ]; then
  export PGHOST=$BENCH_PGHOST PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
  q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_docs, bench_q, bench_words, bench_pairs, bench_times" \
    -c "DROP FUNCTION IF EXISTS bench_snippet, bench_one, bench_run, bench_global" >/dev/null
  datasource="a cluster loaded earlier (BENCH_PGHOST), load not timed here"
else
build_and_install
cluster_init
cat >>"$CLUSTER_DIR/data/postgresql.conf" <<CONF
shared_buffers = $SHARED_BUFFERS
max_wal_size = 8GB
CONF
cluster_boot
trap cluster_stop EXIT
DATA=$CLUSTER_DIR/data-files
mkdir -p "$DATA" && chown postgres: "$DATA"

q -c "CREATE EXTENSION journaling CASCADE" -c "CREATE EXTENSION pg_prewarm" >/dev/null
! part global || q -c "CREATE EXTENSION rum" >/dev/null

log "loading $ENTRIES entries of $USERS users"
t0=$(date +%s)
if [ -f "$GEN" ]; then
  python3 "$GEN" --format users-copy --users "$USERS" --seed "$SEED" --out "$DATA/users.copy"
  python3 "$GEN" --format copy --entries "$ENTRIES" --users "$USERS" --seed "$SEED" --out "$DATA/entries.copy"
  chown postgres: "$DATA"/*.copy
  q -c "COPY journaling.users (id, username) FROM '$DATA/users.copy'" \
    -c "COPY journaling.journal_entries (user_id, id, title, content, entry_date, mood_score, tags, created_at) FROM '$DATA/entries.copy'"
  datasource="test/bench/gen.py seed $SEED"
else
  q <<SQL
SELECT setseed(0.$SEED);
INSERT INTO journaling.users (id, username)
SELECT md5('user' || u)::uuid, 'user' || u FROM generate_series(1, $USERS) u;
CREATE TEMP TABLE w AS SELECT row_number() OVER () AS i, w FROM regexp_split_to_table(
  'today i felt calm after a long walk with friends work was stressful but dinner helped slept badly again '
  'coffee in the morning therapy session went well grateful for family weekend yoga quiet evening reading '
  'anxious about the meeting tomorrow happy sunny lisbon trip planning music helped me relax tired', ' ') w;
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date)
SELECT md5('user' || (1 + n % $USERS))::uuid, 'Entry ' || n,
       (SELECT string_agg(w, ' ') FROM w, generate_series(1, 3) r
         WHERE random() < 0.3 + 0 * n), DATE '2022-01-01' + n % 1000
  FROM generate_series(1, $ENTRIES) n;
SQL
  datasource="SQL generator"
fi
q -c "VACUUM ANALYZE journaling.journal_entries" -c "VACUUM ANALYZE journaling.users"
load_s=$(( $(date +%s) - t0 ))
log "loaded in ${load_s}s; refreshing the statistics, building the search index"
# As the scheduled refreshes would: the statistics refresh consumes the
# change log of the load (which a search also reads), then the index is built.
stats_txt=$(q -c "SELECT round(extract(epoch FROM duration)::numeric, 1) || ' s' FROM journaling.refresh_statistics()")
index_txt=$(q -F ' ' -c "SELECT users || ' users, ' || entries || ' entries in ' || round(extract(epoch FROM duration)::numeric, 1) || ' s'
                          FROM journaling.refresh_search_index()")
# Then vacuumed, as autovacuum would do soon: the refresh leaves the consumed
# rows of the change logs dead, and a search reads both logs whole (with
# 3 664 empty pages left in stats_changes, search() took 2.8 ms at p50).
q -c "VACUUM ANALYZE journaling.search_index" -c "VACUUM ANALYZE journaling.search_postings" \
  -c "VACUUM ANALYZE journaling.stats_changes" -c "VACUUM ANALYZE journaling.search_changes"
index_txt="statistics refreshed in $stats_txt, search index (journaling.refresh_search_index()) built for $index_txt"

rum_txt="no RUM index (global part not run)"
if part global; then
  log "loaded in ${load_s}s; building the RUM index"
  t0=$(date +%s)
  q -c "CREATE INDEX bench_rum ON journaling.journal_entries USING rum (search_vector rum_tsvector_ops)"
  rum_txt="RUM index built in $(( $(date +%s) - t0 )) s"
fi
datasource="$datasource;
  loaded (with the C search_vector trigger and the GIN index) in ${load_s} s, $index_txt, $rum_txt"
fi
log "prewarming the tables, their TOAST tables and their indexes"
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" -c "
WITH t AS (SELECT unnest(ARRAY['journaling.journal_entries', 'journaling.search_index',
                               'journaling.search_postings']::regclass[]) AS rel),
     r AS (SELECT rel FROM t UNION ALL
           SELECT c.reltoastrelid FROM pg_class c JOIN t ON c.oid = t.rel WHERE c.reltoastrelid <> 0)
SELECT sum(pg_prewarm(c.oid)) FROM pg_class c
 WHERE c.oid IN (SELECT rel FROM r UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT rel FROM r))" >/dev/null

mb=$(q -c "SELECT round(sum(octet_length(content)) / 1048576.0, 1) FROM journaling.journal_entries")
n_entries=$(q -c "SELECT count(*) FROM journaling.journal_entries")
n_users=$(q -c "SELECT count(DISTINCT user_id) FROM journaling.journal_entries")
per_user=$(q -c "SELECT round(avg(c)) || ' (max ' || max(c) || ')' FROM (SELECT count(*) c FROM journaling.journal_entries GROUP BY user_id) s")

cat <<MD
## search benchmark

- machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1) (1-minute load average $(cut -d' ' -f1 /proc/loadavg) when the report is written)
- server: $(q -c "SELECT version()" | cut -d, -f1), throwaway cluster, fsync and synchronous_commit off,
  shared_buffers $(q -c "SHOW shared_buffers"); table, TOAST table and indexes read into shared buffers
  with pg_prewarm ($(q -c "SELECT pg_size_pretty(pg_total_relation_size('journaling.journal_entries'))") in all, and the search index: $(q -c "SELECT pg_size_pretty(pg_total_relation_size('journaling.search_index') + pg_total_relation_size('journaling.search_postings'))")) before the runs, the same for every method
- data: $n_entries entries ($mb MB of content) of $n_users users, $per_user entries per user; $datasource
- queries run as superuser (no row-level security) so all methods see the same rows; times are
  measured inside the server with clock_timestamp() around each statement, which reads every
  returned snippet (so no method can skip computing them)

MD

# 1. snippet() vs ts_headline()
if part snippet; then
log "snippet vs ts_headline"
q <<'SQL'
-- The documents are stored as journal_entries.content stores them (its
-- compression method: lz4 where the server has it).
CREATE TABLE bench_docs (size int, doc text);
DO $$ BEGIN
  EXECUTE format('ALTER TABLE bench_docs ALTER COLUMN doc SET COMPRESSION %s',
                 (SELECT CASE attcompression WHEN 'l' THEN 'lz4' WHEN 'p' THEN 'pglz' ELSE 'default' END
                    FROM pg_attribute
                   WHERE attrelid = 'journaling.journal_entries'::regclass AND attname = 'content'));
END $$;
INSERT INTO bench_docs
WITH c AS (SELECT string_agg(content, E'\n\n' ORDER BY id) AS t
             FROM (SELECT id, content FROM journaling.journal_entries ORDER BY id LIMIT 3000) s)
SELECT size, left(t, size) AS doc FROM c, unnest(ARRAY[1500, 25000, 200000]) size;

-- A frequent and a rare lexeme of the 200 kB document, and a phrase.
CREATE TABLE bench_q AS
WITH st AS (SELECT * FROM ts_stat($$SELECT to_tsvector('english', doc) FROM bench_docs WHERE size = 200000$$)
             WHERE length(word) > 3)
SELECT 'frequent: ' || w AS label, to_tsquery('english', w) AS q
  FROM (SELECT word AS w FROM st ORDER BY nentry DESC, word LIMIT 1) f
UNION ALL
SELECT 'rare: ' || w, to_tsquery('english', w)
  FROM (SELECT word AS w FROM st WHERE nentry = 3 ORDER BY word LIMIT 1) r
UNION ALL
SELECT 'phrase: ' || p, phraseto_tsquery('english', p)
  FROM (SELECT 'felt calm' AS p) x;

-- f: 'snippet', 'cold' (snippet() after emptying its dictionary cache) or
-- 'ts_headline'.  The document arrives as stored (compressed, out of line),
-- so every call decompresses it, as a call on a table's column does; with
-- mem, it is decompressed once before the timed calls instead.
CREATE FUNCTION bench_snippet(f text, d text, q tsquery, reps int,
                              opts text DEFAULT 'MaxWords=35, MinWords=15, MaxFragments=3',
                              mem bool DEFAULT false) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz; times float8[] := '{}'; x text;
BEGIN
  IF mem THEN
    d := d || '';
  END IF;
  FOR i IN 1..reps LOOP
    IF f = 'cold' THEN
      -- another configuration empties snippet()'s backend-wide dictionary cache
      x := journaling.snippet('simple', 'x', 'x'::tsquery, '');
    END IF;
    t := clock_timestamp();
    IF f IN ('snippet', 'cold') THEN
      x := journaling.snippet('english', d, q, opts);
    ELSIF f = 'detoast' THEN
      x := d || '';
    ELSE
      x := ts_headline('english', d, q, opts);
    END IF;
    times := times || extract(epoch FROM clock_timestamp() - t) * 1000;
  END LOOP;
  RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(times) v);
END $$;
SQL
echo "### snippet() vs ts_headline() (options '$OPTS'; median of $REPEAT calls)"
echo
echo "snippet() keeps the dictionaries' answers in a backend-wide cache: 'warm' is a call after the"
echo "same text was seen (every call but the first here), 'cold' a call right after the cache was emptied."
echo
echo "| document | query | snippet warm ms | snippet cold ms | ts_headline ms | speed-up warm | speed-up cold | identical |"
echo "|---|---|---:|---:|---:|---:|---:|---|"
q -F '|' -c "
SELECT '', pg_size_pretty(octet_length(d.doc)::bigint), label,
       round(s::numeric, 3), round(c::numeric, 3), round(h::numeric, 3),
       round((h / greatest(s, 0.001))::numeric, 1) || '×', round((h / greatest(c, 0.001))::numeric, 1) || '×',
       CASE WHEN journaling.snippet('english', d.doc, b.q, '$OPTS') = ts_headline('english', d.doc, b.q, '$OPTS')
            THEN 'yes' ELSE 'NO' END, ''
  FROM bench_docs d, bench_q b,
       LATERAL (SELECT bench_snippet('snippet', d.doc, b.q, $REPEAT) AS s,
                       bench_snippet('cold', d.doc, b.q, $REPEAT) AS c,
                       bench_snippet('ts_headline', d.doc, b.q, CASE WHEN d.size = 200000 THEN greatest($REPEAT / 3, 3) ELSE $REPEAT END) AS h) t
 ORDER BY d.size, label"
echo
echo "The same with the document decompressed once before the timed calls ('in memory': what the"
echo "functions themselves cost), and with options '' (ts_headline's defaults: one headline,"
echo "MaxFragments=0), both medians of $REPEAT calls; 'decompress' is the median cost of"
echo "decompressing the stored document, which every call in the first table pays."
echo
echo "| document | query | decompress ms | snippet in memory ms | ts_headline in memory ms | speed-up in memory | snippet opts '' ms | ts_headline opts '' ms | speed-up opts '' | identical opts '' |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
q -F '|' -c "
SELECT '', pg_size_pretty(octet_length(d.doc)::bigint), label, round(z::numeric, 3),
       round(m::numeric, 3), round(hm::numeric, 3), round((hm / greatest(m, 0.001))::numeric, 1) || '×',
       round(e::numeric, 3), round(he::numeric, 3), round((he / greatest(e, 0.001))::numeric, 1) || '×',
       CASE WHEN journaling.snippet('english', d.doc, b.q, '') = ts_headline('english', d.doc, b.q, '')
            THEN 'yes' ELSE 'NO' END, ''
  FROM bench_docs d, bench_q b,
       LATERAL (SELECT bench_snippet('detoast', d.doc, b.q, $REPEAT) AS z,
                       bench_snippet('snippet', d.doc, b.q, $REPEAT, mem => true) AS m,
                       bench_snippet('ts_headline', d.doc, b.q, CASE WHEN d.size = 200000 THEN greatest($REPEAT / 3, 3) ELSE $REPEAT END, mem => true) AS hm,
                       bench_snippet('snippet', d.doc, b.q, $REPEAT, '') AS e,
                       bench_snippet('ts_headline', d.doc, b.q, CASE WHEN d.size = 200000 THEN greatest($REPEAT / 3, 3) ELSE $REPEAT END, '') AS he) t
 ORDER BY d.size, label"
echo


fi

# 2. one user's top 20
if part user; then
log "per-user search"
q <<SQL
CREATE TABLE bench_words (w text);
INSERT INTO bench_words VALUES ('felt'), ('walk'), ('sleep'), ('anxious'), ('therapy'), ('grateful friends'),
  ('work meeting'), ('dinner'), ('weekend yoga'), ('coffee'), ('"quiet weekend"'), ('tired -work'), ('family OR friends');
SELECT setseed(0.5);
CREATE TABLE bench_pairs AS
SELECT i, (SELECT id FROM journaling.users ORDER BY random() + 0 * i LIMIT 1) AS uid,
       (SELECT w FROM bench_words ORDER BY random() + 0 * i LIMIT 1) AS query
  FROM generate_series(1, $SAMPLES) i;

-- The entries search() returns for each pair, for the snippets-only row.
ALTER TABLE bench_pairs ADD COLUMN ids uuid[];
UPDATE bench_pairs SET ids = (SELECT array_agg(s.entry_id) FROM journaling.search(query, uid, 20) s);

CREATE TABLE bench_times (method text, i int, ms float8, n bigint);
-- One search by one method; returns the rows counted (every snippet is read).
CREATE FUNCTION bench_one(method text, query text, uid uuid, ids uuid[]) RETURNS bigint LANGUAGE plpgsql AS \$\$
DECLARE n bigint;
BEGIN
  IF method = 'snippets' THEN
    -- Not a search: only the snippets of the rows search() returns (read by primary key).
    SELECT count(*) + sum(length(journaling.snippet('english', e.content, websearch_to_tsquery('english', query),
                                                    '$OPTS'))) * 0 INTO n
      FROM journaling.journal_entries e WHERE e.user_id = uid AND e.id = ANY (ids);
  ELSIF method = 'search' THEN
    SELECT count(*) + sum(length(s.snippet)) * 0 INTO n FROM journaling.search(query, uid, 20) s;
  ELSIF method = 'floor' THEN
    -- Not a search: the user's rows read through the same index with every
    -- stored vector detoasted once (length() reads it), no ranking, no snippet.
    SELECT count(*) INTO n FROM journaling.journal_entries e WHERE e.user_id = uid AND length(e.search_vector) >= 0;
  ELSIF method = 'seed' THEN
    SELECT count(*) + sum(length(s.snippet)) * 0 INTO n FROM (
      SELECT e.id, e.entry_date, e.title, ts_rank_cd(to_tsvector('english', e.content), q) AS rank,
             ts_headline('english', e.content, q, '$OPTS') AS snippet
        FROM journaling.journal_entries e, websearch_to_tsquery('english', query) q
       WHERE e.user_id = uid AND to_tsvector('english', e.content) @@ q
       ORDER BY rank DESC, e.entry_date DESC, e.id LIMIT 20) s;
  ELSE
    SELECT count(*) + sum(length(s.snippet)) * 0 INTO n FROM (
      SELECT x.*, ts_headline('english', x.content, x.q, '$OPTS') AS snippet
        FROM (SELECT e.id, e.entry_date, e.title, e.content, q, ts_rank_cd(e.search_vector, q) AS rank
                FROM journaling.journal_entries e, websearch_to_tsquery('english', query) q
               WHERE e.user_id = uid AND e.search_vector @@ q
               ORDER BY rank DESC, e.entry_date DESC, e.id LIMIT 20) x) s;
  END IF;
  RETURN n;
END \$\$;
-- Every pair by every method in turn (the order rotating from pair to pair),
-- so that load from other jobs hits the methods alike.
CREATE FUNCTION bench_run(methods text[], record bool) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE r record; t timestamptz; n bigint; m text; k int; nm int := cardinality(methods);
BEGIN
  FOR r IN SELECT * FROM bench_pairs ORDER BY i LOOP
    FOR k IN 0 .. nm - 1 LOOP
      m := methods[1 + (r.i + k) % nm];
      t := clock_timestamp();
      n := bench_one(m, r.query, r.uid, r.ids);
      IF record THEN
        INSERT INTO bench_times VALUES (m, r.i, extract(epoch FROM clock_timestamp() - t) * 1000, n);
      END IF;
    END LOOP;
  END LOOP;
END \$\$;
SQL
# warm the caches once, then measure
q -c "SELECT bench_run('{search,tuned}', false)" >/dev/null
q -c "SELECT bench_run('{search,tuned,seed,floor,snippets}', true)" >/dev/null
declare -A P50 P95 ROWS
while IFS='|' read -r m a b c; do P50[$m]=$a P95[$m]=$b ROWS[$m]=$c; done < <(q -F '|' -c "
  SELECT method, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3),
         round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 3), sum(n)
    FROM bench_times GROUP BY method")
same=$(q -c "SELECT count(*) FILTER (WHERE a IS DISTINCT FROM b) FROM (
  SELECT (SELECT array_agg(s.entry_id ORDER BY o) FROM journaling.search(query, uid, 20, '{\"fuzzy\": false}') WITH ORDINALITY s(entry_id, u, d, t, r, sn, m, o)) a,
         (SELECT array_agg(x.id ORDER BY x.rank DESC, x.entry_date DESC, x.id)
            FROM (SELECT e.id, e.entry_date, ts_rank_cd(e.search_vector, q) AS rank
                    FROM journaling.journal_entries e, websearch_to_tsquery('english', query) q
                   WHERE e.user_id = uid AND e.search_vector @@ q ORDER BY rank DESC, e.entry_date DESC, e.id LIMIT 20) x) b
    FROM bench_pairs) s")
echo "### one user's top 20 with snippets ($SAMPLES (user, query) pairs, queries like 'felt', 'grateful friends', '\"quiet weekend\"', 'tired -work')"
echo
echo "| method | p50 ms | p95 ms | rows returned | p95 vs search() |"
echo "|---|---:|---:|---:|---:|"
for m in search tuned seed floor snippets; do
  case $m in
    search) label="journaling.search(query, user_id, 20)" ;;
    tuned) label="tuned SQL: stored vector + ts_rank_cd + ts_headline after LIMIT" ;;
    seed) label="seed SQL: to_tsvector(content) per row + ts_headline" ;;
    floor) label="floor (not a search): read each of the user's stored vectors once, nothing else" ;;
    snippets) label="snippets only (not a search): snippet() of the 20 rows search() returns, read by key" ;;
  esac
  ratio=$(awk -v a="${P95[$m]}" -v b="${P95[search]}" 'BEGIN { printf "%.1f×", a / b }')
  echo "| $label | ${P50[$m]} | ${P95[$m]} | ${ROWS[$m]} | $ratio |"
done
echo
echo "search() row lists that differ from the stored-vector SQL reference: $same of $SAMPLES"
echo
echo "Entries per user of the sampled pairs: $(q -c "SELECT 'p50 ' || percentile_cont(0.5) WITHIN GROUP (ORDER BY c) || ', p95 ' || round(percentile_cont(0.95) WITHIN GROUP (ORDER BY c)) || ', max ' || max(c) FROM (SELECT (SELECT count(*) FROM journaling.journal_entries e WHERE e.user_id = p.uid) c FROM bench_pairs p) s")."
echo

fi

# 3. global top 20
if part global; then
log "global top 20"
q <<'SQL'
CREATE FUNCTION bench_global(method text, query text, reps int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t timestamptz; times float8[] := '{}'; n bigint;
BEGIN
  FOR i IN 1..reps LOOP
    t := clock_timestamp();
    IF method = 'search' THEN
      SELECT count(*) INTO n FROM journaling.search(query, NULL, 20);
    ELSIF method = 'gin' THEN
      SELECT count(*) INTO n FROM (
        SELECT e.id FROM journaling.journal_entries e, websearch_to_tsquery('english', query) q
         WHERE e.search_vector @@ q ORDER BY ts_rank_cd(e.search_vector, q) DESC, e.entry_date DESC, e.id LIMIT 20) s;
    ELSE
      SELECT count(*) INTO n FROM (
        SELECT e.id FROM journaling.journal_entries e
         WHERE e.search_vector @@ websearch_to_tsquery('english', query)
         ORDER BY e.search_vector <=> websearch_to_tsquery('english', query) LIMIT 20) s;
    END IF;
    times := times || extract(epoch FROM clock_timestamp() - t) * 1000;
  END LOOP;
  RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(times) v);
END $$;
SQL
common=$(q -c "SELECT word FROM ts_stat('SELECT search_vector FROM journaling.journal_entries TABLESAMPLE SYSTEM (2)') WHERE length(word) > 3 ORDER BY ndoc DESC, word LIMIT 1")
rare=$(q -c "SELECT word FROM ts_stat('SELECT search_vector FROM journaling.journal_entries TABLESAMPLE SYSTEM (2)') WHERE length(word) > 3 AND word ~ '^[a-z]+\$' ORDER BY ndoc, word LIMIT 1")
echo "### global top 20 over all users (median of 5 runs; figures only — RUM's <=> ranks by its own measure, not ts_rank_cd)"
echo
echo "| term | matching rows | search() ms | GIN + ts_rank_cd ms | RUM <=> ms |"
echo "|---|---:|---:|---:|---:|"
for t in "$common" "$rare"; do
  q -F '|' -c "
SELECT '', '$t', (SELECT count(*) FROM journaling.journal_entries WHERE search_vector @@ websearch_to_tsquery('english', '$t')),
       round(bench_global('search', '$t', 5)::numeric, 2), round(bench_global('gin', '$t', 5)::numeric, 2),
       round(bench_global('rum', '$t', 5)::numeric, 2), ''"
done
echo
fi
log "done"
