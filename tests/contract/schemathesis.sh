#!/usr/bin/env bash
# Contract fuzzing: runs Schemathesis against a real server on SQLite and on PostgreSQL, with
# every check, every operation and a bearer token of a client that has every scope. A 5xx,
# an undocumented status code or a response that violates its schema fails the run.
#
#     tests/contract/schemathesis.sh [sqlite|postgres]...
#
# With no argument it runs both backends. SCHEMATHESIS_MAX_EXAMPLES (default 20) bounds the
# test cases per operation and phase, SCHEMATHESIS_MAX_TIME (seconds, default 90) bounds each
# backend's run, and SCHEMATHESIS_SEED (default 1) picks the generated cases. The binary is
# built with `cargo build --locked` unless IPS_BIN names one. Schemathesis is installed into
# tests/contract/.venv on the first run.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
venv=tests/contract/.venv
if [ ! -x "$venv/bin/schemathesis" ] \
    || [ "$("$venv/bin/schemathesis" --version)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ -z "${IPS_BIN:-}" ]; then
    cargo build --locked --quiet
    IPS_BIN="${CARGO_TARGET_DIR:-target}/debug/ips-api"
fi
export IPS_BIN

# shellcheck source=tests/scripts/test-server.sh
. tests/scripts/test-server.sh

# Runs Schemathesis against a fresh server on one backend; the server stops when the subshell
# that calls this exits.
fuzz_backend() {
    local backend="$1"
    start_test_server "$backend" || return 1

    local token
    token="$(curl -sf -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials \
        "$BASE_URL/oauth/token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')" \
        || return 1

    local started=$SECONDS
    local status=0
    echo "schemathesis: $backend at $BASE_URL"
    # One worker: with two, Hypothesis 6 sometimes fails inside its own lambda-source cache
    # (a KeyError in hypothesis.internal.lambda_sources), which Schemathesis reports as an error.
    SCHEMATHESIS_HOOKS=tests/contract/hooks.py \
        "$venv/bin/schemathesis" --config-file tests/contract/schemathesis.toml \
        run "$BASE_URL/openapi.json" \
        --url "$BASE_URL" \
        --header "Authorization: Bearer $token" \
        --checks all \
        --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-20}" \
        --max-time "${SCHEMATHESIS_MAX_TIME:-90}" \
        --workers 1 \
        --seed "${SCHEMATHESIS_SEED:-1}" \
        --no-color \
        --generation-database none \
        --report junit \
        --report-dir "${SCHEMATHESIS_REPORT_DIR:-tests/contract/report}/$backend" \
        || status=$?
    echo "schemathesis: $backend finished in $((SECONDS - started)) s with exit status $status"
    return "$status"
}

backends=("$@")
if [ ${#backends[@]} -eq 0 ]; then
    backends=(sqlite postgres)
fi
failed=()
for backend in "${backends[@]}"; do
    (fuzz_backend "$backend") || failed+=("$backend")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "schemathesis: failed on ${failed[*]}" >&2
    exit 1
fi
