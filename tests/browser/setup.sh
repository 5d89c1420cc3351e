#!/usr/bin/env bash
# Installs what the browser test (tests/e2e/browser.rs, scenario in
# tests/browser/scenario.mjs) needs: Debian's `chromium` when /usr/bin/chromium is
# missing (apt-get; needs root and the Debian mirror), and `playwright-core` (`npm ci`
# here, pinned by package.json and package-lock.json). Prints what it did and how long
# it took. .ci/run runs it as a phase; the test itself never installs system packages.
set -euo pipefail
cd "$(dirname "$0")"
started=$SECONDS
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
else
  echo "chromium: missing, installing Debian's package"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    $SUDO apt-get update
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed) ($((SECONDS - started)) s)"
fi
npm_started=$SECONDS
npm ci --no-audit --no-fund
echo "npm ci (playwright-core): $((SECONDS - npm_started)) s; browser set-up total: $((SECONDS - started)) s"
