#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: builds in Release, runs every test project
# (unit tests, then real hosts and processes on loopback, a real redis-server, a headless Chromium), and beside them
# the JavaScript client's tests (clients/js, Node's test runner against the Release service) and then the .NET
# client's (clients/dotnet), and ends with "N passed, N failed" counting all of them.
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
# The JavaScript client: its pinned tools and its build. Then both clients' tests, one after the other (clients/js with
# Node's runner, then clients/dotnet's xunit project), beside the service's .NET tests, which mostly wait on the processes
# they start: run together with those tests' busiest first minutes, the clients' own nodes starved both on two cores.
# node --test ends with "# pass N" and "# fail N", dotnet test with "Passed: N" and "Failed: N".
(cd clients/js && npm ci --no-audit --no-fund && npm run build)
js_log=$(mktemp)
client_log=$(mktemp)
(
    set +e
    (cd clients/js && node --test --test-concurrency=1 test/*.test.mjs) > "$js_log" 2>&1
    echo "js exit $?" >> "$js_log"
    dotnet test clients/dotnet/tests/Switchboard.Client.Tests -c Release --no-build -nologo > "$client_log" 2>&1
    echo "dotnet client exit $?" >> "$client_log"
) &
clients_pid=$!

log=$(mktemp)
status=0
# RunClientTests=false: clients/dotnet's tests run in the job above, not here.
dotnet test Akka.sln -c Release --no-build -nologo -p:RunClientTests=false 2>&1 | tee "$log" || status=$?
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"

wait "$clients_pid" || true
cat "$js_log" "$client_log"
js_passed=$(grep -oE '^# pass [0-9]+' "$js_log" | awk '{s+=$3} END {print s+0}')
js_failed=$(grep -oE '^# fail [0-9]+' "$js_log" | awk '{s+=$3} END {print s+0}')
js_status=$(grep -oE '^js exit [0-9]+' "$js_log" | awk '{print $3}')
client_passed=$(grep -oE 'Passed: +[0-9]+' "$client_log" | awk '{s+=$2} END {print s+0}')
client_failed=$(grep -oE 'Failed: +[0-9]+' "$client_log" | awk '{s+=$2} END {print s+0}')
client_status=$(grep -oE '^dotnet client exit [0-9]+' "$client_log" | awk '{print $4}')
rm -f "$js_log" "$client_log"
echo "clients/js: ${js_passed} passed, ${js_failed} failed"
echo "clients/dotnet: ${client_passed} passed, ${client_failed} failed"

passed=$((passed + client_passed))
failed=$((failed + client_failed))
echo "$((passed + js_passed)) passed, $((failed + js_failed)) failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
if [ "${js_status:-1}" -ne 0 ] || [ "$js_failed" -ne 0 ] || [ "$js_passed" -eq 0 ]; then exit 1; fi
if [ "${client_status:-1}" -ne 0 ] || [ "$client_passed" -eq 0 ]; then exit 1; fi
