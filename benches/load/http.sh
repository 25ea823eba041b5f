#!/usr/bin/env bash
# wrk against hyper on our runtime (runtime/examples/http_server) and the same hyper code on
# Tokio (benches/src/bin/http_server_tokio.rs): 2 threads, 64 connections, DURATION seconds per
# run, ROUNDS runs per server and route, alternating servers; prints the medians as a table.
#
#   benches/load/http.sh            # ROUNDS=3 DURATION=10 by default
set -euo pipefail
source "$(dirname "$0")/common.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
ROUTES=${ROUTES:-"/ /json"}

install_packages wrk wrk
cd "$ROOT"
cargo build --release --quiet -p runtime --example http_server
cargo build --release --quiet -p benches --bin http_server_tokio

start_server /tmp/load-http-ours.log target/release/examples/http_server 127.0.0.1:0
ours_pid=$SERVER_PID ours_addr=$SERVER_ADDR
start_server /tmp/load-http-tokio.log target/release/http_server_tokio 127.0.0.1:0
tokio_pid=$SERVER_PID tokio_addr=$SERVER_ADDR

# rps ADDR ROUTE: one wrk run's requests per second.
rps() {
    wrk -t2 -c64 -d"${DURATION}s" "http://$1$2" | awk '/^Requests\/sec:/ { print $2 }'
}

echo "| route | hyper on runtime (req/s) | hyper on Tokio (req/s) | ratio |"
echo "|---|---:|---:|---:|"
for route in $ROUTES; do
    ours=()
    tokio=()
    for _ in $(seq 1 "$ROUNDS"); do
        ours+=("$(rps "$ours_addr" "$route")")
        tokio+=("$(rps "$tokio_addr" "$route")")
    done
    o=$(median "${ours[@]}")
    t=$(median "${tokio[@]}")
    printf '| `GET %s` | %.0f | %.0f | %s |\n' "$route" "$o" "$t" "$(ratio "$o" "$t")"
    echo "  runs: ours ${ours[*]} / tokio ${tokio[*]}" >&2
done

stop_server "$ours_pid"
stop_server "$tokio_pid"
