#!/usr/bin/env bash
# Load and soak of the reference server (issue 15, item 4).
#
# Usage, from anywhere in a clone (root on Debian installs wrk itself):
#
#   scripts/soak.sh                         # 60 s, 256 connections, in-memory stores
#   SOAK_STORE=redis scripts/soak.sh        # the same with the Redis stores
#
# What it does:
#   1. prints the machine and the tool versions, builds the server
#      (`cargo build --release --example reference`), starts it (PORTCULLIS_SEED=1)
#      pinned with `taskset -c $SOAK_SERVER_CPU`;
#   2. gets the credentials: a JWT for alice and one for bob (/auth/login), an API key and
#      a session cookie for alice; a third JWT for alice that is revoked at once
#      (POST /auth/logout); an expired JWT (alice's claims with `exp` an hour ago, signed
#      with the server's own secret, so only the expiry is wrong); a tampered JWT (alice's,
#      one payload character changed, signature kept); an API key and a session cookie of
#      the right shape that were never issued; Basic for bob and Basic for carol with a
#      wrong password. Every kind is first checked once with curl (status as below);
#   3. runs one wrk (SOAK_CONNECTIONS connections, one per wrk thread, so each response
#      is matched to its request exactly) for SOAK_SECONDS, pinned with
#      `taskset -c $SOAK_CLIENT_CPU`. Each request picks a kind at random:
#
#        kind           request                               must answer
#        public         GET /posts, anonymous                 200 (sampled: a JSON array)
#        anonymous      GET /me, no credential                401
#        jwt            GET /me, alice's JWT                  200 (sampled: alice, jwt)
#        jwt_bob        GET /me, bob's JWT                    200 (sampled: bob, jwt)
#        jwt_tampered   GET /me, payload changed              401
#        jwt_expired    GET /me, expired, correctly signed    401
#        jwt_revoked    GET /me, logged out before the run    401
#        api_key        GET /me, alice's key                  200 (sampled: alice, api_key)
#        api_key_bad    GET /me, a key never issued           401
#        session        GET /me, alice's cookie               200 (sampled: alice, session)
#        session_bad    GET /me, a cookie never issued        401
#        basic          GET /me, bob's password               200 (sampled: bob, basic)
#        basic_malformed GET /me, Basic not in base64         401 (refused before any hash)
#        basic_wrong    GET /me, carol, wrong password        401, or 429 once throttled
#
#      Basic runs argon2id (tens of ms of the server's core) and the server queues at most
#      4 hashes per hashing thread before answering 503, so Basic has its own
#      SOAK_BASIC_CONNECTIONS threads (bob 3 : malformed 1 : carol 1); the other threads
#      send the other kinds. Wrong passwords are capped at SOAK_BASIC_WRONG for the whole
#      run (then bob is sent instead): the login throttle counts every failed password
#      from an address for 15 minutes and a success only takes back its own count, so
#      past 20 failures from 127.0.0.1 (the default ThrottleConfig) every password login
#      from it, bob's valid Basic and the fresh login at the end included, gets 429 until
#      the window ends: the documented lock-out, not something a soak can run through.
#      In each thread, the first and then every SOAK_SAMPLE-th answer of a kind is checked
#      for its body (the right user name and scheme; a JSON array for /posts).
#   4. samples the server's resident memory (VmRSS) every second; after the warm-up
#      (the first SOAK_WARMUP seconds) reports min/max/last;
#   5. after the run: the revoked JWT is still refused, and a fresh login works (its JWT
#      answers /me as alice).
#
# Fails (exit 1) on any 5xx, any answer not as above, any failed body sample, any
# connect/read/write socket error, more than SOAK_MAX_TIMEOUTS timeouts, resident memory
# at the end more than SOAK_RSS_GROWTH_MIB above its value at the end of the warm-up,
# the revoked token accepted, or the fresh login refused.
#
# Environment (defaults in brackets):
#   SOAK_SECONDS [60]             duration of the load
#   SOAK_CONNECTIONS [256]        connections in all (wrk threads, one connection each)
#   SOAK_BASIC_CONNECTIONS [2]    of those, the ones sending Basic
#   SOAK_STORE [memory]           memory | redis (PORTCULLIS_REDIS_URL=$SOAK_REDIS_URL)
#   SOAK_WARMUP [10]              seconds before the memory baseline
#   SOAK_RSS_GROWTH_MIB [20]      allowed growth of VmRSS from the end of warm-up to the end
#   SOAK_MAX_TIMEOUTS [0]         allowed request timeouts (SOAK_TIMEOUT each)
#   SOAK_TIMEOUT [10]             seconds before a request counts as a timeout
#   SOAK_BASIC_WRONG [10]         wrong Basic passwords sent during the run (see above)
#   SOAK_SAMPLE [100]             check the body of every n-th answer of a kind
#   SOAK_SERVER_CPU [0]           CPU list for the server (taskset -c)
#   SOAK_CLIENT_CPU [1]           CPU list for wrk
#   SOAK_PORT [18090]             the server's port
#   SOAK_REDIS_URL [redis://127.0.0.1:6379/13]  Redis of SOAK_STORE=redis; keys under a
#                                 prefix unique to this run, deleted at the end
#   SOAK_DATABASE_URL             the server's database (default: SQLite in a temporary
#                                 directory)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

SOAK_SECONDS=${SOAK_SECONDS:-60}
SOAK_CONNECTIONS=${SOAK_CONNECTIONS:-256}
SOAK_BASIC_CONNECTIONS=${SOAK_BASIC_CONNECTIONS:-2}
SOAK_STORE=${SOAK_STORE:-memory}
SOAK_WARMUP=${SOAK_WARMUP:-10}
SOAK_RSS_GROWTH_MIB=${SOAK_RSS_GROWTH_MIB:-20}
SOAK_MAX_TIMEOUTS=${SOAK_MAX_TIMEOUTS:-0}
SOAK_TIMEOUT=${SOAK_TIMEOUT:-10}
SOAK_SAMPLE=${SOAK_SAMPLE:-100}
SOAK_BASIC_WRONG=${SOAK_BASIC_WRONG:-10}
SOAK_SERVER_CPU=${SOAK_SERVER_CPU:-0}
SOAK_CLIENT_CPU=${SOAK_CLIENT_CPU:-1}
SOAK_PORT=${SOAK_PORT:-18090}
SOAK_REDIS_URL=${SOAK_REDIS_URL:-redis://127.0.0.1:6379/13}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-soak.XXXXXX")
REDIS_PREFIX="portcullis-soak-$$-$RANDOM"
SERVER_PIDS=()
SAMPLER_PID=

# shellcheck source=scripts/lib/server.sh
source "$ROOT/scripts/lib/server.sh"
SERVER_CPU=$SOAK_SERVER_CPU
case $SOAK_STORE in
    memory) REDIS_URL= ;;
    redis) REDIS_URL=$SOAK_REDIS_URL ;;
    *) die "SOAK_STORE must be memory or redis" ;;
esac
[[ $SOAK_BASIC_CONNECTIONS -ge 1 && $SOAK_CONNECTIONS -gt $SOAK_BASIC_CONNECTIONS ]] ||
    die "SOAK_CONNECTIONS must exceed SOAK_BASIC_CONNECTIONS (>= 1)"
[[ $SOAK_SECONDS -gt $SOAK_WARMUP ]] || die "SOAK_SECONDS must exceed SOAK_WARMUP"

cleanup() {
    [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null
    stop_servers
    redis_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== machine"
print_machine
install_wrk || die "wrk is needed (its Lua hooks check every answer): apt-get install wrk"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (to sign the expired token)"
echo "load:    $(wrk --version 2>&1 | head -n1 | sed 's/ Copyright.*//')"
if [[ -n $REDIS_URL ]]; then
    echo "redis:   $(redis-cli -u "$REDIS_URL" info server 2>/dev/null | sed -n 's/^redis_version:\(.*\)\r$/\1/p') at $REDIS_URL (keys under $REDIS_PREFIX)"
fi
echo "pinning: server on CPU $SOAK_SERVER_CPU, wrk on CPU $SOAK_CLIENT_CPU, Redis unpinned"
echo "soak:    ${SOAK_SECONDS}s, $SOAK_CONNECTIONS connections ($SOAK_BASIC_CONNECTIONS Basic), store $SOAK_STORE, warm-up ${SOAK_WARMUP}s"
echo

build_server
BASE="http://127.0.0.1:$SOAK_PORT"
start_server "$SOAK_PORT" "${SOAK_DATABASE_URL:-sqlite://$WORK/soak.db?mode=rwc}" "$REDIS_URL" "$WORK/server.log"
PID=${SERVER_PIDS[0]}

# --- the credentials ------------------------------------------------------------------
login "$BASE" # JWT, API_KEY, COOKIE, BASIC (alice)
check_schemes "$BASE"
JWT_BOB=$(token_login "$BASE" bob bob-password-1 | json_field access_token)
[[ -n $JWT_BOB ]] || die "no access token for bob"
pair=$(token_login "$BASE" alice alice-password-1)
JWT_REVOKED=$(json_field access_token <<<"$pair")
refresh=$(json_field refresh_token <<<"$pair")
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $JWT_REVOKED" \
    -H 'content-type: application/json' -d "{\"refresh_token\":\"$refresh\"}" "$BASE/auth/logout")
[[ $status == 204 ]] || die "POST /auth/logout answered $status"

# JWT_EXPIRED: alice's claims with exp an hour ago (iat and nbf before it), HS256 with
# the server's secret. JWT_TAMPERED: alice's token with one payload character changed.
read -r JWT_EXPIRED JWT_TAMPERED < <(SECRET=$SECRET python3 - "$JWT" <<'PY'
import base64, hashlib, hmac, json, os, sys, time
token = sys.argv[1]
head, payload, sig = token.split(".")
b64d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
b64e = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
claims = json.loads(b64d(payload))
now = int(time.time())
claims["exp"] = now - 3600
for claim in ("iat", "nbf"):
    if claim in claims:
        claims[claim] = now - 7200
body = head + "." + b64e(json.dumps(claims, separators=(",", ":")).encode())
mac = hmac.new(os.environ["SECRET"].encode(), body.encode(), hashlib.sha256).digest()
middle = len(payload) // 2
flipped = "A" if payload[middle] != "A" else "B"
print(body + "." + b64e(mac), head + "." + payload[:middle] + flipped + payload[middle + 1:] + "." + sig)
PY
)
# Never issued, of the issued ones' shape: the key's and the cookie value's last
# character changed.
last_changed() { local s=$1 c=${1: -1}; [[ $c == A ]] && echo "${s%?}B" || echo "${s%?}A"; }
API_KEY_BAD=$(last_changed "$API_KEY")
COOKIE_BAD=$(last_changed "$COOKIE")
BASIC_BOB="Basic $(printf 'bob:bob-password-1' | base64 | tr -d '\n')"
BASIC_WRONG="Basic $(printf 'carol:not-carols-password' | base64 | tr -d '\n')"
BASIC_MALFORMED="Basic $(printf 'bob:bob-password-1' | base64 | tr -d '\n=')*"

# expect KIND STATUS PATH [HEADER]: one request with curl before the run.
expect() {
    local kind=$1 want=$2 path=$3 header=${4:-} got
    local args=(-sS -o "$WORK/body" -w '%{http_code}')
    [[ -n $header ]] && args+=(-H "$header")
    got=$(curl "${args[@]}" "$BASE$path")
    [[ $got == "$want" ]] || die "before the run, $kind answered $got (expected $want): $(head -c 300 "$WORK/body")"
}
expect public 200 /posts
expect anonymous 401 /me
expect jwt 200 /me "Authorization: Bearer $JWT"
expect jwt_bob 200 /me "Authorization: Bearer $JWT_BOB"
expect jwt_tampered 401 /me "Authorization: Bearer $JWT_TAMPERED"
expect jwt_expired 401 /me "Authorization: Bearer $JWT_EXPIRED"
grep -qi 'exp' "$WORK/body" || die "the expired token was refused, but not for its expiry: $(head -c 300 "$WORK/body")"
expect jwt_revoked 401 /me "Authorization: Bearer $JWT_REVOKED"
expect api_key 200 /me "X-API-Key: $API_KEY"
expect api_key_bad 401 /me "X-API-Key: $API_KEY_BAD"
expect session 200 /me "Cookie: $COOKIE"
expect session_bad 401 /me "Cookie: $COOKIE_BAD"
expect basic 200 /me "Authorization: $BASIC_BOB"
expect basic_malformed 401 /me "Authorization: $BASIC_MALFORMED"
expect basic_wrong 401 /me "Authorization: $BASIC_WRONG"
say "every kind answered as expected before the run"

# --- the load -------------------------------------------------------------------------
LUA="$WORK/soak.lua"
cat >"$LUA" <<'LUA'
-- One connection per thread: response() always answers this thread's last request(),
-- so each answer is checked against the kind that was sent.
local threads = {}

function setup(thread)
   thread:set("index", #threads)
   table.insert(threads, thread)
end

local function kind(name, path, header, value, statuses, sample, weight)
   local headers = { Host = wrk.host .. ":" .. wrk.port }
   if header then headers[header] = value end
   local ok = {}
   for _, s in ipairs(statuses) do ok[s] = true end
   return { name = name, request = wrk.format("GET", path, headers), ok = ok,
            sample = sample, weight = weight }
end

function init(args)
   local env = os.getenv
   local basic = index < tonumber(env("SOAK_BASIC_CONNECTIONS"))
   every = tonumber(env("SOAK_SAMPLE"))
   kinds = {}
   if basic then
      kinds = {
         kind("basic", "/me", "Authorization", env("BASIC_BOB"), { 200 }, { '"username":"bob"', '"scheme":"basic"' }, 3),
         kind("basic_malformed", "/me", "Authorization", env("BASIC_MALFORMED"), { 401 }, nil, 1),
         kind("basic_wrong", "/me", "Authorization", env("BASIC_WRONG"), { 401, 429 }, nil, 1),
      }
      -- This thread's share of SOAK_BASIC_WRONG (see the script's header).
      local threads_basic = tonumber(env("SOAK_BASIC_CONNECTIONS"))
      local wrong = tonumber(env("SOAK_BASIC_WRONG"))
      kinds[3].limit = math.floor(wrong / threads_basic) + ((index < wrong % threads_basic) and 1 or 0)
   else
      local bearer = function(t) return "Bearer " .. env(t) end
      kinds = {
         kind("public", "/posts", nil, nil, { 200 }, { "^%[" }, 2),
         kind("anonymous", "/me", nil, nil, { 401 }, nil, 1),
         kind("jwt", "/me", "Authorization", bearer("JWT"), { 200 }, { '"username":"alice"', '"scheme":"jwt"' }, 3),
         kind("jwt_bob", "/me", "Authorization", bearer("JWT_BOB"), { 200 }, { '"username":"bob"', '"scheme":"jwt"' }, 1),
         kind("jwt_tampered", "/me", "Authorization", bearer("JWT_TAMPERED"), { 401 }, nil, 1),
         kind("jwt_expired", "/me", "Authorization", bearer("JWT_EXPIRED"), { 401 }, nil, 1),
         kind("jwt_revoked", "/me", "Authorization", bearer("JWT_REVOKED"), { 401 }, nil, 1),
         kind("api_key", "/me", "X-API-Key", env("API_KEY"), { 200 }, { '"username":"alice"', '"scheme":"api_key"' }, 2),
         kind("api_key_bad", "/me", "X-API-Key", env("API_KEY_BAD"), { 401 }, nil, 1),
         kind("session", "/me", "Cookie", env("COOKIE"), { 200 }, { '"username":"alice"', '"scheme":"session"' }, 2),
         kind("session_bad", "/me", "Cookie", env("COOKIE_BAD"), { 401 }, nil, 1),
      }
   end
   total_weight = 0
   for _, k in ipairs(kinds) do total_weight = total_weight + k.weight end
   math.randomseed(os.time() * 1000 + index)
   -- Per kind: answers, wrong statuses, sampled bodies, failed samples, 5xx, first wrong ones.
   count, wrong, sampled, sample_failed, fivexx, first = {}, {}, {}, {}, {}, {}
   for _, k in ipairs(kinds) do
      count[k.name], wrong[k.name], sampled[k.name], sample_failed[k.name], fivexx[k.name], first[k.name] = 0, 0, 0, 0, 0, ""
   end
   current = nil
end

function request()
   local r = math.random() * total_weight
   for _, k in ipairs(kinds) do
      r = r - k.weight
      if r < 0 then
         if k.limit then
            if k.limit <= 0 then k = kinds[1] else k.limit = k.limit - 1 end
         end
         current = k
         return k.request
      end
   end
   current = kinds[#kinds]
   return current.request
end

function response(status, headers, body)
   local k = current
   if not k then return end
   local name = k.name
   count[name] = count[name] + 1
   if status >= 500 then fivexx[name] = fivexx[name] + 1 end
   if not k.ok[status] then
      wrong[name] = wrong[name] + 1
      if #first[name] < 60 then first[name] = first[name] .. status .. " " end
   elseif k.sample and (count[name] - 1) % every == 0 then
      sampled[name] = sampled[name] + 1
      for _, pattern in ipairs(k.sample) do
         if not string.find(body or "", pattern, 1, pattern:sub(1, 1) ~= "^") then
            sample_failed[name] = sample_failed[name] + 1
            if #first[name] < 60 then first[name] = first[name] .. "body:" .. (body or ""):sub(1, 40) .. " " end
            break
         end
      end
   end
end

function done(summary, latency, requests)
   local totals, names = {}, {}
   for _, t in ipairs(threads) do
      local c, w, s, sf, f5, fi = t:get("count"), t:get("wrong"), t:get("sampled"),
         t:get("sample_failed"), t:get("fivexx"), t:get("first")
      for name, n in pairs(c) do
         local a = totals[name]
         if not a then
            a = { 0, 0, 0, 0, 0, "" }
            totals[name] = a
            table.insert(names, name)
         end
         a[1], a[2], a[3], a[4], a[5] = a[1] + n, a[2] + w[name], a[3] + s[name], a[4] + sf[name], a[5] + f5[name]
         if #a[6] < 60 then a[6] = a[6] .. fi[name] end
      end
   end
   table.sort(names)
   for _, name in ipairs(names) do
      local a = totals[name]
      io.write(string.format("KIND %s answers=%d wrong=%d sampled=%d sample_failed=%d 5xx=%d first=[%s]\n",
         name, a[1], a[2], a[3], a[4], a[5], a[6]))
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.timeout, e.status))
end
LUA

# The resident memory sampler: "seconds-since-start kB" every second until stopped.
(
    start=$(date +%s)
    while kill -0 "$PID" 2>/dev/null; do
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status" 2>/dev/null) || break
        echo "$(($(date +%s) - start)) $rss"
        sleep 1
    done
) >"$WORK/rss" &
SAMPLER_PID=$!

say "soak: ${SOAK_SECONDS}s, $SOAK_CONNECTIONS connections"
before=$(ticks "$PID")
t0=$(date +%s.%N)
export SOAK_BASIC_CONNECTIONS SOAK_BASIC_WRONG SOAK_SAMPLE JWT JWT_BOB JWT_TAMPERED JWT_EXPIRED JWT_REVOKED \
    API_KEY API_KEY_BAD COOKIE COOKIE_BAD BASIC_BOB BASIC_WRONG BASIC_MALFORMED
taskset -c "$SOAK_CLIENT_CPU" wrk -t "$SOAK_CONNECTIONS" -c "$SOAK_CONNECTIONS" -d "${SOAK_SECONDS}s" \
    --timeout "${SOAK_TIMEOUT}s" -s "$LUA" "$BASE/" >"$WORK/wrk.out" 2>&1 || {
    cat "$WORK/wrk.out" >&2
    die "wrk failed"
}
t1=$(date +%s.%N)
after=$(ticks "$PID")
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=
kill -0 "$PID" 2>/dev/null || {
    cat "$WORK/server.log" >&2
    die "the server died during the run"
}

# --- after the run --------------------------------------------------------------------
FAILED=()
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $JWT_REVOKED" "$BASE/me")
if [[ $status == 401 ]]; then
    after_revoked="refused (401)"
else
    after_revoked="ANSWERED $status"
    FAILED+=("the revoked token answered $status after the run")
fi
pair=$(curl -sS -w ' %{http_code}' -H 'content-type: application/json' \
    -d '{"username":"alice","password":"alice-password-1"}' "$BASE/auth/login" || true)
fresh=$(json_field access_token <<<"$pair")
body=
[[ -n $fresh ]] && body=$(curl -sS -H "Authorization: Bearer $fresh" "$BASE/me" || true)
if [[ -n $fresh && $body == *'"username":"alice"'* && $body == *'"scheme":"jwt"'* ]]; then
    after_login="works (/me answers alice)"
else
    after_login="FAILED: POST /auth/login answered ${pair##* } ${pair% *}${body:+; /me answered $body}"
    FAILED+=("a fresh login failed after the run")
fi

# --- the report -----------------------------------------------------------------------
line=$(grep '^RESULT ' "$WORK/wrk.out") || {
    cat "$WORK/wrk.out" >&2
    die "no result from wrk"
}
field() { sed "s/.* $1=\([^ ]*\).*/\1/" <<<"$line"; }
echo "== load ($SOAK_STORE stores)"
echo "requests: $(field requests) in $(field seconds) s = $(field rps) requests/s"
echo "latency:  p50 $(awk -v us="$(field p50_us)" 'BEGIN { printf "%.2f ms", us / 1000 }'), p99 $(awk -v us="$(field p99_us)" 'BEGIN { printf "%.2f ms", us / 1000 }'), max $(awk -v us="$(field max_us)" 'BEGIN { printf "%.2f ms", us / 1000 }')"
echo "sockets:  connect $(field connect), read $(field read), write $(field write), timeout $(field timeout)"
echo "server:   $(awk -v d=$((after - before)) -v hz="$(getconf CLK_TCK)" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f%%", 100 * d / hz / (b - a) }') CPU (100% = one core)"
echo
printf '%-13s %9s %6s %8s %14s %4s  %s\n' kind answers wrong sampled sample_failed 5xx "first wrong"
while read -r _ name rest; do
    get() { sed "s/.*$1=\([^ ]*\).*/\1/" <<<"$rest"; }
    printf '%-13s %9s %6s %8s %14s %4s  %s\n' "$name" "$(get answers)" "$(get wrong)" "$(get sampled)" \
        "$(get sample_failed)" "$(get 5xx)" "$(sed 's/.*first=\[\(.*\)\]/\1/' <<<"$rest")"
    [[ $(get wrong) == 0 ]] || FAILED+=("$name: $(get wrong) wrong answers")
    [[ $(get sample_failed) == 0 ]] || FAILED+=("$name: $(get sample_failed) wrong bodies")
    [[ $(get 5xx) == 0 ]] || FAILED+=("$name: $(get 5xx) answers 5xx")
    [[ $(get answers) -gt 0 ]] || FAILED+=("$name: no answers")
done < <(grep '^KIND ' "$WORK/wrk.out")
[[ $(field connect) == 0 && $(field read) == 0 && $(field write) == 0 ]] ||
    FAILED+=("socket errors: connect $(field connect), read $(field read), write $(field write)")
[[ $(field timeout) -le $SOAK_MAX_TIMEOUTS ]] || FAILED+=("$(field timeout) timeouts (allowed: $SOAK_MAX_TIMEOUTS)")
echo

# Resident memory: the baseline is the first sample at or after the warm-up.
read -r warm min max last n < <(awk -v w="$SOAK_WARMUP" -v end="$SOAK_SECONDS" '
    $1 >= w && $1 <= end { if (!seen) { warm = $2; min = $2; max = $2; seen = 1 }
                           if ($2 < min) min = $2; if ($2 > max) max = $2; last = $2; n++ }
    END { print warm, min, max, last, n }' "$WORK/rss")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
growth=$((last - warm))
echo "== resident memory (VmRSS, every second; $n samples after ${SOAK_WARMUP}s warm-up)"
echo "at start:      $(mib "$(head -n1 "$WORK/rss" | cut -d' ' -f2)")"
echo "after warm-up: $(mib "$warm"); then min $(mib "$min"), max $(mib "$max"), last $(mib "$last")"
echo "growth:        $(mib "$growth") (allowed: $SOAK_RSS_GROWTH_MIB MiB)"
echo "per second:    $(awk '{ printf "%d:%.1f ", $1, $2 / 1024 }' "$WORK/rss")"
[[ $growth -le $((SOAK_RSS_GROWTH_MIB * 1024)) ]] || FAILED+=("resident memory grew by $(mib "$growth")")
echo
echo "== after the run"
echo "revoked JWT:   $after_revoked"
echo "fresh login:   $after_login"
echo

if [[ ${#FAILED[@]} -gt 0 ]]; then
    printf 'FAILED: %s\n' "${FAILED[@]}"
    exit 1
fi
echo "PASSED: no 5xx, every answer as expected, memory flat, nothing revoked came back"
