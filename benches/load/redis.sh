#!/usr/bin/env bash
# mini_redis (runtime/examples/mini_redis, on this runtime) against the real redis-server, with
# redis-benchmark, on loopback: the same tests, clients and request count against each, ROUNDS
# rounds taken in turn (ours, theirs, ours, ...), and the median rps of each test printed as a
# markdown table with the ratio mini_redis / redis-server.
#
# Usage: benches/load/redis.sh                      (from anywhere in the repository)
# Settings (environment): CLIENTS=50 REQUESTS=200000 ROUNDS=3 TESTS=ping,set,get PIPELINE=1
#   MINI_REDIS=<path>: a mini_redis binary to use instead of building the example.
# Installs redis-server and redis-tools with apt-get when redis-benchmark is missing.
set -euo pipefail

CLIENTS=${CLIENTS:-50}
REQUESTS=${REQUESTS:-200000}
ROUNDS=${ROUNDS:-3}
TESTS=${TESTS:-ping,set,get}
PIPELINE=${PIPELINE:-1}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ! command -v redis-benchmark >/dev/null || ! command -v redis-server >/dev/null; then
    echo "installing redis-server and redis-tools" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools >/dev/null
fi

if [ -n "${MINI_REDIS:-}" ]; then
    mini_redis=$MINI_REDIS
else
    (cd "$root" && cargo build --release --example mini_redis -p runtime >&2)
    target=${CARGO_TARGET_DIR:-$root/target}
    mini_redis=$target/release/examples/mini_redis
fi

# Waits until `redis-cli -p <port> ping` prints PONG (the smoke test), for up to 10 s.
wait_for_pong() {
    local port=$1 name=$2
    for _ in $(seq 100); do
        if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ]; then
            return 0
        fi
        sleep 0.1
    done
    echo "$name on port $port does not answer PING" >&2
    exit 1
}

# mini_redis binds port 0 and prints the address it got.
"$mini_redis" 127.0.0.1:0 >"$work/mini.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    grep -q '^listening on ' "$work/mini.log" && break
    sleep 0.1
done
mini_port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/mini.log")
if [ -z "$mini_port" ]; then
    echo "mini_redis did not start:" >&2
    cat "$work/mini.log" >&2
    exit 1
fi
wait_for_pong "$mini_port" mini_redis

# redis-server needs a port number: take a free one.
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
redis_port=$((20000 + RANDOM % 20000))
while ! port_is_free "$redis_port"; do redis_port=$((redis_port + 1)); done
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
wait_for_pong "$redis_port" redis-server

echo "redis-benchmark -t $TESTS -c $CLIENTS -n $REQUESTS -P $PIPELINE, $ROUNDS rounds, median rps" >&2
for round in $(seq "$ROUNDS"); do
    for server in mini redis; do
        port=$mini_port
        [ "$server" = redis ] && port=$redis_port
        redis-benchmark -p "$port" -t "$TESTS" -c "$CLIENTS" -n "$REQUESTS" -P "$PIPELINE" --csv \
            2>/dev/null | tr -d '"' | awk -F, 'NR > 1 { print $1, $2 }' >"$work/$server.$round"
        echo "round $round $server: $(tr '\n' ' ' <"$work/$server.$round")" >&2
    done
done

# The median of the rps numbers of test $2 for server $1.
median() {
    cat "$work/$1".* | awk -v t="$2" '$1 == t { print $2 }' | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

echo "| test | mini_redis rps | redis-server rps | ratio |"
echo "|---|---:|---:|---:|"
for test in $(awk '{ print $1 }' "$work/mini.1"); do
    ours=$(median mini "$test")
    theirs=$(median redis "$test")
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    echo "| $test | $ours | $theirs | ${ratio}x |"
done
