#!/usr/bin/env bash
# What metrics cost the message paths: fanout and direct against a node with metrics on and scraped every second
# (more often than Prometheus's usual 15 s), on and never scraped, and Metrics__Enabled=false, interleaved round by
# round in a rotating order so that every setting sees the same machine. Prints a Markdown table of the medians.
#   bench/metrics.sh [rounds]    # 3 rounds by default, about 10 minutes
# Each run gets a freshly started node, stopped by its PID afterwards.
# Raw results (one JSON line per run, with "metrics":"on"|"unscraped"|"off") go to bench/results/metrics-<time>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
connections=5000; broadcasts=10; pairs=200; rate=10000; seconds=8

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in src/Service bench/Switchboard.LoadGen; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
service=src/Service/bin/Release/net10.0/Switchboard.Service.dll
loadgen=bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll
port=${BENCH_PORT:-18080}

mkdir -p bench/results
results="bench/results/metrics-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
server_pid=""
scraper_pid=""
trap '[ -n "$scraper_pid" ] && kill "$scraper_pid" 2>/dev/null; [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; true' EXIT

start_server() { # on|unscraped|off
  local enabled=true
  [ "$1" = off ] && enabled=false
  Metrics__Enabled=$enabled dotnet "$service" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/ws/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  if [ "$1" = on ]; then
    (while true; do curl -fs "http://127.0.0.1:$port/metrics" >/dev/null || true; sleep 1; done) &
    scraper_pid=$!
  fi
}

stop_server() {
  if [ -n "$scraper_pid" ]; then
    kill "$scraper_pid" 2>/dev/null || true
    wait "$scraper_pid" 2>/dev/null || true
    scraper_pid=""
  fi
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run() { # on|unscraped|off, scenario, then load generator options
  local setting=$1 scenario=$2
  shift 2
  start_server "$setting"
  echo "== $scenario: metrics $setting" >&2
  dotnet "$loadgen" "$scenario" --kind switchboard --targets "http://127.0.0.1:$port" --server-pids "$server_pid" "$@" \
    | sed -n "s/^RESULT {/{\"metrics\":\"$setting\",/p" >>"$results"
  stop_server
}

for round in $(seq 1 "$rounds"); do
  case $((round % 3)) in
    1) order="on unscraped off" ;;
    2) order="off on unscraped" ;;
    *) order="unscraped off on" ;;
  esac
  for setting in $order; do
    run "$setting" fanout --connections "$connections" --broadcasts "$broadcasts" --settle 2
    run "$setting" direct --pairs "$pairs" --rate "$rate" --duration "$seconds" --settle 2
  done
done

python3 bench/settings-table.py metrics "$results"
echo "raw results: $results" >&2
