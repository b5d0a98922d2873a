#!/usr/bin/env bash
# The second pass of `make test`: the Rust suite and the browser journeys
# again, with every server keeping its data in PostgreSQL (run inside
# with-cluster.sh, which sets PG_ADMIN_URL).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Only the HTTP suite keeps data; the pure and client tests ran in the
# first pass and would only repeat themselves.
TENANTRY_TEST_POSTGRES="$PG_ADMIN_URL" cargo test -p server --test api
psql "$PG_ADMIN_URL" --quiet --command "CREATE DATABASE e2e"
TENANTRY_E2E_DATABASE_URL="${PG_ADMIN_URL%/*}/e2e" make --no-print-directory e2e
