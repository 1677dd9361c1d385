-- test/bench/load/refresh.sql — the DBA's scheduled job: refresh the
-- statistics every :refresh_every seconds (run by one separate client).
\sleep :refresh_every s
SELECT * FROM journaling.refresh_statistics();
