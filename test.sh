#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: builds in Release, runs every test project
# (unit tests, then real hosts and processes on loopback, a real redis-server, a headless Chromium), then the
# JavaScript client's tests (clients/js, Node's test runner against the Release service), and ends with
# "N passed, N failed" counting both.
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required (dotnet on PATH)" >&2; exit 1; }

# The Redis store tests start their own redis-server on a free loopback port; the origin tests drive a
# headless Chromium against a page served on loopback; the sbctl prompt tests drive it in tmux.
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
command -v tmux >/dev/null || missing+=(tmux)
# scripts/cluster.sh (the cluster tests start nodes with it) waits for each node's health with curl.
command -v curl >/dev/null || missing+=(curl)
# The deployment tests make a CA and a certificate for the cluster TLS overlay's Secret with openssl.
command -v openssl >/dev/null || missing+=(openssl)
# The JavaScript client's tests need Node.js 20 or later with npm.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} (apt-get)"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    echo "clients/js needs Node.js 20 or later; this machine has $(node --version) (install a newer nodejs)" >&2
    exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Akka.sln -c Release -warnaserror -nologo -clp:ErrorsOnly
# The JavaScript client: its pinned tools and its build, then its tests (Node's runner, against the service built above)
# beside the .NET tests, which mostly wait on the processes they start. node --test ends with "# pass N" and "# fail N".
(cd clients/js && npm ci --no-audit --no-fund && npm run build)
js_log=$(mktemp)
(cd clients/js && node --test --test-concurrency=1 test/*.test.mjs) > "$js_log" 2>&1 &
js_pid=$!

log=$(mktemp)
status=0
dotnet test Akka.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"

js_status=0
wait "$js_pid" || js_status=$?
cat "$js_log"
js_passed=$(grep -oE '^# pass [0-9]+' "$js_log" | awk '{s+=$3} END {print s+0}')
js_failed=$(grep -oE '^# fail [0-9]+' "$js_log" | awk '{s+=$3} END {print s+0}')
rm -f "$js_log"
echo "clients/js: ${js_passed} passed, ${js_failed} failed"

echo "$((passed + js_passed)) passed, $((failed + js_failed)) failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
if [ "$js_status" -ne 0 ] || [ "$js_failed" -ne 0 ] || [ "$js_passed" -eq 0 ]; then exit 1; fi
