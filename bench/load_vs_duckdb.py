#!/usr/bin/env python3
"""Time loading a resource-log export (PT1H.json-style JSON Lines) into memory, kqlite against DuckDB.

  python3 -m pip install duckdb
  target/release/kqlite generate --rows 1000000 --format resource-log --out /tmp/rl_1m.json
  python3 bench/load_vs_duckdb.py --kqlite target/release/kqlite --data /tmp/rl_1m.json --reps 3

DuckDB: `CREATE TABLE t AS SELECT * FROM read_json(...)` in this process (no process start counted).
kqlite: a whole `kqlite query` process whose query returns every column (`take 1`), so all 28 columns
of every record are parsed, checked and converted to Arrow; start-up is counted. Also a narrow query
(`count`), which converts one column. Runs alternate so that machine noise hits both alike; medians.
"""
import argparse, resource, statistics, subprocess, sys, time


def duck(duckdb, path):
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_json('{path}', format='newline_delimited')")
    n = con.execute("SELECT count(*) FROM t").fetchone()[0]
    dt = time.perf_counter() - t0
    con.close()
    return dt, n


def kqlite(binary, path, query):
    t0 = time.perf_counter()
    p = subprocess.run([binary, "query", "--data", path, "--format", "csv", query],
                       capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"kqlite failed: {p.stderr[-400:]}")
    return dt, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kqlite", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    import duckdb
    d, k_all, k_count = [], [], []
    rows = None
    for _ in range(a.reps):
        dt, rows = duck(duckdb, a.data); d.append(dt)
        kt, _ = kqlite(a.kqlite, a.data, "AADProvisioningLogs | take 1"); k_all.append(kt)
        kt, out = kqlite(a.kqlite, a.data, "AADProvisioningLogs | count"); k_count.append(kt)
    counted = int(out.split()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"records: DuckDB {rows}, kqlite {counted}{'' if rows == counted else '  MISMATCH'}")
    print("| load | DuckDB s | kqlite s | kqlite/DuckDB |")
    print("|---|---|---|---|")
    md = statistics.median(d)
    for name, k in [("all columns", k_all), ("one column (count)", k_count)]:
        mk = statistics.median(k)
        print(f"| {name} | {md:.2f} | {mk:.2f} | {mk / md:.2f} |")
    print(f"kqlite peak RSS over its runs: {peak:.0f} MB")


if __name__ == "__main__":
    main()
