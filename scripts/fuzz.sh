#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read untrusted input (issue 15, item 1).
#
# Usage, from anywhere in a clone:
#
#   scripts/fuzz.sh                    # every target, 60 s each, one after the other
#   scripts/fuzz.sh jwt 600            # one target for 10 minutes
#   scripts/fuzz.sh all 5              # the smoke run: every target for 5 s
#
# Targets (fuzz/src/lib.rs): authorization, cookies, api_key, jwt, jwks, require_expr.
#
# It installs cargo-fuzz when it is missing, builds the fuzz crate (fuzz/, its own
# workspace) with `cargo fuzz build --sanitizer none` (stable rustc: no sanitizer
# needs nightly flags, see docs/RELIABILITY.md) and runs each target with libFuzzer,
# one process (`-jobs=1 -workers=1`), niced, starting from the committed seeds
# (fuzz/corpus/<target>, read only) and keeping what it finds in
# $FUZZ_WORK/<target> (default: <target dir>/cargo-fuzz/fuzz-work). It prints libFuzzer's
# final lines (executions, `cov:`, `ft:`, corpus size) and exits non-zero on a
# crash, a timeout (FUZZ_TIMEOUT s per input, default 10) or an allocation over
# FUZZ_RSS_MB (default 2048); the input is then in fuzz/artifacts/<target>/.
# To keep new seeds: `cargo fuzz cmin -s none <target>` after copying them into
# fuzz/corpus/<target>, and commit only small files.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

TARGETS=(authorization cookies api_key jwt jwks require_expr)
target=${1:-all}
seconds=${2:-60}
target_dir=${CARGO_TARGET_DIR:-$PWD/../target}/cargo-fuzz
work=${FUZZ_WORK:-$target_dir/fuzz-work}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

if [ "$target" = all ]; then
  selected=("${TARGETS[@]}")
else
  selected=("$target")
fi

echo "== cargo fuzz build --sanitizer none ($(rustc --version))"
cargo fuzz build --sanitizer none --target-dir "$target_dir"

for t in "${selected[@]}"; do
  mkdir -p "$work/$t"
  echo "== $t: ${seconds} s"
  log=$work/$t.log
  status=0
  nice -n 19 cargo fuzz run --sanitizer none --target-dir "$target_dir" "$t" "$work/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -jobs=1 -workers=1 -timeout="${FUZZ_TIMEOUT:-10}" \
    -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -print_final_stats=1 >"$log" 2>&1 || status=$?
  # With -jobs, libFuzzer's worker writes fuzz-0.log here; the parent copies it to
  # its own output (the log) when the worker ends.
  rm -f fuzz-0.log
  grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|Done [0-9]+ runs|stat::|==[0-9]+== ERROR|SUMMARY|Test unit written)' "$log" || true
  if [ "$status" != 0 ]; then
    tail -n 40 "$log" >&2
    echo "== $t FAILED (exit status $status): the input is in fuzz/artifacts/$t/, the log in $log" >&2
    exit "$status"
  fi
done
