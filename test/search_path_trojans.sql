-- search_path trojans: an ordinary role fills public with look-alikes of the
-- built-ins the extension uses (functions such as lower, to_tsvector, now,
-- format, jsonb_build_object, unnest; aggregates such as count, array_agg;
-- operators such as =, <>, <=, ||, +, @@, ->>; domains named like the base
-- types, whose CHECK runs code; a text search configuration named english).
-- A superuser with public first on search_path then installs the extension
-- and calls every function of it, found from the catalog, with valid
-- arguments.  No trojan may ever run: each one bumps a sequence (which a
-- rolled-back subtransaction cannot undo) and logs its name.
--
-- Controls prove every trojan would be reached by an unqualified use on that
-- path.  Trojans more specific than a polymorphic built-in (format(text,
-- text), unnest(text[]), count(uuid), ...) win even with pg_catalog first, so
-- they are planted only while the probes and the extension calls run, and
-- the code running meanwhile names everything by schema.
\set fixtures `pwd`/test/fixtures/legacy-samples
BEGIN;
SELECT * FROM no_plan();

DROP EXTENSION journaling;
CREATE ROLE regress_tap_trojan_maker;
CREATE ROLE regress_tap_trojan_app;

-- The trojans' alarm: a sequence (not transactional) and a log.
CREATE SEQUENCE public.trojan_hits;
SELECT nextval('public.trojan_hits') = 1 AS armed \gset
CREATE TABLE public.trojan_log (name text);
GRANT INSERT ON public.trojan_log TO PUBLIC;
CREATE FUNCTION public.trojan_hit(name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    PERFORM pg_catalog.nextval('public.trojan_hits');
    BEGIN
        INSERT INTO public.trojan_log VALUES (name);
    EXCEPTION WHEN OTHERS THEN
        NULL;   -- e.g. in a read-only context: the sequence still counts
    END;
END
$$;
CREATE FUNCTION pg_temp.hits() RETURNS bigint LANGUAGE sql AS 'SELECT last_value FROM public.trojan_hits';

-- The trojans: kind f (function), s (set-returning), a (aggregate),
-- o (operator), d (domain); args and result as pg_catalog type names.
CREATE TEMP TABLE trojans (kind "char", name text, args text[], result text);
INSERT INTO trojans SELECT 'f', t.name, t.args::text[], t.result FROM (VALUES
  ('lower', '{text}', 'text'), ('upper', '{text}', 'text'), ('length', '{text}', 'int4'),
  ('left', '{text,int4}', 'text'), ('substr', '{text,int4,int4}', 'text'), ('replace', '{text,text,text}', 'text'),
  ('btrim', '{text}', 'text'), ('md5', '{text}', 'text'), ('format', '{text,text}', 'text'),
  ('format', '{text,text,text}', 'text'), ('concat', '{text,text}', 'text'),
  ('regexp_replace', '{text,text,text}', 'text'), ('regexp_replace', '{text,text,text,text}', 'text'),
  ('split_part', '{text,text,int4}', 'text'), ('array_to_string', '{_text,text}', 'text'),
  ('string_to_array', '{text,text}', '_text'), ('array_length', '{_text,int4}', 'int4'),
  ('now', '{}', 'timestamptz'), ('clock_timestamp', '{}', 'timestamptz'), ('statement_timestamp', '{}', 'timestamptz'),
  ('transaction_timestamp', '{}', 'timestamptz'), ('gen_random_uuid', '{}', 'uuid'), ('random', '{}', 'float8'),
  ('to_tsvector', '{regconfig,text}', 'tsvector'), ('to_tsvector', '{text}', 'tsvector'),
  ('setweight', '{tsvector,char}', 'tsvector'), ('websearch_to_tsquery', '{regconfig,text}', 'tsquery'),
  ('websearch_to_tsquery', '{text}', 'tsquery'), ('plainto_tsquery', '{regconfig,text}', 'tsquery'),
  ('to_tsquery', '{regconfig,text}', 'tsquery'), ('ts_rank_cd', '{tsvector,tsquery}', 'float4'),
  ('ts_rank', '{tsvector,tsquery}', 'float4'), ('ts_headline', '{regconfig,text,tsquery,text}', 'text'),
  ('ts_rewrite', '{tsquery,tsquery,tsquery}', 'tsquery'), ('numnode', '{tsquery}', 'int4'),
  ('jsonb_build_object', '{text,text}', 'jsonb'), ('jsonb_build_object', '{text,jsonb}', 'jsonb'),
  ('jsonb_build_object', '{text,int8}', 'jsonb'), ('jsonb_typeof', '{jsonb}', 'text'), ('to_jsonb', '{text}', 'jsonb'),
  ('to_jsonb', '{uuid}', 'jsonb'), ('jsonb_strip_nulls', '{jsonb}', 'jsonb'), ('jsonb_array_length', '{jsonb}', 'int4'),
  ('date_trunc', '{text,timestamp}', 'timestamp'), ('date_trunc', '{text,timestamptz}', 'timestamptz'),
  ('current_setting', '{text}', 'text'), ('current_setting', '{text,bool}', 'text'),
  ('set_config', '{text,text,bool}', 'text'), ('current_database', '{}', 'name'), ('pg_get_userbyid', '{oid}', 'name'),
  ('to_regclass', '{text}', 'regclass'), ('to_regprocedure', '{text}', 'regprocedure'), ('nextval', '{regclass}', 'int8'),
  ('pg_extension_config_dump', '{regclass,text}', 'void'), ('pg_advisory_xact_lock', '{int8}', 'void'),
  ('pg_try_advisory_xact_lock', '{int8}', 'bool'), ('abs', '{float8}', 'float8'), ('sqrt', '{float8}', 'float8'),
  ('round', '{numeric,int4}', 'numeric')
) AS t(name, args, result);
INSERT INTO trojans SELECT 's', t.name, t.args::text[], t.result FROM (VALUES
  ('unnest', '{_text}', 'text'), ('unnest', '{_uuid}', 'uuid'), ('generate_series', '{int4,int4}', 'int4'),
  ('jsonb_object_keys', '{jsonb}', 'text'), ('jsonb_array_elements', '{jsonb}', 'jsonb'),
  ('regexp_matches', '{text,text,text}', '_text'), ('jsonb_each', '{jsonb}', 'record:key text, value jsonb'),
  ('ts_stat', '{text}', 'record:word text, ndoc int4, nentry int4')
) AS t(name, args, result);
INSERT INTO trojans SELECT 'a', t.name, t.args::text[], t.result FROM (VALUES
  ('count', '{}', 'int8'), ('count', '{uuid}', 'int8'), ('count', '{text}', 'int8'), ('sum', '{int4}', 'int8'),
  ('sum', '{int8}', 'numeric'), ('max', '{date}', 'date'), ('min', '{date}', 'date'), ('max', '{int4}', 'int4'),
  ('max', '{timestamptz}', 'timestamptz'), ('min', '{timestamptz}', 'timestamptz'), ('avg', '{float8}', 'float8'),
  ('array_agg', '{text}', '_text'), ('array_agg', '{uuid}', '_uuid'), ('string_agg', '{text,text}', 'text'),
  ('bool_and', '{bool}', 'bool'), ('jsonb_agg', '{jsonb}', 'jsonb'), ('jsonb_object_agg', '{text,jsonb}', 'jsonb'),
  ('regr_slope', '{float8,float8}', 'float8'), ('stddev_samp', '{float8}', 'float8')
) AS t(name, args, result);
INSERT INTO trojans SELECT 'o', o.name, ARRAY[t, t], 'bool'
  FROM unnest('{=,<>}'::text[]) o(name),
       unnest('{uuid,text,date,int4,int8,name,oid,bool,timestamptz,jsonb,numeric,float8,char}'::text[]) t;
INSERT INTO trojans SELECT 'o', o.name, ARRAY[t, t], 'bool'
  FROM unnest('{<,<=,>,>=}'::text[]) o(name), unnest('{date,int4,int8,timestamptz,numeric,float8,text}'::text[]) t;
INSERT INTO trojans SELECT 'o', t.name, t.args::text[], t.result FROM (VALUES
  ('||', '{text,text}', 'text'), ('||', '{_text,_text}', '_text'), ('||', '{tsvector,tsvector}', 'tsvector'),
  ('+', '{int8,int8}', 'int8'), ('+', '{int4,int4}', 'int4'), ('-', '{int4,int4}', 'int4'), ('-', '{int8,int8}', 'int8'),
  ('-', '{date,int4}', 'date'), ('-', '{date,date}', 'int4'), ('+', '{date,int4}', 'date'),
  ('*', '{float8,float8}', 'float8'), ('/', '{float8,float8}', 'float8'), ('@@', '{tsvector,tsquery}', 'bool'),
  ('->>', '{jsonb,text}', 'text'), ('->', '{jsonb,text}', 'jsonb'), ('~', '{text,text}', 'bool'),
  ('!~', '{text,text}', 'bool'), ('~~', '{text,text}', 'bool'), ('@>', '{_text,_text}', 'bool'),
  ('&&', '{_text,_text}', 'bool'), ('?', '{jsonb,text}', 'bool')
) AS t(name, args, result);
INSERT INTO trojans SELECT 'd', t, '{}', t
  FROM unnest('{text,uuid,int4,int8,float4,float8,numeric,bool,date,timestamptz,interval,jsonb,tsvector,tsquery,regconfig,regclass,name}'::text[]) t;
-- A valid literal of each type, for the probes.
CREATE TEMP TABLE literal (typ text, lit text);
INSERT INTO literal VALUES ('text', 'x'), ('uuid', '00000000-0000-0000-0000-000000000000'), ('int4', '1'), ('int8', '1'),
  ('float4', '1'), ('float8', '1'), ('numeric', '1'), ('bool', 't'), ('date', '2025-01-01'),
  ('timestamptz', '2025-01-01'), ('timestamp', '2025-01-01'), ('interval', '1 day'), ('jsonb', '{}'),
  ('tsvector', 'x'), ('tsquery', 'x'), ('regconfig', 'pg_catalog.simple'), ('regclass', 'pg_catalog.pg_class'),
  ('name', 'x'), ('oid', '1'), ('char', 'A'), ('_text', '{x}'), ('_uuid', '{00000000-0000-0000-0000-000000000000}');

-- Plant every trojan as the ordinary role (public is writable for it, as in
-- databases created before PostgreSQL 15).  Runs on the normal path.
CREATE FUNCTION pg_temp.plant() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t record;
    i pg_catalog.int4 := 0;
    sig pg_catalog.text;
    ret pg_catalog.text;
BEGIN
    GRANT CREATE ON SCHEMA public TO regress_tap_trojan_maker;   -- DROP OWNED revokes them
    GRANT SELECT ON trojans TO regress_tap_trojan_maker;
    SET LOCAL ROLE regress_tap_trojan_maker;
    CREATE FUNCTION public.trojan_check(what pg_catalog.text) RETURNS pg_catalog.bool
    LANGUAGE plpgsql SET search_path = pg_catalog AS 'BEGIN PERFORM public.trojan_hit(what); RETURN true; END';
    FOR t IN SELECT * FROM trojans ORDER BY kind, name, args LOOP
        i := i OPERATOR(pg_catalog.+) 1;
        sig := (SELECT pg_catalog.string_agg('pg_catalog.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(a), ', ' ORDER BY n)
                  FROM pg_catalog.unnest(t.args) WITH ORDINALITY AS x(a, n));
        ret := CASE WHEN t.result OPERATOR(pg_catalog.~) '^record:' THEN 'record'
                    ELSE 'pg_catalog.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.result) END;
        IF t.kind OPERATOR(pg_catalog.=) 'f' THEN
            EXECUTE pg_catalog.format('CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql SET search_path = pg_catalog '
                                      'AS %L', t.name, COALESCE(sig, ''), ret,
                                      pg_catalog.format('BEGIN PERFORM public.trojan_hit(%L); RETURN %s; END',
                                                        t.name OPERATOR(pg_catalog.||) '(' OPERATOR(pg_catalog.||) COALESCE(sig, '') OPERATOR(pg_catalog.||) ')',
                                                        CASE WHEN t.result OPERATOR(pg_catalog.=) 'void' THEN '' ELSE 'NULL' END));
        ELSIF t.kind OPERATOR(pg_catalog.=) 's' THEN
            EXECUTE pg_catalog.format('CREATE FUNCTION public.%I(%s%s) RETURNS SETOF %s LANGUAGE plpgsql SET search_path = pg_catalog '
                                      'AS %L', t.name, sig,
                                      CASE WHEN ret OPERATOR(pg_catalog.=) 'record'
                                           THEN ', OUT ' OPERATOR(pg_catalog.||)
                                                pg_catalog.replace(pg_catalog.substr(t.result, 8), ', ', ', OUT ') ELSE '' END,
                                      ret,
                                      pg_catalog.format('BEGIN PERFORM public.trojan_hit(%L); RETURN; END',
                                                        t.name OPERATOR(pg_catalog.||) '(' OPERATOR(pg_catalog.||) sig OPERATOR(pg_catalog.||) ')'));
        ELSIF t.kind OPERATOR(pg_catalog.=) 'a' THEN
            EXECUTE pg_catalog.format('CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql SET search_path = pg_catalog '
                                      'AS %L', 'trojan_sfunc_' OPERATOR(pg_catalog.||) i,
                                      ret OPERATOR(pg_catalog.||) COALESCE(', ' OPERATOR(pg_catalog.||) sig, ''), ret,
                                      pg_catalog.format('BEGIN PERFORM public.trojan_hit(%L); RETURN $1; END',
                                                        t.name OPERATOR(pg_catalog.||) '(' OPERATOR(pg_catalog.||) COALESCE(sig, '*') OPERATOR(pg_catalog.||) ')'));
            EXECUTE pg_catalog.format('CREATE AGGREGATE public.%I(%s) (SFUNC = public.%I, STYPE = %s)',
                                      t.name, COALESCE(sig, '*'), 'trojan_sfunc_' OPERATOR(pg_catalog.||) i, ret);
        ELSIF t.kind OPERATOR(pg_catalog.=) 'o' THEN
            EXECUTE pg_catalog.format('CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql SET search_path = pg_catalog '
                                      'AS %L', 'trojan_op_' OPERATOR(pg_catalog.||) i, sig, ret,
                                      pg_catalog.format('BEGIN PERFORM public.trojan_hit(%L); RETURN NULL; END',
                                                        'operator ' OPERATOR(pg_catalog.||) t.name OPERATOR(pg_catalog.||) '(' OPERATOR(pg_catalog.||) sig OPERATOR(pg_catalog.||) ')'));
            EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (LEFTARG = pg_catalog.%I, RIGHTARG = pg_catalog.%I, FUNCTION = public.%I)',
                                      t.name, t.args[1], t.args[2], 'trojan_op_' OPERATOR(pg_catalog.||) i);
        ELSE
            EXECUTE pg_catalog.format('CREATE DOMAIN public.%I AS pg_catalog.%I CHECK (public.trojan_check(%L))',
                                      t.name, t.name, 'domain ' OPERATOR(pg_catalog.||) t.name);
        END IF;
    END LOOP;
    CREATE TEXT SEARCH CONFIGURATION public.english (COPY = pg_catalog.simple);
    RESET ROLE;
END
$$;
CREATE FUNCTION pg_temp.uproot() RETURNS void LANGUAGE sql AS 'DROP OWNED BY regress_tap_trojan_maker';

-- Run one statement with public first on search_path; this function's own
-- body is only EXECUTE, so nothing of it is looked up there.
CREATE FUNCTION pg_temp.on_hostile_path(sql text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_catalog AS 'BEGIN EXECUTE sql; END';

-- Controls: an unqualified use of each trojan on that path reaches it.
CREATE TEMP TABLE probes AS
SELECT t.kind, t.name, t.args,
       CASE t.kind
         WHEN 'f' THEN format('SELECT %s(%s)', quote_ident(t.name),
                              (SELECT string_agg(format('CAST(%L AS pg_catalog.%I)', l.lit, a), ', ' ORDER BY n)
                                 FROM unnest(t.args) WITH ORDINALITY x(a, n) JOIN literal l ON l.typ = x.a))
         WHEN 's' THEN format('SELECT * FROM %s(%s)', quote_ident(t.name),
                              (SELECT string_agg(format('CAST(%L AS pg_catalog.%I)', l.lit, a), ', ' ORDER BY n)
                                 FROM unnest(t.args) WITH ORDINALITY x(a, n) JOIN literal l ON l.typ = x.a))
         WHEN 'a' THEN format('SELECT %s(%s) FROM (VALUES (1)) v', quote_ident(t.name),
                              coalesce((SELECT string_agg(format('CAST(%L AS pg_catalog.%I)', l.lit, a), ', ' ORDER BY n)
                                          FROM unnest(t.args) WITH ORDINALITY x(a, n) JOIN literal l ON l.typ = x.a), '*'))
         WHEN 'o' THEN (SELECT format('SELECT CAST(%L AS pg_catalog.%I) %s CAST(%L AS pg_catalog.%I)',
                                      l1.lit, t.args[1], t.name, l2.lit, t.args[2])
                          FROM literal l1, literal l2 WHERE l1.typ = t.args[1] AND l2.typ = t.args[2])
         ELSE (SELECT format('SELECT CAST(%L AS %I)', l.lit, t.name) FROM literal l WHERE l.typ = t.name)
       END AS probe,
       NULL::text AS outcome
  FROM trojans t;
CREATE FUNCTION pg_temp.run_probes() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    p record;
    before pg_catalog.int8;
BEGIN
    FOR p IN SELECT * FROM probes LOOP
        before := pg_temp.hits();
        BEGIN
            PERFORM pg_temp.on_hostile_path(p.probe);
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
        UPDATE probes SET outcome = CASE WHEN pg_temp.hits() OPERATOR(pg_catalog.>) before THEN 'reached' ELSE 'missed' END
         WHERE probes.probe OPERATOR(pg_catalog.=) p.probe;
    END LOOP;
END
$$;
SELECT pg_temp.plant() AS planted, pg_temp.run_probes() AS probed \gset
-- The look-alike english configuration (no code: it would only change
-- search vectors) is found first on the hostile path too.
INSERT INTO probes VALUES ('x', 'english', '{}', 'english', NULL);
CREATE FUNCTION pg_temp.english_on_hostile_path() RETURNS text
LANGUAGE sql SET search_path = public, pg_catalog AS $$SELECT pg_catalog.to_tsvector('english', 'walking')::pg_catalog.text$$;
UPDATE probes SET outcome = pg_temp.english_on_hostile_path() WHERE kind = 'x';
SELECT pg_temp.uproot() AS uprooted \gset

SELECT cmp_ok((SELECT count(*) FROM probes), '>', 150::bigint, 'trojans planted: functions, set-returning functions, aggregates, operators, domains');
SELECT is_empty($$SELECT kind, probe, outcome FROM probes WHERE outcome IS DISTINCT FROM 'reached' AND kind <> 'x'$$,
                'control: every trojan is reached by an unqualified use with public first on search_path');
SELECT is((SELECT outcome FROM probes WHERE kind = 'x'), $$'walking':1$$,
          'control: ''english'' names the look-alike configuration there');
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname ~ '^trojan_(op|sfunc)_'),
          0::bigint, 'the trojans are gone between the phases');

-- The extension's turn: installed and then every function called, as a
-- superuser with public first on search_path.  Samples name everything by
-- schema (casts to pg_catalog types, OPERATOR(pg_catalog.=)); ids are
-- literals.  An expected error is given where a call can only fail here.
CREATE TEMP TABLE samples (ord serial, sql text, expected_error text, outcome text);
INSERT INTO samples (sql) VALUES
  ('CREATE EXTENSION journaling'),
  ($$SELECT journaling.grant_app_role('regress_tap_trojan_app')$$),
  ($$SELECT journaling.set_user('00000000-0000-4000-8000-0000000000a1', true)$$),
  ($$SELECT journaling.current_user_id()$$),
  ($$INSERT INTO journaling.users (id, username) VALUES ('00000000-0000-4000-8000-0000000000a1', 'ana')$$),
  ($$INSERT INTO journaling.topics (user_id, name) VALUES ('00000000-0000-4000-8000-0000000000a1', 'rain walks')$$),
  ($$INSERT INTO journaling.journal_entries (user_id, title, content, entry_date, mood_score, tags) VALUES
      ('00000000-0000-4000-8000-0000000000a1', 'Rain', 'A long walk in the rain.', '2025-03-01', 0.5, '{walk}'),
      ('00000000-0000-4000-8000-0000000000a1', 'Tea', 'Tea at home, then a walk.', '2025-03-02', -0.5, '{tea,walk}'),
      ('00000000-0000-4000-8000-0000000000a1', 'Gone', 'To be deleted.', '2025-03-03', 0, '{}')$$),
  ($$UPDATE journaling.journal_entries SET mood_score = 0.25 WHERE title OPERATOR(pg_catalog.=) 'Rain'$$),
  ($$DELETE FROM journaling.journal_entries WHERE title OPERATOR(pg_catalog.=) 'Gone'$$),
  ($$INSERT INTO journaling.chat_sessions (user_id, id) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-00000000c001')$$),
  ($$INSERT INTO journaling.messages (user_id, session_id, seq, role, content) VALUES
      ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-00000000c001', 1, 'user', 'I walked in the rain')$$),
  ($$SELECT * FROM journaling.search('rain')$$),
  ($$SELECT * FROM journaling.search('rian walk', '00000000-0000-4000-8000-0000000000a1', 5, '{"fuzzy": true, "similarity": 0.2}')$$),
  ($$SELECT * FROM journaling.search_prepare('rian', '00000000-0000-4000-8000-0000000000a1', '{}')$$),
  ($$SELECT journaling.search_correct_query(CAST('rian' AS pg_catalog.tsquery), '00000000-0000-4000-8000-0000000000a1')$$),
  ($$SELECT * FROM journaling.search_messages('rain')$$),
  ($$SELECT * FROM journaling.search_messages('rain', '00000000-0000-4000-8000-0000000000a1', 5)$$),
  ($$SELECT * FROM journaling.similar_topics('rain')$$),
  ($$SELECT * FROM journaling.similar_topics('rain walk', '00000000-0000-4000-8000-0000000000a1', 5)$$),
  ($$SELECT journaling.snippet('pg_catalog.english', 'A long walk in the rain, then tea.', 'rain', 'MaxWords=5, MinWords=2')$$),
  ($$SELECT * FROM journaling.read_records('[{"id": "00000000-0000-4000-8000-00000000e001", "content": "walk"}]', 'entries')$$),
  ($$SELECT * FROM journaling.import_json('[{"id": "00000000-0000-4000-8000-00000000e001", "content": "walk", "mood_label": "positive"}, {"id": "bad", "content": 5}]', 'entries')$$),
  ($$SELECT * FROM journaling.import_report()$$),
  ($$SELECT * FROM journaling.refresh_statistics()$$),
  ($$SELECT * FROM journaling.refresh_statistics(true)$$),
  ($$SELECT * FROM journaling.refresh_search_index()$$),
  ($$SELECT * FROM journaling.search('rain', '00000000-0000-4000-8000-0000000000a1', 5)$$),
  ($$SELECT * FROM journaling.search_top(CAST('rain' AS pg_catalog.tsquery), '00000000-0000-4000-8000-0000000000a1', 5)$$),
  ($$SELECT * FROM journaling.refresh_search_index(true)$$),
  ($$SELECT * FROM journaling.statistics_lag()$$),
  ($$SELECT * FROM journaling.streaks('00000000-0000-4000-8000-0000000000a1')$$),
  ($$SELECT * FROM journaling.mood_trend('00000000-0000-4000-8000-0000000000a1')$$),
  ($$SELECT * FROM journaling.mood_trend('00000000-0000-4000-8000-0000000000a1', 'month', '2025-01-01', '2025-12-31')$$),
  ($$SELECT journaling.n(s), journaling.mean(s), journaling.stddev(s), journaling.variance(s), journaling.min_mood(s),
            journaling.max_mood(s), journaling.first_day(s), journaling.last_day(s), journaling.slope(s),
            journaling.moodstats_out(s), journaling.moodstats_send(s),
            journaling.n(journaling.moodstats_in(journaling.moodstats_out(s)))
       FROM (SELECT journaling.mood_agg(v.m, v.d) AS s
               FROM (VALUES (CAST('0.5' AS pg_catalog.float8), CAST('2025-01-01' AS pg_catalog.date)),
                            (CAST('-0.25' AS pg_catalog.float8), CAST('2025-01-03' AS pg_catalog.date))) v(m, d)) x$$),
  ($$SELECT journaling.n(journaling.rollup(x.s))
       FROM (SELECT journaling.mood_agg(v.m, v.d) AS s
               FROM (VALUES (CAST('0.5' AS pg_catalog.float8), CAST('2025-01-01' AS pg_catalog.date))) v(m, d)) x$$),
  ($$SELECT journaling.n(journaling.mood_agg(v.m, v.d) OVER (ORDER BY v.d ROWS 1 PRECEDING)),
            journaling.mood_ewma(v.m, CAST('0.3' AS pg_catalog.float8)) OVER (ORDER BY v.d)
       FROM (VALUES (CAST('0.5' AS pg_catalog.float8), CAST('2025-01-01' AS pg_catalog.date)),
                    (CAST('0.1' AS pg_catalog.float8), CAST('2025-01-02' AS pg_catalog.date)),
                    (CAST('-0.5' AS pg_catalog.float8), CAST('2025-01-03' AS pg_catalog.date))) v(m, d)$$),
  ($$SELECT journaling.mood_ewma(v.m, CAST('0.3' AS pg_catalog.float8) ORDER BY v.d)
       FROM (VALUES (CAST('0.5' AS pg_catalog.float8), CAST('2025-01-01' AS pg_catalog.date))) v(m, d)$$),
  ($$SELECT journaling.schedule_refresh()$$),
  ($$SELECT journaling.unschedule_refresh()$$),
  ($$TRUNCATE journaling.journal_entries CASCADE$$);
UPDATE samples SET expected_error = '0A000' WHERE sql ~ 'schedule_refresh';
-- Server files: every legacy format, broken files included (best effort).
INSERT INTO samples (sql)
SELECT format('SELECT * FROM journaling.import_directory(%L)', :'fixtures' || '/' || d)
  FROM unnest('{journaling_ai/data,llm_council/data,donna/data,exports,canonical,broken}'::text[]) d;
INSERT INTO samples (sql) VALUES
  (format('SELECT * FROM journaling.import_file(%L, %L, %L)', :'fixtures' || '/canonical/sessions.json', 'sessions', '{"on_conflict": "update"}')),
  -- moodstats binary input, through COPY (FORMAT binary) in the data directory of this throwaway cluster
  (format($$COPY (SELECT journaling.mood_agg(v.m, v.d) FROM (VALUES (CAST('0.5' AS pg_catalog.float8), CAST('2025-01-01' AS pg_catalog.date))) v(m, d))
            TO %L (FORMAT binary)$$, current_setting('data_directory') || '/journaling_tap_moodstats.bin')),
  ('CREATE TEMP TABLE moodstats_copy (s journaling.moodstats)'),
  (format('COPY moodstats_copy FROM %L (FORMAT binary)', current_setting('data_directory') || '/journaling_tap_moodstats.bin'));

CREATE FUNCTION pg_temp.run_samples() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    s record;
BEGIN
    FOR s IN SELECT * FROM samples ORDER BY ord LOOP
        BEGIN
            PERFORM pg_temp.on_hostile_path(s.sql);
            UPDATE samples SET outcome = 'ok' WHERE ord OPERATOR(pg_catalog.=) s.ord;
        EXCEPTION WHEN OTHERS THEN
            UPDATE samples SET outcome = SQLSTATE WHERE ord OPERATOR(pg_catalog.=) s.ord;
            IF s.expected_error IS NULL THEN
                RAISE WARNING 'sample % failed: % %', s.ord, SQLSTATE, SQLERRM;
            END IF;
        END;
    END LOOP;
END
$$;
SET LOCAL track_functions = 'all';
SET LOCAL client_min_messages = warning;
DELETE FROM public.trojan_log;
SELECT pg_temp.hits() AS hits_before \gset
SELECT pg_temp.plant() AS planted \gset
SELECT pg_temp.run_samples() AS ran \gset
SELECT pg_temp.hits() AS hits_after \gset
SELECT pg_temp.uproot() AS uprooted \gset
RESET client_min_messages;

SELECT is(:hits_after::bigint, :hits_before::bigint, 'no trojan ran while the extension was installed and every function called');
SELECT is_empty('SELECT name FROM public.trojan_log', 'no trojan logged a call (names them if any did)');
SELECT is_empty($$SELECT ord, left(sql, 80), outcome FROM samples WHERE outcome IS DISTINCT FROM coalesce(expected_error, 'ok')$$,
                'every sample call succeeded (or failed as expected without pg_cron)');
SELECT is_empty($$SELECT e.title FROM journaling.journal_entries e
                   WHERE e.search_vector IS DISTINCT FROM
                         setweight(to_tsvector('pg_catalog.english', coalesce(e.title, '')), 'A') ||
                         setweight(to_tsvector('pg_catalog.english', e.content), 'B') ||
                         setweight(to_tsvector('pg_catalog.english', coalesce(array_to_string(e.tags, ' '), '')), 'C')$$,
                'search vectors written on the hostile path use pg_catalog.english');
SELECT cmp_ok((SELECT count(*) FROM journaling.journal_entries), '>', 10::bigint, 'entries imported on the hostile path');
-- Every function of the extension was called (statistics of this
-- transaction); aggregate support and type receive functions run inside
-- their aggregate or COPY, which the statistics do not count, and calls
-- that end in their expected error (schedule_refresh without pg_cron) are
-- not counted either.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text
      FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
     WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'journaling') AND d.deptype = 'e'
       AND p.prokind = 'f'
       AND coalesce(pg_stat_get_xact_function_calls(p.oid), 0) = 0
       AND NOT EXISTS (SELECT 1 FROM pg_aggregate a
                        WHERE p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn))
       AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typreceive = p.oid)
       AND NOT EXISTS (SELECT 1 FROM samples s WHERE s.outcome = s.expected_error
                          AND s.sql ~ ('journaling\.' || p.proname || '\('))$$,
    'every function of the extension was called on the hostile path');
SELECT is((SELECT count(*) FROM moodstats_copy), 1::bigint, 'moodstats binary input ran (COPY FROM ... FORMAT binary)');

SELECT * FROM finish();
ROLLBACK;
