#!/usr/bin/env bash
# The second pass of `make test`: the Rust suite and the browser journeys
# again, with every server keeping its data in PostgreSQL. The cluster is
# made in a temporary directory for this run and removed after it.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${PG_PORT:-3290}"
dir="$(mktemp -d /tmp/tenantry-pg-XXXXXX)"
trap 'end2end/postgres/cluster.sh stop "$dir"' EXIT
admin_url="$(end2end/postgres/cluster.sh start "$dir" "$port")"
server="${admin_url%/*}"
echo "PostgreSQL for this pass: $server (data in $dir)"

TENANTRY_TEST_POSTGRES="$admin_url" cargo test --workspace

psql "$admin_url" --quiet --command "CREATE DATABASE e2e"
TENANTRY_E2E_DATABASE_URL="$server/e2e" make --no-print-directory e2e
