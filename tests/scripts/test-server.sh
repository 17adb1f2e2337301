# Starts a real ips-api server on 127.0.0.1 with a fresh database, for the scripts that test the
# service from outside (contract fuzzing, generated clients). Source this file, then call
#
#     start_test_server sqlite|postgres
#
# It exports BASE_URL, CLIENT_ID and CLIENT_SECRET of a client of district D0259 with every
# scope. The district has school 1234. When the calling shell exits, the server stops and the
# database is dropped. IPS_BIN names the binary (default $CARGO_TARGET_DIR/debug/ips-api, with
# target/ when that is unset) and IPS_TEST_POSTGRES_URL the PostgreSQL server (default
# postgres://postgres@127.0.0.1:5432/postgres).

test_server_cleanup() {
    if [ -n "${TEST_SERVER_PID:-}" ]; then
        kill "$TEST_SERVER_PID" 2>/dev/null || true
        wait "$TEST_SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "${TEST_SERVER_DB:-}" ]; then
        psql -q "$TEST_SERVER_ADMIN_URL" -c "DROP DATABASE IF EXISTS $TEST_SERVER_DB WITH (FORCE)" || true
    fi
    if [ -n "${TEST_SERVER_DIR:-}" ]; then
        rm -rf "$TEST_SERVER_DIR"
    fi
}

start_test_server() {
    local backend="$1"
    local bin="${IPS_BIN:-${CARGO_TARGET_DIR:-target}/debug/ips-api}"
    TEST_SERVER_DIR="$(mktemp -d)"
    trap test_server_cleanup EXIT

    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    export IPS_DATA_DIR="$TEST_SERVER_DIR"
    export IPS_BIND="127.0.0.1:$port"
    export IPS_JWT_SECRET="test-server-secret-$(date +%s%N)-0123456789"
    export IPS_LOG_FORMAT=json
    # One client sends every request, faster than the default per-client limits allow; the
    # integration tests check the limits themselves.
    export IPS_RATE_LIMIT_PER_SECOND=0 IPS_TOKEN_RATE_LIMIT_PER_MINUTE=0
    case "$backend" in
        sqlite)
            export IPS_DATABASE_URL="$TEST_SERVER_DIR/ips.sqlite3"
            ;;
        postgres)
            TEST_SERVER_ADMIN_URL="${IPS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
            TEST_SERVER_DB="ips_script_$(date +%s%N)"
            psql -q "$TEST_SERVER_ADMIN_URL" -c "CREATE DATABASE $TEST_SERVER_DB" || return 1
            export IPS_DATABASE_URL="${TEST_SERVER_ADMIN_URL%/*}/$TEST_SERVER_DB"
            ;;
        *)
            echo "start_test_server: backend must be sqlite or postgres, not '$backend'" >&2
            return 1
            ;;
    esac

    # The operator commands log to stderr; keep that out of the caller's output unless one fails.
    local setup_log="$TEST_SERVER_DIR/setup.log"
    local credentials
    if ! {
        "$bin" migrate >/dev/null &&
            "$bin" district create --id D0259 --name "Test District" >/dev/null &&
            "$bin" school create --district D0259 --id 1234 --name "Test High" >/dev/null &&
            credentials="$("$bin" client create --name script --district D0259 --scope all)"
    } 2>"$setup_log"; then
        echo "start_test_server: setting up the database failed; the commands' output:" >&2
        cat "$setup_log" >&2
        return 1
    fi
    CLIENT_ID="$(printf '%s\n' "$credentials" | sed -n 's/^client_id=//p')"
    CLIENT_SECRET="$(printf '%s\n' "$credentials" | sed -n 's/^client_secret=//p')"
    export CLIENT_ID CLIENT_SECRET

    "$bin" serve >"$TEST_SERVER_DIR/server.log" 2>&1 &
    TEST_SERVER_PID=$!
    export BASE_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        if curl -sf "$BASE_URL/health/ready" >/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "start_test_server: the server did not become ready; its log:" >&2
    cat "$TEST_SERVER_DIR/server.log" >&2
    return 1
}
