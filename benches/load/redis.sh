#!/usr/bin/env bash
# redis-benchmark against mini_redis (runtime/examples/mini_redis, on our runtime) and the real
# redis-server, on loopback: the same tests, clients and request count against each, ROUNDS
# rounds taken in turn, and the median rps of each test printed as a markdown table with the
# ratio mini_redis / redis-server. A `redis-cli ping` smoke test checks both answer first.
#
#   benches/load/redis.sh
# Settings (environment): CLIENTS=50 REQUESTS=200000 ROUNDS=3 TESTS=ping,set,get PIPELINE=1
set -euo pipefail
source "$(dirname "$0")/common.sh"

CLIENTS=${CLIENTS:-50}
REQUESTS=${REQUESTS:-200000}
ROUNDS=${ROUNDS:-3}
TESTS=${TESTS:-ping,set,get}
PIPELINE=${PIPELINE:-1}

install_packages redis-server redis-server
install_packages redis-benchmark redis-tools
cd "$ROOT"
cargo build --release --quiet -p runtime --example mini_redis

work=$(mktemp -d)
start_server "$work/mini.log" target/release/examples/mini_redis 127.0.0.1:0
mini_pid=$SERVER_PID mini_port=${SERVER_ADDR##*:}
# redis-server prints no `listening on` line: give it a free port and wait for its PONG.
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
redis_port=$((20000 + RANDOM % 20000))
while ! port_is_free "$redis_port"; do redis_port=$((redis_port + 1)); done
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
PIDS+=("$redis_pid")

for port in "$mini_port" "$redis_port"; do
    for _ in $(seq 100); do
        [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break
        sleep 0.1
    done
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] || { echo "port $port: no PONG" >&2; exit 1; }
done

echo "redis-benchmark -t $TESTS -c $CLIENTS -n $REQUESTS -P $PIPELINE, $ROUNDS rounds" >&2
for round in $(seq "$ROUNDS"); do
    for server in mini redis; do
        port=$mini_port
        [ "$server" = redis ] && port=$redis_port
        redis-benchmark -p "$port" -t "$TESTS" -c "$CLIENTS" -n "$REQUESTS" -P "$PIPELINE" --csv \
            2>/dev/null | tr -d '"' | awk -F, 'NR > 1 { print $1, $2 }' >"$work/$server.$round"
        echo "  round $round $server: $(tr '\n' ' ' <"$work/$server.$round")" >&2
    done
done

# rps SERVER TEST: every round's rps of TEST against SERVER.
rps() { cat "$work/$1".* | awk -v t="$2" '$1 == t { print $2 }'; }

echo "| test | mini_redis (req/s) | redis-server (req/s) | ratio |"
echo "|---|---:|---:|---:|"
for test in $(awk '{ print $1 }' "$work/mini.1"); do
    # shellcheck disable=SC2046 # one number per word
    ours=$(median $(rps mini "$test"))
    # shellcheck disable=SC2046
    theirs=$(median $(rps redis "$test"))
    printf '| %s | %.0f | %.0f | %s |\n' "$test" "$ours" "$theirs" "$(ratio "$ours" "$theirs")"
done

stop_server "$mini_pid"
stop_server "$redis_pid"
rm -rf "$work"
