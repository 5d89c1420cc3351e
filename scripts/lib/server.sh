# shellcheck shell=bash
# Shell functions shared by scripts/load.sh and scripts/soak.sh: the machine's
# description, the load generator's installation, the reference server's build, start
# and stop, and logging in once per scheme. Sourced, not run.
#
# The caller sets, before calling these functions:
#   WORK          a temporary directory of its own
#   SERVER_CPU    CPU list for the server(s) (taskset -c)
#   REDIS_URL     Redis of the redis configurations (may be empty when none is used)
#   REDIS_PREFIX  the key prefix unique to this run
#   SERVER_PIDS   an array, () at the start
# and build_server sets SERVER and SECRET.

say() { printf '%s\n' "$*" >&2; }
die() {
    say "${0##*/}: $*"
    exit 1
}

# print_machine: nproc, CPU model, kernel, memory, commit, rustc, date and load average.
print_machine() {
    echo "nproc:   $(nproc)"
    echo "cpu:     $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sort | uniq -c | sed 's/^ *//')"
    echo "kernel:  $(uname -srm)"
    echo "memory:  $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "commit:  $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "rustc:   $(rustc --version)"
    echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "loadavg: $(cut -d" " -f1-3 /proc/loadavg) (1/5/15 min, at the start: other work on the machine shares the cores)"
}

# install_wrk: installs wrk with apt-get when missing and possible (root on Debian);
# returns non-zero when wrk is still missing.
install_wrk() {
    command -v wrk >/dev/null && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "installing wrk (apt-get)"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
    fi
    command -v wrk >/dev/null
}

stop_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${SERVER_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    SERVER_PIDS=()
}

# Deletes the keys of this run's prefix, and only those.
redis_cleanup() {
    [[ -n ${REDIS_URL:-} ]] || return 0
    command -v redis-cli >/dev/null || return 0
    redis-cli -u "$REDIS_URL" --scan --pattern "$REDIS_PREFIX*" 2>/dev/null |
        xargs -r -n 100 redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true
}

# build_server: `cargo build --release --example reference`; sets SERVER (the binary)
# and SECRET (a fresh JWT secret for the servers of this run).
build_server() {
    say "building the reference server (release)"
    cargo build --release --example reference >&2
    SERVER="$CARGO_TARGET_DIR/release/examples/reference"
    [[ -x $SERVER ]] || die "no server binary at $SERVER"
    SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
}

# start_server PORT DATABASE_URL REDIS_URL(or empty) LOG: starts the server pinned to
# SERVER_CPU (PORTCULLIS_SEED=1) and waits until it answers GET /posts.
start_server() {
    local port=$1 db=$2 redis=$3 log=$4 pid i
    (
        export PORTCULLIS_ADDR="127.0.0.1:$port" PORTCULLIS_DATABASE_URL="$db" \
            PORTCULLIS_JWT_SECRET="$SECRET" PORTCULLIS_SEED=1 PORTCULLIS_DEV=0 \
            PORTCULLIS_ACCESS_TTL=86400 RUST_LOG=warn
        if [[ -n $redis ]]; then
            export PORTCULLIS_REDIS_URL="$redis" PORTCULLIS_REDIS_PREFIX="$REDIS_PREFIX"
        fi
        exec taskset -c "$SERVER_CPU" "$SERVER"
    ) >"$log" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    for i in $(seq 1 300); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/posts" 2>/dev/null; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || {
            cat "$log" >&2
            die "the server on port $port exited"
        }
        sleep 0.1
        [[ $i -lt 300 ]] || die "the server on port $port did not answer within 30 s"
    done
}

# json_field NAME: the string value of "NAME" in the JSON on stdin.
json_field() {
    sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"
}

# token_login BASE USER PASSWORD: the body of POST /auth/login (the token pair).
token_login() {
    curl -fsS -H 'content-type: application/json' \
        -d "{\"username\":\"$2\",\"password\":\"$3\"}" "$1/auth/login"
}

# Credentials for alice on the server at BASE; sets JWT, API_KEY, COOKIE, BASIC.
login() {
    local base=$1 body headers
    body=$(token_login "$base" alice alice-password-1)
    JWT=$(json_field access_token <<<"$body")
    [[ -n $JWT ]] || die "no access token from /auth/login: $body"
    body=$(curl -fsS -X POST -H "authorization: Bearer $JWT" "$base/api-keys")
    API_KEY=$(json_field key <<<"$body")
    [[ -n $API_KEY ]] || die "no key from POST /api-keys: $body"
    headers=$(curl -fsS -D - -o /dev/null -H 'content-type: application/json' \
        -d '{"username":"alice","password":"alice-password-1"}' "$base/session/login")
    # The cookie's name depends on the mode (__Host-portcullis_session outside dev mode).
    COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*portcullis_session=[^;]*\);.*/\1/p' <<<"$headers" | tr -d '\r' | head -n1)
    [[ -n $COOKIE ]] || die "no session cookie from /session/login: $headers"
    BASIC="Basic $(printf 'alice:alice-password-1' | base64 | tr -d '\n')"
}

# header_for SCHEME: the request header of that scheme (empty for public).
header_for() {
    case $1 in
        public) echo "" ;;
        jwt) echo "Authorization: Bearer $JWT" ;;
        api_key) echo "X-API-Key: $API_KEY" ;;
        session) echo "Cookie: $COOKIE" ;;
        basic) echo "Authorization: $BASIC" ;;
    esac
}

# check_schemes BASE: each credential answers 200 on /me with its own scheme.
check_schemes() {
    local base=$1 scheme header body
    for scheme in jwt api_key session basic; do
        header=$(header_for "$scheme")
        body=$(curl -fsS -H "$header" "$base/me") || die "$scheme on $base/me failed"
        [[ $body == *"\"scheme\":\"$scheme\""* ]] || die "$scheme on $base/me answered $body"
    done
}

# ticks PID...: total CPU ticks (user + system) of these processes.
ticks() {
    local pid total=0 stat
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        # shellcheck disable=SC2086 # word splitting of the stat fields is wanted
        set -- $stat
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}
