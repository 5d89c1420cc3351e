#!/usr/bin/env bash
# Load test of the reference server (issue 16, items 4 and 6).
#
# Usage, from anywhere in a clone (root on Debian installs the load generator itself):
#
#   scripts/load.sh                       # three configurations, 10 s per route
#   LOAD_SECONDS=30 scripts/load.sh       # longer runs
#
# What it does:
#   1. prints the machine (nproc, CPU model, kernel), the git commit and the tool versions;
#   2. installs the load generator when missing, builds the server with
#      `cargo build --release --example reference`;
#   3. for each configuration below, starts the server (PORTCULLIS_SEED=1: alice, carol, bob)
#      pinned with `taskset -c $LOAD_SERVER_CPU`, logs in once per scheme (a JWT from
#      /auth/login, an API key from POST /api-keys, a session cookie from /session/login,
#      Basic for alice), then loads for LOAD_SECONDS each `GET /posts` anonymously (the
#      public route) and `GET /me` once per scheme (jwt, api_key, session, basic), with the
#      load generator pinned with `taskset -c $LOAD_CLIENT_CPU`;
#   4. fails when any response was not 2xx or any socket error happened, and prints a table:
#      requests/s, p50, p99, the ratio to the public route of the same configuration, and
#      the server's CPU use during the run (near 100% = the server's core was the limit;
#      well below = something else was: the load generator, Redis, a lock).
#
# Configurations:
#   memory  one server, in-memory revocation/session/throttle stores;
#   redis   one server, Redis stores (PORTCULLIS_REDIS_URL=$LOAD_REDIS_URL);
#   redis2  two servers on two ports sharing that Redis and one SQLite file, both pinned
#           to the server core (together they get the same CPU as `redis`: this measures
#           what sharing state costs, not scaling — 2 cores cannot show scaling honestly);
#           one wrk process with two threads, each thread connected to one of the two
#           servers (the Lua `setup` sets `thread.addr`), so the connections are split
#           evenly and the latencies of both land in one histogram.
#   Redis itself is not pinned (it is the machine's service): during the redis runs it
#   takes CPU from whichever core it runs on, and that is part of what is measured.
#   Every configuration uses an SQLite file in a temporary directory (the server's
#   default kind of database, max 1 pooled connection); LOAD_DATABASE_URL overrides it
#   (e.g. postgres://...; then it is shared as is, and seeded users already there are kept).
#
# Environment (defaults in brackets):
#   LOAD_SECONDS [10]            duration per route
#   LOAD_WARMUP [2]              seconds of unmeasured load on the public route after each start
#   LOAD_ROUNDS [3]              rounds of public, jwt, api_key, session in turn (Basic in the
#                                first only); each route's row is its median round, so a
#                                drift of the machine during a run hits every route alike
#   LOAD_CONNECTIONS [50]        concurrent connections (public, jwt, api_key, session)
#   LOAD_BASIC_CONNECTIONS [2]   connections for basic: each request runs argon2id, and the
#                                server queues at most 4 per hashing thread before answering
#                                503 (its hashing threads follow the CPUs it may use: 1 here)
#   LOAD_TIMEOUT [10]            seconds before a request counts as a timeout (socket error)
#   LOAD_SERVER_CPU [0]          CPU list for the server(s) (taskset -c)
#   LOAD_CLIENT_CPU [1]          CPU list for the load generator
#   LOAD_PORT [18080]            first port (redis2 also uses LOAD_PORT+1)
#   LOAD_REDIS_URL [redis://127.0.0.1:6379/13]  Redis for the redis configurations; the
#                                keys are under a prefix unique to this run, and only those
#                                keys are deleted at the end (nothing is flushed)
#   LOAD_CONFIGS [memory redis redis2]  which configurations to run
#   LOAD_DATABASE_URL            see above
#   LOAD_TOOL [wrk if present, else oha]  force the load generator
#
# The load generator: wrk. It is one `apt-get install` away on Debian (no compile on a
# 2-core machine), it is single-process and event-driven so one pinned thread saturates
# a server core on loopback, and its Lua hooks give exact per-response status counting
# and thread-to-address assignment (needed for redis2). Without root or apt the script
# falls back to `cargo install oha --locked` (crates.io is reachable where cargo is), whose
# JSON output gives the same numbers; oha's per-address split is not available, so redis2
# then runs one oha per server at the same time and adds their requests/s (its p50/p99
# are the worse of the two).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

LOAD_SECONDS=${LOAD_SECONDS:-10}
LOAD_ROUNDS=${LOAD_ROUNDS:-3}
LOAD_WARMUP=${LOAD_WARMUP:-2}
LOAD_CONNECTIONS=${LOAD_CONNECTIONS:-50}
LOAD_BASIC_CONNECTIONS=${LOAD_BASIC_CONNECTIONS:-2}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-10}
LOAD_SERVER_CPU=${LOAD_SERVER_CPU:-0}
LOAD_CLIENT_CPU=${LOAD_CLIENT_CPU:-1}
LOAD_PORT=${LOAD_PORT:-18080}
LOAD_REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/13}
LOAD_CONFIGS=${LOAD_CONFIGS:-memory redis redis2}
LOAD_DATABASE_URL=${LOAD_DATABASE_URL:-}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-load.XXXXXX")
REDIS_PREFIX="portcullis-load-$$-$RANDOM"
SERVER_PIDS=()

# shellcheck source=scripts/lib/server.sh
source "$ROOT/scripts/lib/server.sh"
SERVER_CPU=$LOAD_SERVER_CPU
REDIS_URL=
[[ $LOAD_CONFIGS == *redis* ]] && REDIS_URL=$LOAD_REDIS_URL

cleanup() {
    stop_servers
    redis_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the machine ----------------------------------------------------------------------
echo "== machine"
print_machine

# --- the load generator ---------------------------------------------------------------
if [[ -z ${LOAD_TOOL:-} ]]; then
    if ! command -v oha >/dev/null && ! install_wrk; then
        say "installing oha (cargo install oha --locked)"
        cargo install oha --locked >&2
    fi
    if command -v wrk >/dev/null; then LOAD_TOOL=wrk; else LOAD_TOOL=oha; fi
fi
command -v "$LOAD_TOOL" >/dev/null || die "$LOAD_TOOL is not installed"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
command -v curl >/dev/null || die "curl is needed"
case $LOAD_TOOL in
    wrk) echo "load:    $(wrk --version 2>&1 | head -n1 | sed 's/ Copyright.*//')" ;;
    oha) echo "load:    $(oha --version)" ;;
    *) die "LOAD_TOOL must be wrk or oha" ;;
esac
if [[ $LOAD_CONFIGS == *redis* ]]; then
    echo "redis:   $(redis-cli -u "$LOAD_REDIS_URL" info server 2>/dev/null | sed -n 's/^redis_version:\(.*\)\r$/\1/p') at $LOAD_REDIS_URL (keys under $REDIS_PREFIX)"
fi
echo "pinning: server(s) on CPU $LOAD_SERVER_CPU, load generator on CPU $LOAD_CLIENT_CPU, Redis unpinned"
echo "load:    ${LOAD_SECONDS}s per route and round, $LOAD_ROUNDS rounds (medians), after ${LOAD_WARMUP}s warm-up, $LOAD_CONNECTIONS connections ($LOAD_BASIC_CONNECTIONS for basic)"
echo

# --- the server -----------------------------------------------------------------------
build_server

WRK_LUA="$WORK/load.lua"
cat >"$WRK_LUA" <<'LUA'
-- Counts non-2xx answers per thread (response() runs in each thread's own Lua state),
-- gives thread i the i-th address of LOAD_PORTS (comma-separated; several servers), and
-- prints one machine-readable line in done().
local threads = {}
local addrs = nil

function setup(thread)
   local ports = os.getenv("LOAD_PORTS")
   if ports and not addrs then
      addrs = {}
      for port in string.gmatch(ports, "[^,]+") do
         table.insert(addrs, wrk.lookup(wrk.host, port)[1])
      end
   end
   if addrs then
      thread.addr = addrs[(#threads % #addrs) + 1]
   end
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
   bad = ""
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if #bad < 40 then bad = bad .. status .. " " end
   end
end

function done(summary, latency, requests)
   local n, seen = 0, ""
   for _, t in ipairs(threads) do
      n = n + t:get("non2xx")
      seen = seen .. t:get("bad")
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d bad=[%s]\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99), n,
      e.connect + e.read + e.write + e.timeout, seen))
end
LUA

# run_load SECONDS CONNECTIONS PORTS SCHEME: prints "rps p50_us p99_us client_cpu" and
# records non-2xx answers and socket errors in $WORK/failed.
run_load() {
    local seconds=$1 conns=$2 ports=$3 scheme=$4 header path=/me out
    header=$(header_for "$scheme")
    [[ $scheme == public ]] && path=/posts
    out="$WORK/out.$RANDOM"
    local nports
    nports=$(tr ',' '\n' <<<"$ports" | wc -l)
    if [[ $LOAD_TOOL == wrk ]]; then
        local args=(-t "$nports" -c "$conns" -d "${seconds}s" --timeout "${LOAD_TIMEOUT}s" -s "$WRK_LUA")
        [[ -n $header ]] && args+=(-H "$header")
        # `time` gives wrk's own CPU time: near one core means the load generator was the limit.
        local TIMEFORMAT='%R %U %S'
        { time LOAD_PORTS=$ports taskset -c "$LOAD_CLIENT_CPU" wrk "${args[@]}" "http://127.0.0.1:${ports%%,*}$path" >"$out" 2>&1; } 2>"$out.time" || {
            cat "$out" >&2
            die "wrk failed"
        }
        local line
        line=$(grep '^RESULT ' "$out") || {
            cat "$out" >&2
            die "no result from wrk"
        }
        local rps p50 p99 non2xx sock bad
        rps=$(sed 's/.* rps=\([^ ]*\).*/\1/' <<<"$line")
        p50=$(sed 's/.* p50_us=\([^ ]*\).*/\1/' <<<"$line")
        p99=$(sed 's/.* p99_us=\([^ ]*\).*/\1/' <<<"$line")
        non2xx=$(sed 's/.* non2xx=\([^ ]*\).*/\1/' <<<"$line")
        sock=$(sed 's/.* socket_errors=\([^ ]*\).*/\1/' <<<"$line")
        bad=$(sed 's/.* bad=\[\(.*\)\].*/\1/' <<<"$line")
        if [[ $non2xx != 0 || $sock != 0 ]]; then
            say "$scheme: $non2xx non-2xx answers (first: $bad), $sock socket errors"
            echo "$scheme" >>"$WORK/failed"
        fi
        echo "$rps $p50 $p99 $(awk '{ printf "%.0f%%", 100 * ($2 + $3) / $1 }' "$out.time")"
    else
        # oha: one process per server, at the same time, connections split evenly.
        local port per=$((conns / nports)) pids=() files=() i=0
        [[ $per -ge 1 ]] || per=1
        for port in ${ports//,/ }; do
            local f="$out.$i.json" a=(-z "${seconds}s" -c "$per" -t "${LOAD_TIMEOUT}s" --no-tui --output-format json)
            [[ -n $header ]] && a+=(-H "$header")
            taskset -c "$LOAD_CLIENT_CPU" oha "${a[@]}" "http://127.0.0.1:$port$path" >"$f" 2>"$f.err" &
            pids+=($!)
            files+=("$f")
            i=$((i + 1))
        done
        for i in "${!pids[@]}"; do wait "${pids[$i]}" || die "oha failed: $(cat "${files[$i]}.err")"; done
        python3 - "$scheme" "$WORK/failed" "${files[@]}" <<'PY'
import json, sys
scheme, failed, files = sys.argv[1], sys.argv[2], sys.argv[3:]
rps = p50 = p99 = 0.0
bad = errors = 0
for f in files:
    d = json.load(open(f))
    rps += d["summary"]["requestsPerSec"]
    p = d["latencyPercentiles"]
    p50 = max(p50, (p.get("p50") or 0) * 1e6)
    p99 = max(p99, (p.get("p99") or 0) * 1e6)
    bad += sum(n for code, n in d.get("statusCodeDistribution", {}).items() if not code.startswith("2"))
    errors += sum(d.get("errorDistribution", {}).values())
if bad or errors:
    print(f"{scheme}: {bad} non-2xx answers, {errors} socket errors", file=sys.stderr)
    open(failed, "a").write(scheme + "\n")
print(f"{rps:.1f} {p50:.0f} {p99:.0f} -")
PY
    fi
}

fmt_ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }

RESULTS="$WORK/results"
: >"$RESULTS"

# measure CONFIG PORTS: warm-up, then LOAD_ROUNDS rounds of every route (Basic in the
# first round only), so that the public route and the others are measured interleaved;
# appends to RESULTS, per route, the round with the median requests/s.
measure() {
    local config=$1 ports=$2 scheme conns before after redis_before redis_after base_rps
    local t0 t1 wall rps p50 p99 client cpu redis_cpu=- ratio redis_pid="" round rows
    if [[ $config == redis* ]]; then
        # Read-only: the machine's Redis, for its CPU use during each run.
        redis_pid=$(pgrep -o -x redis-server || true)
    fi
    say "[$config] warm-up ${LOAD_WARMUP}s"
    run_load "$LOAD_WARMUP" "$LOAD_CONNECTIONS" "$ports" public >/dev/null
    rows="$WORK/rounds-$config"
    : >"$rows"
    for ((round = 1; round <= LOAD_ROUNDS; round++)); do
        for scheme in public jwt api_key session basic; do
            [[ $scheme == basic && $round -gt 1 ]] && continue
            conns=$LOAD_CONNECTIONS
            [[ $scheme == basic ]] && conns=$LOAD_BASIC_CONNECTIONS
            say "[$config] round $round/$LOAD_ROUNDS, $scheme: ${LOAD_SECONDS}s, $conns connections"
            before=$(ticks "${SERVER_PIDS[@]}")
            [[ -n $redis_pid ]] && redis_before=$(ticks "$redis_pid")
            t0=$(date +%s.%N)
            run_load "$LOAD_SECONDS" "$conns" "$ports" "$scheme" >"$WORK/row"
            read -r rps p50 p99 client <"$WORK/row"
            t1=$(date +%s.%N)
            after=$(ticks "${SERVER_PIDS[@]}")
            wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
            cpu=$(awk -v d=$((after - before)) -v hz="$CLK_TCK" -v t="$wall" 'BEGIN { printf "%.0f%%", 100 * d / hz / t }')
            if [[ -n $redis_pid ]]; then
                redis_after=$(ticks "$redis_pid")
                redis_cpu=$(awk -v d=$((redis_after - redis_before)) -v hz="$CLK_TCK" -v t="$wall" 'BEGIN { printf "%.0f%%", 100 * d / hz / t }')
            fi
            echo "$scheme $conns $rps $p50 $p99 $cpu $client $redis_cpu" >>"$rows"
        done
    done
    # The median round of each route (by requests/s); the ratio compares medians.
    median_row() { awk -v s="$1" '$1 == s' "$rows" | sort -k3,3g | awk '{ r[NR] = $0 } END { print r[int((NR + 1) / 2)] }'; }
    base_rps=$(median_row public | awk '{ print $3 }')
    for scheme in public jwt api_key session basic; do
        read -r _ conns rps p50 p99 cpu client redis_cpu <<<"$(median_row "$scheme")"
        ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { printf "%.1f%%", 100 * a / b }')
        printf '%-7s %-6s %-8s %5s %11.1f %10s %10s %7s %7s %7s %7s\n' "$config" \
            "$([[ $scheme == public ]] && echo /posts || echo /me)" "$scheme" "$conns" "$rps" \
            "$(fmt_ms "$p50")" "$(fmt_ms "$p99")" "$ratio" "$cpu" "$client" "$redis_cpu" >>"$RESULTS"
    done
    say "[$config] requests/s per round: $(awk '{ printf "%s %.0f; ", $1, $3 }' "$rows")"
}
CLK_TCK=$(getconf CLK_TCK)

db_url() {
    if [[ -n $LOAD_DATABASE_URL ]]; then
        echo "$LOAD_DATABASE_URL"
    else
        echo "sqlite://$WORK/$1.db?mode=rwc"
    fi
}

for config in $LOAD_CONFIGS; do
    port=$LOAD_PORT
    case $config in
        memory)
            start_server "$port" "$(db_url memory)" "" "$WORK/server-memory.log"
            login "http://127.0.0.1:$port"
            check_schemes "http://127.0.0.1:$port"
            measure memory "$port"
            ;;
        redis)
            start_server "$port" "$(db_url redis)" "$LOAD_REDIS_URL" "$WORK/server-redis.log"
            login "http://127.0.0.1:$port"
            check_schemes "http://127.0.0.1:$port"
            measure redis "$port"
            ;;
        redis2)
            # The second server starts once the first has created and seeded the database.
            start_server "$port" "$(db_url redis2)" "$LOAD_REDIS_URL" "$WORK/server-redis2-a.log"
            start_server $((port + 1)) "$(db_url redis2)" "$LOAD_REDIS_URL" "$WORK/server-redis2-b.log"
            # Credentials from the first server; the checks on the second show the sharing
            # (the session lives only in Redis, the API key only in the shared database).
            login "http://127.0.0.1:$port"
            check_schemes "http://127.0.0.1:$port"
            check_schemes "http://127.0.0.1:$((port + 1))"
            measure redis2 "$port,$((port + 1))"
            ;;
        *) die "unknown configuration $config (memory, redis, redis2)" ;;
    esac
    stop_servers
    sleep 1
done

echo "== results (ratio = requests/s against /posts of the same configuration;"
echo "   server/client/redis = CPU time of the server processes / of the load generator / of"
echo "   redis-server over the run's wall time, 100% = one core)"
printf '%-7s %-6s %-8s %5s %11s %10s %10s %7s %7s %7s %7s\n' config route scheme conns "requests/s" p50 p99 ratio server client redis
cat "$RESULTS"
echo
awk '$3 == "jwt" { ratio = $(NF - 3); sub(/%/, "", ratio)
    printf "target (%s): jwt keeps %s%% of the public route'"'"'s requests/s (>= 80%%): %s\n", $1, ratio, (ratio + 0 >= 80 ? "met" : "MISSED") }' "$RESULTS"
if [[ -s $WORK/failed ]]; then
    die "some responses were not 2xx or had socket errors (above)"
fi
