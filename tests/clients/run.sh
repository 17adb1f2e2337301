#!/usr/bin/env bash
# Generates clients from openapi/openapi.json and checks that they work:
#
# - Python: openapi-python-client generates a package, which is installed into a virtual
#   environment and runs the integration guide's workflow (workflow.py) against a real server
#   on SQLite, then on PostgreSQL.
# - TypeScript: openapi-typescript generates types, and tsc type-checks workflow.ts against them.
#
# Needs python3 with venv, node and npm, and the PostgreSQL server of the tests (see
# tests/scripts/test-server.sh). Without CI set, the PostgreSQL run is skipped when no server
# responds. The generator versions are pinned in python/requirements.txt and
# typescript/package.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
clients="$root/tests/clients"

# The binary that `cargo test` builds, so that no second set of dependencies is compiled.
cargo test --locked --no-run --quiet
export IPS_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/ips-api"

python_client() {
    local dir="$clients/python"
    local started=$SECONDS
    python3 -m venv "$dir/.venv"
    "$dir/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$dir/requirements.txt"
    rm -rf "$dir/generated"
    "$dir/.venv/bin/openapi-python-client" generate --path "$root/openapi/openapi.json" \
        --output-path "$dir/generated" --meta setup --config "$dir/generator.yml" \
        >"$dir/generator.log" 2>&1 || {
        cat "$dir/generator.log" >&2
        return 1
    }
    "$dir/.venv/bin/pip" install --quiet --disable-pip-version-check "$dir/generated"

    local backends=(sqlite)
    local postgres_url="${IPS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    if psql -q "$postgres_url" -c 'SELECT 1' >/dev/null 2>&1; then
        backends+=(postgres)
    elif [ -n "${CI:-}" ]; then
        echo "python client: PostgreSQL is required under CI but unreachable at $postgres_url" >&2
        return 1
    else
        echo "python client: PostgreSQL run skipped, no server at $postgres_url"
    fi
    for backend in "${backends[@]}"; do
        # A subshell per server, so that its exit trap stops the server and drops its database.
        (
            # shellcheck source=../scripts/test-server.sh
            source "$root/tests/scripts/test-server.sh"
            start_test_server "$backend"
            echo "python client on $backend:"
            "$dir/.venv/bin/python" "$dir/workflow.py"
        )
    done
    echo "python client: $((SECONDS - started)) s"
}

typescript_client() {
    local dir="$clients/typescript"
    local started=$SECONDS
    (
        cd "$dir"
        npm ci --silent --no-audit --no-fund
        npx --no-install openapi-typescript "$root/openapi/openapi.json" \
            --output generated/schema.d.ts --silent
        npx --no-install tsc --noEmit
    )
    echo "typescript client: types generated and workflow.ts type-checked"
    echo "typescript client: $((SECONDS - started)) s"
}

python_client
typescript_client
