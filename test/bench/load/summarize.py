#!/usr/bin/env python3
"""Latency percentiles per script from pgbench per-transaction logs.

Usage:
    summarize.py --names create,list,search,trend --seconds S LOG...

Each LOG line is what pgbench -l writes (PostgreSQL 15):
    client_id transaction_no time script_no time_epoch time_us [schedule_lag] [retries]
where time is the transaction's latency in microseconds, or a word
(failed, serialization, deadlock) for a transaction that failed.  Prints one
tab-separated line per script, in script order:
    name  transactions  failed  tps  mean_ms  p50_ms  p95_ms  p99_ms  max_ms
Percentiles use the nearest-rank method (the smallest latency that at least
p % of the transactions did not exceed).
"""

import argparse
import math
import sys


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (NaN when empty)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", required=True, help="script names in -f order, comma-separated")
    ap.add_argument("--seconds", type=float, required=True, help="duration of the run")
    ap.add_argument("logs", nargs="+")
    args = ap.parse_args(argv)

    names = args.names.split(",")
    latencies = [[] for _ in names]
    failed = [0 for _ in names]
    for path in args.logs:
        with open(path, encoding="ascii") as f:
            for line in f:
                fields = line.split()
                if len(fields) < 6:
                    sys.exit("%s: malformed line: %r" % (path, line))
                script = int(fields[3])
                if fields[2].isdigit():
                    latencies[script].append(int(fields[2]) / 1000.0)
                else:
                    failed[script] += 1

    for i, name in enumerate(names):
        lat = sorted(latencies[i])
        n = len(lat)
        mean = sum(lat) / n if n else float("nan")
        print("\t".join([name, str(n), str(failed[i]), "%.1f" % (n / args.seconds)] +
                        ["%.1f" % v for v in (mean, percentile(lat, 50), percentile(lat, 95),
                                              percentile(lat, 99), lat[-1] if lat else float("nan"))]))


if __name__ == "__main__":
    main(sys.argv[1:])
