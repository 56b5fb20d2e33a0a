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
python3 -m pip --version >/dev/null 2>&1 || missing="$missing python3-pip"   # checks that clients/python installs offline
[ -x /usr/bin/prometheus-alertmanager ] || missing="$missing prometheus-alertmanager"   # alert notices routed through a real Alertmanager
[ -x /usr/sbin/nats-server ] || missing="$missing nats-server"   # the log contract suite against a real JetStream
if [ -n "$missing" ]; then
  echo "test.sh: installing Debian packages:$missing..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

echo "test.sh: installing the schema checkers (Ajv, xgrammar) and TypeScript (checks the JS client's index.d.ts) from npm..."
(cd tests/schema-check && npm ci --no-audit --no-fund --silent)
(cd clients/js && npm ci --no-audit --no-fund --silent)

echo "test.sh: building..."
dotnet build Pulseboard.slnx -c Release --nologo -v quiet -clp:"ErrorsOnly;NoSummary"

echo "test.sh: testing..."
log="$(mktemp)"
set +e
dotnet test Pulseboard.slnx -c Release --no-build --nologo "${args[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The Python and JavaScript clients, against the pulseboard serve just built (their tests find it).
echo "test.sh: testing the Python client (clients/python)..."
if python3 -m pip --version >/dev/null 2>&1; then
  target="$(mktemp -d)"  # installs offline, as the README says: no index, no build dependencies
  python3 -m pip install --quiet --no-index --no-deps --target "$target" ./clients/python 2>&1 | grep -v "as the 'root' user" || true
  [ -f "$target/pulseboard/client.py" ] || { echo "test.sh: pip install ./clients/python failed"; status=1; }
  rm -rf "$target"
else
  echo "test.sh: pip is not installed; skipping the offline install check of clients/python"
fi
python3 -m unittest discover -s clients/python/tests -v 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
echo "test.sh: testing the JavaScript client (clients/js)..."
(cd clients/js && node --test test/client.test.js) 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
set -e
# One closing line for every runner that reads it: "N passed, N failed" (dotnet, unittest and node --test summed).
awk '/^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+/ { gsub(",", ""); failed += $4; passed += $6 }
     /^Ran [0-9]+ tests? in/ { ran = $2 }
     /^FAILED \(/ { if (match($0, /failures=[0-9]+/)) pyfailed += substr($0, RSTART + 9, RLENGTH - 9)
                    if (match($0, /errors=[0-9]+/)) pyfailed += substr($0, RSTART + 7, RLENGTH - 7) }
     /^# pass [0-9]+/ { passed += $3 }
     /^# fail [0-9]+/ { failed += $3 }
     END { printf "%d passed, %d failed\n", passed + ran - pyfailed, failed + pyfailed }' "$log"
rm -f "$log"
exit "$status"
