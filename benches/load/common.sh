# Shared by the load scripts: package installs, server start/stop, medians.
# Sourced, not run. Expects `set -euo pipefail` in the caller.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# install_packages CMD PACKAGE...: installs PACKAGEs from Debian's archive unless CMD exists.
install_packages() {
    local cmd=$1
    shift
    command -v "$cmd" >/dev/null 2>&1 && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing $* (for $cmd)" >&2
    $sudo apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
        { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

# start_server LOG CMD...: starts CMD (which prints `listening on ADDR` first) and, once it
# listens, sets SERVER_PID and SERVER_ADDR. Call it directly, not in `$(...)`.
start_server() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 200); do
        if grep -q '^listening on ' "$log" 2>/dev/null; then
            SERVER_PID=$pid
            SERVER_ADDR=$(sed -n 's/^listening on //p' "$log" | head -n1)
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 0.05
    done
    echo "server did not start: $*" >&2
    return 1
}

# stop_server PID: interrupts it (graceful shutdown) and waits.
stop_server() {
    kill -INT "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# median N...: the median of the numbers given.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B with two decimals.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
