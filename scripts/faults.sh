#!/usr/bin/env bash
# Injected faults (issue 15, item 5), one command for all of them.
#
# Usage, from anywhere in a clone (root on Debian installs wrk itself):
#
#   scripts/faults.sh                  # the in-process fault tests, then Redis under load
#   FAULTS_TESTS=0 scripts/faults.sh   # the Redis scenario only
#
# 1. The in-process fault tests, by name (`cargo test --all-features --test it faults::`,
#    tests/it/faults/): a user, revocation, session or throttle store that hangs or fails
#    (503 + Retry-After after the store time-out, within a bound); a panicking
#    requirement predicate or policy over a real socket (500 through the renderer, the
#    next request served); a JWKS endpoint that hangs, stalls mid-body, resets or serves
#    garbage or an oversized document (the keys held stay in use, an unknown kid is
#    refused within the fetch time-out, a rotated key is picked up afterwards).
# 2. Redis stopped and restarted under load:
#    - starts its own redis-server on a free loopback port, with AOF persistence
#      (appendfsync always) in a temporary directory, so what was written before the
#      crash (the revocation, the session) is there after the restart;
#    - builds and starts the reference server (`cargo build --release --example
#      reference`, PORTCULLIS_SEED=1) with PORTCULLIS_REDIS_URL on that Redis: its
#      revocations, refresh families, sessions and throttle counters live there; users
#      and API keys in SQLite;
#    - gets alice's JWT, session cookie and API key, and a JWT revoked at once (logout);
#    - runs wrk (FAULTS_CONNECTIONS connections, one per thread, so each answer is matched
#      to its request) for FAULTS_SECONDS, each request one kind at random:
#        jwt          alice's JWT (its jti is checked in Redis)     200; 503 while Redis is down
#        session      alice's cookie (the session is in Redis)      200; 503 while Redis is down
#        jwt_revoked  the logged-out JWT                            401; 503 while Redis is down
#        api_key      alice's API key (SQLite only, no Redis)       200 throughout
#      and, FAULTS_KILL_AT seconds in, kills Redis (SIGKILL), restarts it on the same port
#      and directory FAULTS_DOWN seconds later; the server is left alone;
#    - every answer is timestamped (10 ms buckets) and judged by when it arrived:
#      before the kill, while Redis was down (from FAULTS_GRACE_MS after the kill: an
#      answer Redis gave just before it died may still be on its way), after the restart.
#
# Fails (exit 1) on: a 200 for the revoked token at any time; a 200 for a Redis kind
# while Redis was down; any status not listed above; no 200 for jwt and session after the
# restart (the recovery must happen without restarting the server), or any 503 in the
# last FAULTS_SETTLE seconds; any socket error or timeout (the server never drops a
# connection); the server process not the one started (it must never restart); after the
# run, the revoked token accepted or alice's JWT and session refused.
#
# Environment (defaults in brackets):
#   FAULTS_TESTS [1]            run the in-process fault tests first (0: skip)
#   FAULTS_SECONDS [20]         duration of the load
#   FAULTS_KILL_AT [5]          seconds into the load when Redis is killed
#   FAULTS_DOWN [5]             seconds Redis stays down
#   FAULTS_GRACE_MS [200]       after the kill, answers that may still carry Redis' last word
#   FAULTS_SETTLE [3]           the last seconds, in which every answer must be as before
#   FAULTS_CONNECTIONS [32]     connections (wrk threads, one connection each)
#   FAULTS_TIMEOUT [10]         seconds before a request counts as a timeout
#   FAULTS_SERVER_CPU [0]       CPU list for the server (taskset -c)
#   FAULTS_CLIENT_CPU [1]       CPU list for wrk
#   FAULTS_PORT [18095]         the server's port
#   FAULTS_REDIS_PORT           Redis' port (default: a free one)
#   FAULTS_PROFILE [release]    the server's build: release (as load.sh and soak.sh), or
#                               debug (`cargo build --example reference`: no optimised
#                               build of the dependencies needed; what is judged here is
#                               correctness and recovery, not throughput)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

FAULTS_TESTS=${FAULTS_TESTS:-1}
FAULTS_SECONDS=${FAULTS_SECONDS:-20}
FAULTS_KILL_AT=${FAULTS_KILL_AT:-5}
FAULTS_DOWN=${FAULTS_DOWN:-5}
FAULTS_GRACE_MS=${FAULTS_GRACE_MS:-200}
FAULTS_SETTLE=${FAULTS_SETTLE:-3}
FAULTS_CONNECTIONS=${FAULTS_CONNECTIONS:-32}
FAULTS_TIMEOUT=${FAULTS_TIMEOUT:-10}
FAULTS_SERVER_CPU=${FAULTS_SERVER_CPU:-0}
FAULTS_CLIENT_CPU=${FAULTS_CLIENT_CPU:-1}
FAULTS_PORT=${FAULTS_PORT:-18095}
FAULTS_PROFILE=${FAULTS_PROFILE:-release}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-faults.XXXXXX")
REDIS_PREFIX="portcullis-faults-$$"
SERVER_PIDS=()
REDIS_PID=
WRK_PID=

# shellcheck source=scripts/lib/server.sh
source "$ROOT/scripts/lib/server.sh"
SERVER_CPU=$FAULTS_SERVER_CPU
REDIS_URL= # this run's Redis is its own and goes with its directory: nothing to clean up
[[ $((FAULTS_KILL_AT + FAULTS_DOWN + FAULTS_SETTLE)) -lt $FAULTS_SECONDS ]] ||
    die "FAULTS_KILL_AT + FAULTS_DOWN + FAULTS_SETTLE must be less than FAULTS_SECONDS"

cleanup() {
    [[ -n $WRK_PID ]] && kill "$WRK_PID" 2>/dev/null
    stop_servers
    [[ -n $REDIS_PID ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ms() { date +%s%3N; }

echo "== machine"
print_machine
install_wrk || die "wrk is needed (its Lua hooks time and check every answer): apt-get install wrk"
for tool in redis-server redis-cli taskset curl python3; do
    command -v "$tool" >/dev/null || die "$tool is needed"
done
echo "load:    $(wrk --version 2>&1 | head -n1 | sed 's/ Copyright.*//')"
echo "redis:   $(redis-server --version)"
echo

# --- 1. the in-process fault tests ----------------------------------------------------
TESTS_RESULT="skipped (FAULTS_TESTS=0)"
if [[ $FAULTS_TESTS != 0 ]]; then
    echo "== in-process fault tests: cargo test --all-features --test it faults::"
    if cargo test --all-features --test it faults:: 2>&1 | tee "$WORK/tests.log" | grep -E '^test |^test result'; then
        TESTS_RESULT=$(grep '^test result' "$WORK/tests.log" | tail -n1)
    else
        TESTS_RESULT="FAILED"
    fi
    grep -q '^test result: ok' "$WORK/tests.log" || TESTS_RESULT="FAILED: $(grep '^test result' "$WORK/tests.log" | tail -n1)"
    echo
fi

# --- 2. Redis stopped and restarted under load ----------------------------------------
REDIS_PORT=${FAULTS_REDIS_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
mkdir -p "$WORK/redis"
start_redis() {
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --appendonly yes \
        --appendfsync always --save '' --daemonize no >>"$WORK/redis.log" 2>&1 &
    REDIS_PID=$!
    local i
    for i in $(seq 1 100); do
        redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
        sleep 0.05
    done
    cat "$WORK/redis.log" >&2
    die "redis-server did not answer on port $REDIS_PORT"
}
start_redis
echo "== Redis stopped and restarted under load"
echo "redis:   127.0.0.1:$REDIS_PORT (AOF, appendfsync always, in $WORK/redis)"

case $FAULTS_PROFILE in
    release) build_server ;;
    debug)
        say "building the reference server (debug)"
        cargo build --example reference >&2
        SERVER="$CARGO_TARGET_DIR/debug/examples/reference"
        SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
        ;;
    *) die "FAULTS_PROFILE must be release or debug" ;;
esac
echo "server:  $SERVER ($FAULTS_PROFILE build)"
BASE="http://127.0.0.1:$FAULTS_PORT"
start_server "$FAULTS_PORT" "sqlite://$WORK/faults.db?mode=rwc" "redis://127.0.0.1:$REDIS_PORT/0" "$WORK/server.log"
PID=${SERVER_PIDS[0]}

login "$BASE" # JWT, API_KEY, COOKIE, BASIC (alice)
check_schemes "$BASE"
pair=$(token_login "$BASE" alice alice-password-1)
JWT_REVOKED=$(json_field access_token <<<"$pair")
refresh=$(json_field refresh_token <<<"$pair")
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $JWT_REVOKED" \
    -H 'content-type: application/json' -d "{\"refresh_token\":\"$refresh\"}" "$BASE/auth/logout")
[[ $status == 204 ]] || die "POST /auth/logout answered $status"
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $JWT_REVOKED" "$BASE/me")
[[ $status == 401 ]] || die "the revoked token answered $status before the run"

LUA="$WORK/faults.lua"
cat >"$LUA" <<'LUA'
-- One connection per thread: response() answers this thread's last request(). Each
-- answer is counted by (10 ms bucket of its arrival, kind, status).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } faults_timeval;
int gettimeofday(faults_timeval *tv, void *tz);
]]
local tv = ffi.new("faults_timeval")
local function bucket()
   ffi.C.gettimeofday(tv, nil)
   return tonumber(tv.tv_sec) * 100 + math.floor(tonumber(tv.tv_usec) / 10000)
end

local threads = {}
function setup(thread)
   thread:set("index", #threads)
   table.insert(threads, thread)
end

function init(args)
   local env = os.getenv
   local function kind(name, header, value)
      local headers = { Host = wrk.host .. ":" .. wrk.port }
      headers[header] = value
      return { name = name, request = wrk.format("GET", "/me", headers) }
   end
   kinds = {
      kind("jwt", "Authorization", "Bearer " .. env("JWT")),
      kind("session", "Cookie", env("COOKIE")),
      kind("jwt_revoked", "Authorization", "Bearer " .. env("JWT_REVOKED")),
      kind("api_key", "X-API-Key", env("API_KEY")),
   }
   math.randomseed(os.time() * 1000 + index)
   counts = {}
   current = nil
end

function request()
   current = kinds[math.random(#kinds)]
   return current.request
end

function response(status, headers, body)
   if not current then return end
   local key = bucket() .. " " .. current.name .. " " .. status
   counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, t in ipairs(threads) do
      for key, n in pairs(t:get("counts")) do total[key] = (total[key] or 0) + n end
   end
   for key, n in pairs(total) do io.write("B " .. key .. " " .. n .. "\n") end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.timeout))
end
LUA

say "load: ${FAULTS_SECONDS}s, $FAULTS_CONNECTIONS connections; Redis killed at ${FAULTS_KILL_AT}s for ${FAULTS_DOWN}s"
export JWT COOKIE JWT_REVOKED API_KEY
T_START=$(ms)
taskset -c "$FAULTS_CLIENT_CPU" wrk -t "$FAULTS_CONNECTIONS" -c "$FAULTS_CONNECTIONS" -d "${FAULTS_SECONDS}s" \
    --timeout "${FAULTS_TIMEOUT}s" -s "$LUA" "$BASE/" >"$WORK/wrk.out" 2>&1 &
WRK_PID=$!
sleep "$FAULTS_KILL_AT"
T_KILL=$(ms)
kill -9 "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=
say "redis killed"
sleep "$FAULTS_DOWN"
T_RESTART=$(ms)
start_redis
T_REDIS_UP=$(ms)
say "redis restarted (answering PING after $((T_REDIS_UP - T_RESTART)) ms)"
wait "$WRK_PID" || {
    cat "$WORK/wrk.out" >&2
    die "wrk failed"
}
WRK_PID=

# --- after the run --------------------------------------------------------------------
AFTER=()
alive="yes, the same process (pid $PID)"
kill -0 "$PID" 2>/dev/null || alive="NO: the server exited"
status() { curl -sS -o /dev/null -w '%{http_code}' -H "$1" "$BASE/me"; }
AFTER+=("revoked JWT $(status "Authorization: Bearer $JWT_REVOKED")")
AFTER+=("jwt $(status "Authorization: Bearer $JWT")")
AFTER+=("session $(status "Cookie: $COOKIE")")
AFTER+=("api_key $(status "X-API-Key: $API_KEY")")

python3 - "$WORK/wrk.out" "$T_START" "$T_KILL" "$T_RESTART" "$T_REDIS_UP" "$FAULTS_GRACE_MS" \
    "$FAULTS_SETTLE" "$alive" "$TESTS_RESULT" "${AFTER[@]}" <<'PY'
import collections, re, sys
out, t_start, t_kill, t_restart, t_up, grace, settle, alive, tests = sys.argv[1:10]
after = sys.argv[10:]
t_start, t_kill, t_restart, t_up, grace = map(int, (t_start, t_kill, t_restart, t_up, grace))
settle = int(settle) * 1000
rows, result = [], None
for line in open(out):
    if line.startswith("B "):
        _, b, kind, status, n = line.split()
        rows.append((int(b) * 10, kind, int(status), int(n)))
    elif line.startswith("RESULT "):
        result = dict(kv.split("=") for kv in line.split()[1:])
failed = []
if result is None:
    print(open(out).read())
    sys.exit("no result from wrk")
end = max(t for t, *_ in rows)
REDIS_KINDS = ("jwt", "session", "jwt_revoked")
normal = {"jwt": 200, "session": 200, "jwt_revoked": 401, "api_key": 200}

def phase(t):
    # A bucket [t, t + 10) is judged by its start; the grace covers its width too.
    if t + 10 <= t_kill:
        return "before"
    if t < t_kill + grace:
        return "grace"
    if t + 10 <= t_restart:
        return "down"
    return "after"

table = collections.defaultdict(collections.Counter)  # (phase, kind) -> status -> n
for t, kind, status, n in rows:
    p = phase(t)
    table[(p, kind)][status] += n
    if kind == "jwt_revoked" and status == 200:
        failed.append(f"the revoked token got 200 ({n}) at +{t - t_kill} ms from the kill")
    allowed = {normal[kind]}
    if kind in REDIS_KINDS and p in ("grace", "down", "after"):
        allowed.add(503)
    if kind in REDIS_KINDS and p == "down":
        allowed = {503}
    if p == "after" and t >= end - settle:
        allowed = {normal[kind]}
    if status not in allowed:
        failed.append(f"{kind}: {n} x {status} {p} (at {t - t_start} ms into the load)")

# Recovery: the first 200 of each Redis kind after the restart, and the last 503 of any.
recovery = {}
for kind in ("jwt", "session"):
    first = min((t for t, k, s, _ in rows if k == kind and s == 200 and t >= t_restart), default=None)
    recovery[kind] = first
    if first is None:
        failed.append(f"{kind}: no 200 after the restart")
last_503 = max((t for t, k, s, _ in rows if s == 503 and t >= t_restart), default=None)
first_503 = min((t for t, k, s, _ in rows if s == 503), default=None)
if first_503 is None:
    failed.append("no 503 at all: Redis was never missed")
for name in ("connect", "read", "write", "timeout"):
    if int(result[name]) != 0:
        failed.append(f"{result[name]} socket {name} errors")
if not alive.startswith("yes"):
    failed.append(f"server: {alive}")
want_after = {"revoked JWT": "401", "jwt": "200", "session": "200", "api_key": "200"}
for item in after:
    name, status = item.rsplit(" ", 1)
    if status != want_after[name]:
        failed.append(f"after the run, {name} answered {status}")
if tests.startswith("FAILED"):
    failed.append(f"in-process fault tests: {tests}")

us = lambda key: f"{int(result[key]) / 1000:.1f} ms"
print(f"load:     {result['requests']} requests in {result['seconds']} s ({float(result['rps']):.0f}/s), "
      f"p50 {us('p50_us')}, p99 {us('p99_us')}, max {us('max_us')}")
print(f"sockets:  connect {result['connect']}, read {result['read']}, write {result['write']}, timeout {result['timeout']}")
print(f"timeline: Redis killed at +{t_kill - t_start} ms, restarted at +{t_restart - t_start} ms "
      f"(PING after {t_up - t_restart} ms), load ended at +{end - t_start} ms")
print()
print(f"{'phase':<8} {'kind':<12} answers by status")
for p in ("before", "grace", "down", "after"):
    for kind in ("jwt", "session", "jwt_revoked", "api_key"):
        c = table.get((p, kind))
        if c:
            print(f"{p:<8} {kind:<12} " + ", ".join(f"{s}: {n}" for s, n in sorted(c.items())))
print()
if first_503 is not None:
    print(f"first 503:     +{first_503 - t_kill} ms after the kill")
for kind, first in recovery.items():
    if first is not None:
        print(f"recovery:      {kind} 200 again {first - t_restart} ms after the restart (10 ms buckets)")
if last_503 is not None:
    print(f"last 503:      {last_503 - t_restart} ms after the restart")
else:
    print("last 503:      none after the restart")
print(f"server:        {alive}")
print(f"after the run: " + ", ".join(after))
print(f"tests:         {tests}")
print()
if failed:
    for f in failed[:40]:
        print("FAILED:", f)
    sys.exit(1)
print("PASSED: fail closed while Redis was down (no 200 for a Redis credential, none ever for the "
      "revoked token), recovered without a restart, no wrong admission, no dropped connection")
PY
