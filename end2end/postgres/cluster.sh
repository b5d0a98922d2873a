#!/bin/sh
# A throwaway PostgreSQL cluster for the test run: in a temporary directory,
# owned by an unprivileged user, listening on loopback only.
#   cluster.sh start DIR PORT   — prints the URL of its admin database
#   cluster.sh stop DIR
set -eu
command="$1"
dir="$2"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL's server is not installed (make installs it)" >&2; exit 1; }

# PostgreSQL refuses to run as root; as root, run it as the packages' own
# unprivileged user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$command" in
start)
    port="$3"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$bin/initdb" --pgdata="$dir/data" --username=tenantry --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # Speed over durability: the cluster lives for one test run.
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off
            -c max_connections=400 -c shared_buffers=128MB" >/dev/null 2>&1 \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://tenantry@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null
    rm -rf "$dir"
    ;;
*)
    echo "usage: cluster.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
