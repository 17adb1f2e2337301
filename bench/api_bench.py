#!/usr/bin/env python3
"""Load and throughput benchmarks of ips-api against a release build on 127.0.0.1.

Starts the server on a fresh SQLite file (or a fresh PostgreSQL database with --postgres),
seeds a district, a 60-course catalog, N students and N plans of 40 course entries, then
measures:
  - GET /v1/plans/{id} and the constant-JSON GET /health/live with wrk (64 connections);
  - POST /v1/survey-responses:bulk with one Short Form response per student (up to 10,000);
  - POST /v1/rule-sets/{id}/impact over the whole cohort;
  - GET /v1/reviews/compliance paged through the whole cohort;
  - the server's peak resident memory.

Usage: bench/api_bench.py [--plans N] [--postgres] [--duration SECONDS]
"""

import argparse
import concurrent.futures
import json
import os
import random
import shutil
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
SUBJECTS = ["01", "02", "03", "04", "05", "08", "10", "12", "21", "24"]


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


def cli(env, *args):
    return subprocess.run([BIN, *args], env=env, check=True, capture_output=True, text=True).stdout


def wrk(path, token, seconds):
    out = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}", BASE + path],
        check=True, capture_output=True, text=True,
    ).stdout
    rate = next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec"))
    p50 = next(line.split()[1] for line in out.splitlines() if line.strip().startswith("50%"))
    p99 = next(line.split()[1] for line in out.splitlines() if line.strip().startswith("99%"))
    return float(rate), p50, p99


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) // 1024
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=50000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp()
    # One client drives all the load, so the per-client rate limit is off.
    env = dict(os.environ, IPS_DATA_DIR=work, IPS_LOG="warn", IPS_BIND=f"127.0.0.1:{PORT}",
               IPS_RATE_LIMIT_PER_SECOND="0")
    database = None
    if args.postgres:
        database = f"ips_bench_{os.getpid()}"
        subprocess.run(["psql", "-q", PG_ADMIN, "-c", f"CREATE DATABASE {database}"], check=True)
        env["IPS_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + database
    backend = "postgres" if args.postgres else "sqlite"

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
        form = f"grant_type=client_credentials&client_id={credentials['client_id']}&client_secret={credentials['client_secret']}".encode()
        token = request("POST", "/oauth/token", body=form, content_type="application/x-www-form-urlencoded")["access_token"]

        courses = [
            {"courseCode": f"C{i:02d}", "scedCode": f"{SUBJECTS[i % len(SUBJECTS)]}{100 + i:03d}", "title": f"Course {i}",
             "credits": 1 if i % 4 else 0.5, "gradeLevels": [9, 10, 11, 12]}
            for i in range(60)
        ]
        result = request("POST", "/v1/courses:bulk", token, "\n".join(json.dumps(c) for c in courses).encode(), "application/x-ndjson")
        course_ids = [r["id"] for r in result["results"]]

        students = "\n".join(json.dumps({"studentUniqueId": f"{7000000000 + i}", "schoolId": "1234", "gradeLevel": 10, "graduationYear": 2029}) for i in range(args.plans))
        result = request("POST", "/v1/students:bulk", token, students.encode(), "application/x-ndjson")
        student_ids = [r["id"] for r in result["results"]]

        rng = random.Random(7)

        def plan(student_id):
            chosen = rng.sample(course_ids, 40)
            entries = []
            for n, course_id in enumerate(chosen):
                grade = 9 + n // 10
                year = 2026 + n // 10
                status = "completed" if year <= 2026 else ("in_progress" if year == 2027 else "planned")
                entries.append({"courseId": course_id, "schoolYear": year, "term": "full_year", "status": status, "gradeLevel": grade, "source": "counselor"})
            return {"studentId": student_id, "graduationYear": 2029, "schoolId": "1234", "courses": entries}

        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            plan_ids = list(pool.map(lambda s: request("POST", "/v1/plans", token, plan(s))["id"], student_ids))
        seed_seconds = time.time() - started
        print(f"{backend}: seeded {len(plan_ids)} plans of 40 entries in {seed_seconds:.1f} s ({len(plan_ids) / seed_seconds:.0f} plans/s)")

        plan_rate, plan_p50, plan_p99 = wrk(f"/v1/plans/{plan_ids[0]}", token, args.duration)
        live_rate, live_p50, live_p99 = wrk("/health/live", token, args.duration)
        print(f"{backend}: GET /v1/plans/{{id}}  {plan_rate:9.0f} req/s  p50 {plan_p50}  p99 {plan_p99}")
        print(f"{backend}: GET /health/live     {live_rate:9.0f} req/s  p50 {live_p50}  p99 {live_p99}")
        print(f"{backend}: plan / constant = {plan_rate / live_rate:.1%}")

        count = min(10000, len(student_ids))
        answers = ["".join(rng.choice("12345") for _ in range(60)) for _ in range(count)]
        body = "\n".join(json.dumps({"studentUniqueId": f"{7000000000 + i}", "instrumentId": "onet-ip-sf", "administeredOn": "2026-10-01", "gradeLevel": 10, "answers": answers[i]}) for i in range(count))
        started = time.time()
        result = request("POST", "/v1/survey-responses:bulk", token, body.encode(), "application/x-ndjson")
        print(f"{backend}: survey bulk {count} responses scored and stored in {time.time() - started:.2f} s {result['summary']}")

        started = time.time()
        impact = request("POST", "/v1/rule-sets/ks-state-2028/impact", token, {"graduationYear": 2029, "compareTo": "ks-state-2027", "asOfSchoolYear": 2027})
        print(f"{backend}: cohort impact over {impact['plans']} plans in {time.time() - started:.2f} s")
        started = time.time()
        cursor, rows = None, 0
        while True:
            page = request("GET", "/v1/reviews/compliance?schoolYear=2027&asOf=2026-12-01&limit=1000" + (f"&cursor={cursor}" if cursor else ""), token)
            rows += len(page["items"])
            cursor = page["nextCursor"]
            if not cursor:
                break
        print(f"{backend}: review compliance report, {rows} plans in pages of 1000, in {time.time() - started:.2f} s")
        print(f"{backend}: server peak RSS {peak_rss_mib(server.pid)} MiB")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
        if database:
            subprocess.run(["psql", "-q", PG_ADMIN, "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False)


if __name__ == "__main__":
    sys.exit(main())
