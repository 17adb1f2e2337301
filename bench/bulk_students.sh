#!/usr/bin/env bash
# Measures POST /v1/students:bulk with N students (default 50,000) against a release build
# on 127.0.0.1, once on a fresh SQLite file and, when PostgreSQL is reachable, once on a fresh
# PostgreSQL database. Usage: bench/bulk_students.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."

count="${1:-50000}"
port="${IPS_BENCH_PORT:-18181}"
pg_admin="${IPS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
work="$(mktemp -d)"
server_pid=""
pg_database=""

cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    [ -n "$pg_database" ] && psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet
bin=target/release/ips-api

python3 - "$count" > "$work/students.ndjson" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({
        "studentUniqueId": f"{7000000000 + i}",
        "sisId": f"S{i:07d}",
        "schoolId": "1234" if i % 2 else "5678",
        "gradeLevel": 8 + i % 5,
        "graduationYear": 2027 + i % 5,
    }))
PY

run() {
    local label="$1" url="$2"
    export IPS_DATA_DIR="$work/$label" IPS_DATABASE_URL="$url" IPS_LOG=warn
    "$bin" district create --id D0259 --name "Benchmark USD 259" >/dev/null
    "$bin" school create --district D0259 --id 1234 --name "North High" >/dev/null
    "$bin" school create --district D0259 --id 5678 --name "East High" >/dev/null
    local credentials id secret token
    credentials="$("$bin" client create --name bench --district D0259 --scope all 2>/dev/null)"
    id="$(sed -n 's/^client_id=//p' <<<"$credentials")"
    secret="$(sed -n 's/^client_secret=//p' <<<"$credentials")"

    "$bin" serve --bind "127.0.0.1:$port" &
    server_pid=$!
    for _ in $(seq 1 50); do
        curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break
        sleep 0.1
    done
    token="$(curl -fs -u "$id:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/oauth/token" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

    for pass in create unchanged; do
        local seconds
        seconds="$(curl -fs -o "$work/result.json" -w '%{time_total}' \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' \
            --data-binary @"$work/students.ndjson" "http://127.0.0.1:$port/v1/students:bulk")"
        local summary
        summary="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"])' "$work/result.json")"
        printf '%-8s %-9s %6d students  %6.2f s  %8.0f students/s  %s\n' \
            "$label" "$pass" "$count" "$seconds" "$(python3 -c "print($count / $seconds)")" "$summary"
    done
    local rss
    rss="$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")"
    printf '%-8s peak RSS %d MiB\n' "$label" "$((rss / 1024))"

    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

run sqlite "$work/sqlite/ips.sqlite3"

if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    pg_database="ips_bench_$$"
    psql -q "$pg_admin" -c "CREATE DATABASE $pg_database" >/dev/null
    run postgres "${pg_admin%/*}/$pg_database"
else
    echo "postgres skipped: no server on 127.0.0.1:5432"
fi
