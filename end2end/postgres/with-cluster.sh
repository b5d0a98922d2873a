#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster (cluster.sh), with
# PG_ADMIN_URL set to its admin database, and removes the cluster after.
#   with-cluster.sh COMMAND [ARGS...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${PG_PORT:-3290}"
dir="$(mktemp -d /tmp/tenantry-pg-XXXXXX)"
trap '"$here/cluster.sh" stop "$dir"' EXIT
PG_ADMIN_URL="$("$here/cluster.sh" start "$dir" "$port")"
export PG_ADMIN_URL
echo "PostgreSQL for this run: ${PG_ADMIN_URL%/*} (data in $dir)"
"$@"
