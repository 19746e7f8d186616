#!/usr/bin/env python3
"""Time the six monitoring queries over a 1M-row snapshot, kqlite against DuckDB over Parquet.

  python3 -m pip install duckdb
  target/release/kqlite generate --rows 1000000 --format ndjson --out /tmp/rows.ndjson
  target/release/kqlite convert --data /tmp/rows.ndjson --out /tmp/rows.parquet
  python3 bench/snapshot_vs_duckdb.py --kqlite target/release/kqlite \\
      --ndjson /tmp/rows.ndjson --snapshot /tmp/rows.parquet --reps 5 [--duckdb-cli PATH]

DuckDB reads a Parquet file it writes once from the same NDJSON rows (its own column types), in
this process on a fresh connection: the connection is made before the clock starts, and DuckDB's
code is warm from the runs before. kqlite is timed three ways:
  * process: the whole `kqlite query` process, start-up and exit included;
  * in-process: what `kqlite query --timing` reports in that same run from `main` to the last
    printed row, with the session start (DuckDB's connection) left out;
  * warm: `kqlite query --timing --repeat 4`, the median of the last three runs' totals: each a
    new session that opens the snapshot again, in a process whose code has already run once,
    which is DuckDB's situation here (session start included).
With --duckdb-cli (DuckDB's own command-line program: `python3 -m pip install duckdb-cli`, then
pass the `duckdb` binary inside the installed `duckdb_cli` package, not the pip wrapper script,
which starts Python first), DuckDB is also timed as a whole process over the same Parquet file,
the way a user runs it, against the same kqlite process runs: process against process.
Runs alternate so that machine noise hits both alike; figures are medians. Both engines must
return the same number of rows.
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time

# KQL, then the SQL that asks the same question ({now} and {user} are filled in).
QUERIES = [
    ("Q1 errors by code",
     "AADProvisioningLogs | summarize count() by ErrorCode = ResultSignature",
     "SELECT ResultSignature, count(*) FROM t GROUP BY 1"),
    ("Q2 last week by action",
     "AADProvisioningLogs | where TimeGenerated > ago(7d) | summarize count() by Action, bin(TimeGenerated, 1d)",
     "SELECT Action, date_trunc('day', TimeGenerated), count(*) FROM t "
     "WHERE TimeGenerated > TIMESTAMPTZ '{now}' - INTERVAL 7 DAY GROUP BY 1, 2"),
    ("Q3 one user",
     'AADProvisioningLogs | extend SourceIdentity = parse_json(SourceIdentity) | where tostring(SourceIdentity.Id) == "{user}"',
     "SELECT * FROM t WHERE json_extract_string(SourceIdentity, '$.Id') = '{user}'"),
    ("Q4 failures by hour",
     'AADProvisioningLogs | where ResultType == "Failure" | summarize count() by bin(TimeGenerated, 1h)',
     "SELECT date_trunc('hour', TimeGenerated), count(*) FROM t WHERE ResultType = 'Failure' GROUP BY 1"),
    ("Q5 failure spike",
     'AADProvisioningLogs | where ResultType == "Failure" | summarize n = count() by bin(TimeGenerated, 1h) | where n > 50',
     "SELECT date_trunc('hour', TimeGenerated), count(*) FROM t WHERE ResultType = 'Failure' "
     "GROUP BY 1 HAVING count(*) > 50"),
    ("Q6 last two hours",
     "AADProvisioningLogs | where TimeGenerated > ago(2h) | summarize count()",
     "SELECT count(*) FROM t WHERE TimeGenerated > TIMESTAMPTZ '{now}' - INTERVAL 2 HOUR"),
]


def duck(duckdb, parquet, sql):
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    t0 = time.perf_counter()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{parquet}')")
    n = len(con.execute(sql).fetchall())
    dt = time.perf_counter() - t0
    con.close()
    return dt, n


def duck_cli(cli, parquet, sql):
    script = f"SET TimeZone='UTC'; CREATE VIEW t AS SELECT * FROM read_parquet('{parquet}'); {sql}"
    t0 = time.perf_counter()
    p = subprocess.run([cli, "-noheader", "-csv", "-c", script], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"DuckDB's CLI failed: {p.stderr[-400:]}")
    return wall, sum(1 for line in p.stdout.splitlines() if line.strip())


def kqlite(binary, snapshot, kql, now):
    t0 = time.perf_counter()
    p = subprocess.run([binary, "query", "--timing", "--data", snapshot, "--now", now,
                        "--format", "ndjson", kql], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"kqlite failed: {p.stderr[-400:]}")
    phases = dict((k, float(v) / 1e3) for k, v in re.findall(r"(\w+) ([0-9.]+) ms", p.stderr))
    inside = phases["total"] - phases["start"]
    return wall, inside, sum(1 for line in p.stdout.splitlines() if line.strip())


def kqlite_warm(binary, snapshot, kql, now):
    p = subprocess.run([binary, "query", "--timing", "--repeat", "4", "--data", snapshot, "--now", now,
                        "--format", "ndjson", kql], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"kqlite failed: {p.stderr[-400:]}")
    totals = [float(t) / 1e3 for t in re.findall(r"total ([0-9.]+) ms", p.stderr)]
    return statistics.median(totals[1:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kqlite", required=True)
    ap.add_argument("--ndjson", required=True, help="the rows, as Log Analytics NDJSON")
    ap.add_argument("--snapshot", required=True, help="kqlite's snapshot of the same rows")
    ap.add_argument("--user", help="SourceIdentity.Id for Q3 (default: the first row's)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--duckdb-cli", help="DuckDB's CLI binary, to time it as a whole process too")
    a = ap.parse_args()
    try:
        import duckdb
    except ImportError:
        sys.exit("DuckDB is missing: python3 -m pip install duckdb")
    parquet = os.path.join(tempfile.mkdtemp(), "rows.parquet")
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.execute(f"COPY (SELECT * FROM read_json('{os.path.abspath(a.ndjson)}', format='newline_delimited')) "
                f"TO '{parquet}' (FORMAT parquet)")
    newest, first_user = con.execute(
        f"SELECT max(TimeGenerated), first(json_extract_string(SourceIdentity, '$.Id')) "
        f"FROM read_parquet('{parquet}')").fetchone()
    con.close()
    now = newest.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    user = a.user or first_user
    print(f"now {now}; Q3 user {user}; {a.reps} alternating runs each, medians")
    cli = a.duckdb_cli
    if cli:
        version = subprocess.run([cli, "-version"], capture_output=True, text=True).stdout.split()
        print(f"DuckDB library {duckdb.__version__}, DuckDB CLI {version[0] if version else '?'}")
    print("| query | DuckDB ms | kqlite process ms | ratio | kqlite in-process ms | ratio "
          "| kqlite warm ms | ratio |" + (" DuckDB CLI process ms | process/process ratio |" if cli else "")
          + " rows |")
    print("|---|---|---|---|---|---|---|---|" + ("---|---|" if cli else "") + "---|")
    for name, kql, sql in QUERIES:
        kql, sql = kql.format(user=user), sql.format(now=now, user=user)
        d, w, i, h, c = [], [], [], [], []
        cn = None
        for _ in range(a.reps):
            dt, dn = duck(duckdb, parquet, sql)
            wall, inside, kn = kqlite(a.kqlite, a.snapshot, kql, now)
            d.append(dt), w.append(wall), i.append(inside)
            h.append(kqlite_warm(a.kqlite, a.snapshot, kql, now))
            if cli:
                ct, cn = duck_cli(cli, parquet, sql)
                c.append(ct)
        counts = {kn, dn} | ({cn} if cli else set())
        rows = f"{kn}" if len(counts) == 1 else f"MISMATCH kqlite {kn}, DuckDB {dn}, DuckDB CLI {cn}"
        dm, wm, im, hm = (statistics.median(x) * 1e3 for x in (d, w, i, h))
        line = (f"| {name} | {dm:.1f} | {wm:.1f} | {wm / dm:.2f} | {im:.1f} | {im / dm:.2f} "
                f"| {hm:.1f} | {hm / dm:.2f} |")
        if cli:
            cm = statistics.median(c) * 1e3
            line += f" {cm:.1f} | {wm / cm:.2f} |"
        print(f"{line} {rows} |", flush=True)


if __name__ == "__main__":
    main()
