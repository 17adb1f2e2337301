#!/usr/bin/env python3
"""Throughput, bulk-import and memory benchmarks of ips-api on 127.0.0.1.

Starts a release build on a fresh SQLite file (or a fresh PostgreSQL database with
--postgres) and measures, in one run:

  - bulk import: N students through POST /v1/students:bulk (and the same batch again), then N
    plans of 40 course entries through POST /v1/plans:bulk in batches, each next to the time
    a plain multi-row INSERT of the same rows takes on a fresh database of the same schema;
  - wrk with 2 threads and 64 connections against POST /oauth/token, GET /v1/plans/{id},
    GET /v1/plans (20 per page), POST /v1/audits, POST /v1/students/{id}/survey-responses and
    the constant-JSON GET /health/live of the same server;
  - with --postgres, pgbench running the plan lookup of GET /v1/plans/{id} against the same
    database: the lookup rate of PostgreSQL alone on this machine;
  - POST /v1/survey-responses:bulk (10,000 Short Form responses), the cohort impact of a rule
    set over every plan, and the review compliance report paged through every plan;
  - the server's peak resident memory (VmHWM) over the whole run.

Rate limits are switched off, since the point is what one server can do.

Usage: bench/api_bench.py [--plans N] [--postgres] [--duration SECONDS]
"""

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "ips-api")
PORT = int(os.environ.get("IPS_BENCH_PORT", "18282"))
BASE = f"http://127.0.0.1:{PORT}"
PG_ADMIN = os.environ.get("IPS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Connections to PostgreSQL over loopback skip TLS. libpq's default, `sslmode=prefer`,
# encrypts them whenever the server has a certificate, as Debian's package sets up. On the
# 2-core benchmark machine, pgbench ran 36,573 plan lookups a second with TLS and 65,729 without.
PG_OPTIONS = "?sslmode=disable"
SUBJECTS = ["01", "02", "03", "04", "05", "08", "10", "12", "21", "24"]
PLAN_BATCH = 2000
ROWS_PER_INSERT = 500


def request(method, path, token=None, body=None, content_type="application/json"):
    data = None
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    req = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=600) as response:
        return json.loads(response.read() or b"null")


def post_file(path, token, body, content_type):
    """POSTs `body` with curl and returns (parsed response, seconds curl measured), so that
    the time is the server's and the transfer's, not this script's JSON decoding."""
    with tempfile.NamedTemporaryFile() as sent, tempfile.NamedTemporaryFile() as received:
        sent.write(body)
        sent.flush()
        seconds = subprocess.run(
            ["curl", "-sf", "-o", received.name, "-w", "%{time_total}", "-H", f"Authorization: Bearer {token}",
             "-H", f"Content-Type: {content_type}", "--data-binary", f"@{sent.name}", BASE + path],
            check=True, capture_output=True, text=True,
        ).stdout
        return json.load(open(received.name)), float(seconds)


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def cli(env, *args):
    return subprocess.run([BIN, *args], env=env, check=True, capture_output=True, text=True).stdout


def wrk(work, path, token, seconds, method="GET", body=None, content_type="application/json", lua_extra=""):
    """Runs wrk against one endpoint and returns (requests/s, p50, p99). Fails if any
    response was not 2xx, so that errors never pass for throughput. `lua_extra` may define
    wrk's `setup` and `request` functions, to vary the requests."""
    script = os.path.join(work, "wrk.lua")
    with open(script, "w") as lua:
        lua.write(lua_extra)
        lua.write(f"wrk.method = {json.dumps(method)}\n")
        if body is not None:
            lua.write(f"wrk.body = {json.dumps(body)}\n")
            lua.write(f'wrk.headers["Content-Type"] = {json.dumps(content_type)}\n')
        if token:
            lua.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    out = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", script, BASE + path],
        check=True, capture_output=True, text=True,
    ).stdout
    lines = out.splitlines()
    errors = [line for line in lines if "Non-2xx" in line]
    if errors:
        sample = urllib.request.Request(BASE + path, data=body.encode() if body else None, method=method,
                                        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type or ""})
        try:
            urllib.request.urlopen(sample, timeout=60)
            answer = "a request sent again succeeded"
        except urllib.error.HTTPError as error:
            answer = f"a request sent again got {error.code}: {error.read().decode()[:300]}"
        raise SystemExit(f"{method} {path}: {'; '.join(e.strip() for e in errors)}; {answer}")
    socket_errors = [line.strip() for line in lines if "Socket errors" in line]
    if socket_errors:
        print(f"{method} {path}: {socket_errors[0]}")
    rate = next(line.split()[1] for line in lines if line.startswith("Requests/sec"))
    p50 = next(line.split()[1] for line in lines if line.strip().startswith("50%"))
    p99 = next(line.split()[1] for line in lines if line.strip().startswith("99%"))
    return float(rate), p50, p99


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) // 1024
    return 0


class Database:
    """The service's database, read back and copied for the plain-INSERT ceiling."""

    def __init__(self, url, postgres):
        self.url = url
        self.postgres = postgres

    def rows(self, table, where=""):
        query = f"SELECT * FROM {table} {where}"
        if not self.postgres:
            with sqlite3.connect(self.url) as conn:
                cursor = conn.execute(query)
                return [d[0] for d in cursor.description], cursor.fetchall()
        header = subprocess.run(
            ["psql", "-At", self.url, "-c",
             f"SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}'"],
            check=True, capture_output=True, text=True,
        ).stdout.strip().split(",")
        copied = subprocess.run(
            ["psql", "-q", self.url, "-c", f"COPY ({query}) TO STDOUT"],
            check=True, capture_output=True, text=True,
        ).stdout
        return header, [tuple(copy_field(f) for f in line.split("\t")) for line in copied.splitlines()]


def copy_field(field):
    """Decodes one field of PostgreSQL's COPY text format."""
    if field == "\\N":
        return None
    out, i = [], 0
    escapes = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(field):
        if field[i] == "\\" and i + 1 < len(field):
            out.append(escapes.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def insert_batches(tables):
    """Splits the rows of each table into batches of ROWS_PER_INSERT, one multi-row INSERT each."""
    return [(table, columns, rows[start:start + ROWS_PER_INSERT])
            for table, (columns, rows) in tables
            for start in range(0, len(rows), ROWS_PER_INSERT)]


def run_inserts(target, postgres, batches):
    """Runs one multi-row INSERT a batch, each in a transaction of its own: through psql with
    literal values on PostgreSQL, and through the sqlite3 module with bound parameters and the
    service's pragmas on SQLite."""
    if postgres:
        script = "".join(
            f"BEGIN;\nINSERT INTO {table} ({', '.join(columns)}) VALUES "
            + ",".join("(" + ",".join(literal(v) for v in row) + ")" for row in rows)
            + ";\nCOMMIT;\n"
            for table, columns, rows in batches)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", target], input=script, check=True, text=True, capture_output=True)
        return
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    for table, columns, rows in batches:
        placeholders = "(" + ",".join("?" for _ in columns) + ")"
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ",".join(placeholders for _ in rows),
                     [value for row in rows for value in row])
        conn.execute("COMMIT")
    conn.close()


def plain_insert_seconds(env, source, postgres, setup_tables, timed_tables):
    """Copies `setup_tables` into a fresh database of the service's schema, then times a
    plain multi-row INSERT of `timed_tables`."""
    work = tempfile.mkdtemp()
    database = None
    try:
        copy_env = dict(env, IPS_DATA_DIR=work)
        if postgres:
            database = f"ips_ceiling_{os.getpid()}"
            target = create_pg_database(database)
        else:
            target = os.path.join(work, "ips.sqlite3")
        copy_env["IPS_DATABASE_URL"] = target
        cli(copy_env, "migrate")
        run_inserts(target, postgres, insert_batches([(t, source.rows(t)) for t in setup_tables]))
        batches = insert_batches([(t, source.rows(t, where)) for t, where in timed_tables])
        _, seconds = timed(lambda: run_inserts(target, postgres, batches))
        return seconds
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if database:
            subprocess.run(["psql", "-q", PG_ADMIN, "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False)


def create_pg_database(name):
    """Creates a PostgreSQL database and returns its URL."""
    subprocess.run(["psql", "-q", PG_ADMIN, "-c", f"CREATE DATABASE {name}"], check=True)
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name + PG_OPTIONS


def pgbench_lookup_rate(work, url, plan_id, seconds):
    """Runs the service's plan lookup in pgbench and returns the transactions a second, the
    ceiling of PostgreSQL alone. It uses 16 clients (the service's default pool size) on 2
    threads with prepared statements."""
    script = os.path.join(work, "lookup.sql")
    with open(script, "w") as sql:
        sql.write(f"SELECT * FROM plans WHERE district_id = 'D0259' AND id = '{plan_id}';\n")
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-c", "16", "-j", "2", "-T", str(seconds), "-f", script, url],
        check=True, capture_output=True, text=True,
    ).stdout
    return float(next(line.split()[2] for line in out.splitlines() if line.startswith("tps")))


def report(backend, label, value):
    print(f"{backend}: {label:<58} {value}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=50000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp()
    # One client drives all the load, so the per-client rate limits are off.
    env = dict(os.environ, IPS_DATA_DIR=work, IPS_LOG="warn", IPS_BIND=f"127.0.0.1:{PORT}",
               IPS_RATE_LIMIT_PER_SECOND="0", IPS_TOKEN_RATE_LIMIT_PER_MINUTE="0")
    database = None
    if args.postgres:
        database = f"ips_bench_{os.getpid()}"
        env["IPS_DATABASE_URL"] = create_pg_database(database)
    else:
        env["IPS_DATABASE_URL"] = os.path.join(work, "ips.sqlite3")
    backend = "postgres" if args.postgres else "sqlite"
    source = Database(env["IPS_DATABASE_URL"], args.postgres)

    cli(env, "district", "create", "--id", "D0259", "--name", "Benchmark USD 259")
    cli(env, "school", "create", "--district", "D0259", "--id", "1234", "--name", "North High")
    credentials = dict(line.split("=", 1) for line in cli(env, "client", "create", "--name", "bench", "--district", "D0259", "--scope", "all").splitlines())
    server = subprocess.Popen([BIN, "serve"], env=env)
    try:
        for _ in range(100):
            try:
                request("GET", "/health/ready")
                break
            except OSError:
                time.sleep(0.1)
        form = f"grant_type=client_credentials&client_id={credentials['client_id']}&client_secret={credentials['client_secret']}"
        token = request("POST", "/oauth/token", body=form.encode(), content_type="application/x-www-form-urlencoded")["access_token"]

        courses = [
            {"courseCode": f"C{i:02d}", "scedCode": f"{SUBJECTS[i % len(SUBJECTS)]}{100 + i:03d}", "title": f"Course {i}",
             "credits": 1 if i % 4 else 0.5, "gradeLevels": [9, 10, 11, 12]}
            for i in range(60)
        ]
        result = request("POST", "/v1/courses:bulk", token, "\n".join(json.dumps(c) for c in courses).encode(), "application/x-ndjson")
        course_ids = [r["id"] for r in result["results"]]

        # Bulk import of students, then of plans, each beside the plain-INSERT ceiling.
        students = "\n".join(json.dumps({"studentUniqueId": f"{7000000000 + i}", "sisId": f"S{i:07d}", "schoolId": "1234", "gradeLevel": 10, "graduationYear": 2029}) for i in range(args.plans)).encode()
        result, seconds = post_file("/v1/students:bulk", token, students, "application/x-ndjson")
        student_ids = [r["id"] for r in result["results"]]
        assert result["summary"]["created"] == args.plans, result["summary"]
        ceiling = plain_insert_seconds(env, source, args.postgres, ["districts", "schools"],
                                       [("students", ""), ("changes", "WHERE resource_type = 'student'")])
        report(backend, f"bulk import {args.plans} students", f"{seconds:.2f} s ({args.plans / seconds:,.0f}/s)")
        report(backend, "  plain multi-row INSERT of the same rows", f"{ceiling:.2f} s ({args.plans / ceiling:,.0f}/s), API takes {seconds / ceiling:.1f}x")
        result, seconds = post_file("/v1/students:bulk", token, students, "application/x-ndjson")
        assert result["summary"]["unchanged"] == args.plans, result["summary"]
        report(backend, f"same {args.plans} students again (all unchanged)", f"{seconds:.2f} s ({args.plans / seconds:,.0f}/s)")

        rng = random.Random(7)

        def plan(student_id):
            entries = []
            for n, course_id in enumerate(rng.sample(course_ids, 40)):
                year = 2026 + n // 10
                status = "completed" if year <= 2026 else ("in_progress" if year == 2027 else "planned")
                entries.append({"courseId": course_id, "schoolYear": year, "term": "full_year", "status": status, "gradeLevel": 9 + n // 10, "source": "counselor"})
            return {"studentId": student_id, "graduationYear": 2029, "schoolId": "1234", "courses": entries}

        batches = ["\n".join(json.dumps(plan(s)) for s in student_ids[start:start + PLAN_BATCH]).encode()
                   for start in range(0, len(student_ids), PLAN_BATCH)]

        created, seconds = 0, 0.0
        for body in batches:
            result, batch_seconds = post_file("/v1/plans:bulk", token, body, "application/x-ndjson")
            created += result["summary"]["created"]
            seconds += batch_seconds
        assert created == args.plans, created
        ceiling = plain_insert_seconds(
            env, source, args.postgres, ["districts", "schools", "courses", "students"],
            [("plans", ""), ("plan_revisions", ""), ("plan_courses", ""), ("changes", "WHERE resource_type = 'plan'")])
        report(backend, f"bulk import {args.plans} plans of 40 entries ({PLAN_BATCH} a request)", f"{seconds:.2f} s ({args.plans / seconds:,.0f}/s)")
        report(backend, "  plain multi-row INSERT of the same rows", f"{ceiling:.2f} s ({args.plans / ceiling:,.0f}/s), API takes {seconds / ceiling:.1f}x")

        plan_ids = [r["id"] for r in request("GET", "/v1/plans?limit=10", token)["items"]]
        audit_body = json.dumps({
            "ruleSetId": "ks-state-2028",
            "input": {
                "graduationYear": 2029, "asOfSchoolYear": 2027,
                "entries": [{"id": f"e{n}", "courseCode": c["courseCode"], "scedCode": c["scedCode"], "title": c["title"],
                             "credits": c["credits"], "gradeLevel": 9 + n // 10, "schoolYear": 2026 + n // 10,
                             "status": "completed" if n < 10 else "planned"} for n, c in enumerate(courses[:40])],
            },
        })
        survey_body = json.dumps({"instrumentId": "onet-ip-sf", "administeredOn": "2026-10-05", "gradeLevel": 10,
                                  "answers": "".join(rng.choice("12345") for _ in range(60))})
        endpoints = [
            ("POST /oauth/token", "/oauth/token", None, "POST", form, "application/x-www-form-urlencoded"),
            ("GET /v1/plans/{id}", f"/v1/plans/{plan_ids[0]}", token, "GET", None, None),
            ("GET /v1/plans?limit=20", "/v1/plans?limit=20", token, "GET", None, None),
            ("POST /v1/audits (40 entries, ks-state-2028)", "/v1/audits", token, "POST", audit_body, "application/json"),
            ("POST /v1/students/{id}/survey-responses", f"/v1/students/{student_ids[0]}/survey-responses", token, "POST", survey_body, "application/json"),
            ("GET /health/live (constant JSON)", "/health/live", None, "GET", None, None),
        ]
        # A student has one response per instrument and day, so each survey request goes to
        # another student. Thread t of wrk's two sends to students t, t + 2, t + 4 and so on,
        # a day earlier on each pass over the cohort.
        survey_lua = (
            "local students = {" + ",".join(json.dumps(s) for s in student_ids) + "}\n"
            "local count = 0\n"
            "local threads = 0\n"
            "function setup(thread) thread:set('tid', threads); threads = threads + 1 end\n"
            "function request()\n"
            "  local n = count * 2 + tid\n"
            "  count = count + 1\n"
            "  local day = os.date('!%Y-%m-%d', 1791158400 - 86400 * math.floor(n / #students))\n"
            "  local body = string.gsub(wrk.body, '2026%-10%-05', day)\n"
            "  return wrk.format(nil, '/v1/students/' .. students[n % #students + 1] .. '/survey-responses', nil, body)\n"
            "end\n"
        )
        rates = {}
        for label, path, bearer, method, body, content_type in endpoints:
            extra = survey_lua if "survey-responses" in path else ""
            rate, p50, p99 = wrk(work, path, bearer, args.duration, method, body, content_type, extra)
            rates[label] = rate
            report(backend, label, f"{rate:9,.0f} req/s  p50 {p50}  p99 {p99}  (peak RSS so far {peak_rss_mib(server.pid)} MiB)")
        constant = rates["GET /health/live (constant JSON)"]
        for label, rate in rates.items():
            report(backend, f"  {label} / constant", f"{rate / constant:.1%}")
        if args.postgres:
            lookups = pgbench_lookup_rate(work, env["IPS_DATABASE_URL"], plan_ids[0], args.duration)
            report(backend, "ceiling: the plan lookup alone in pgbench (16 clients)", f"{lookups:9,.0f} lookups/s")

        count = min(10000, len(student_ids))
        body = "\n".join(json.dumps({"studentUniqueId": f"{7000000000 + i}", "instrumentId": "onet-ip-sf", "administeredOn": "2026-10-01", "gradeLevel": 10, "answers": "".join(rng.choice("12345") for _ in range(60))}) for i in range(count)).encode()
        _, seconds = timed(lambda: request("POST", "/v1/survey-responses:bulk", token, body, "application/x-ndjson"))
        report(backend, f"survey bulk, {count} responses scored and stored", f"{seconds:.2f} s")

        impact, seconds = timed(lambda: request("POST", "/v1/rule-sets/ks-state-2028/impact", token, {"graduationYear": 2029, "compareTo": "ks-state-2027", "asOfSchoolYear": 2027}))
        report(backend, f"cohort impact over {impact['plans']} plans", f"{seconds:.2f} s")

        def compliance():
            cursor, rows = None, 0
            while True:
                page = request("GET", "/v1/reviews/compliance?schoolYear=2027&asOf=2026-12-01&limit=1000" + (f"&cursor={cursor}" if cursor else ""), token)
                rows += len(page["items"])
                cursor = page["nextCursor"]
                if not cursor:
                    return rows

        rows, seconds = timed(compliance)
        report(backend, f"review compliance report, {rows} plans, pages of 1000", f"{seconds:.2f} s")
        report(backend, "server peak RSS over the run", f"{peak_rss_mib(server.pid)} MiB")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
        if database:
            subprocess.run(["psql", "-q", PG_ADMIN, "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False)


if __name__ == "__main__":
    sys.exit(main())
