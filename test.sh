#!/usr/bin/env bash
# Installs what the tests need and runs every test. Usage: ./test.sh [--long] [extra dotnet test arguments]
#   --long  sets PULSEBOARD_LONG=1: the reliability tests run many more rounds and inputs (crash rounds, hostile
#           bodies, fuzzing) and the soak test runs for 10 minutes instead of 20 seconds: about 11 minutes in
#           all on 2 cores, against under one without it. See docs/RELIABILITY.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# --long is ours, not dotnet test's: take it out of the arguments and tell the tests through the environment.
args=()
for arg in "$@"; do
  if [ "$arg" = "--long" ]; then
    export PULSEBOARD_LONG=1
  else
    args+=("$arg")
  fi
done

need() { command -v "$1" >/dev/null 2>&1; }
if ! need node || ! need npm; then
  echo "test.sh: installing Node.js and npm (Debian packages)..."
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"     # the browser tests (Playwright drives Debian's Chromium)
[ -x /usr/bin/promtool ] || missing="$missing prometheus"   # promtool checks the /metrics exposition
[ -x /usr/bin/prometheus-alertmanager ] || missing="$missing prometheus-alertmanager"   # alert notices routed through a real Alertmanager
if [ -n "$missing" ]; then
  echo "test.sh: installing Debian packages:$missing..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

echo "test.sh: installing the schema checker (Ajv) from npm..."
(cd tests/schema-check && npm ci --no-audit --no-fund --silent)

echo "test.sh: building..."
dotnet build Pulseboard.slnx -c Release --nologo -v quiet -clp:"ErrorsOnly;NoSummary"

echo "test.sh: testing..."
log="$(mktemp)"
set +e
dotnet test Pulseboard.slnx -c Release --no-build --nologo "${args[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for every runner that reads it: "N passed, N failed".
awk '/^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); failed += $4; passed += $6 }
     END { printf "%d passed, %d failed\n", passed, failed }' "$log"
rm -f "$log"
exit "$status"
