#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: builds in Release, runs every test project
# (unit tests, then real hosts and processes on loopback, a real redis-server, a headless Chromium), and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required (dotnet on PATH)" >&2; exit 1; }

# The Redis store tests start their own redis-server on a free loopback port; the origin tests drive a
# headless Chromium against a page served on loopback; the sbctl prompt tests drive it in tmux.
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
command -v tmux >/dev/null || missing+=(tmux)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} (apt-get)"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Akka.sln -c Release -warnaserror -nologo -clp:ErrorsOnly

log=$(mktemp)
status=0
dotnet test Akka.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
