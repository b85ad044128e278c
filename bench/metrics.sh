#!/usr/bin/env bash
# What metrics cost the message paths: fanout and direct against a node with Metrics:Enabled=true (scraped every
# second, more often than Prometheus's usual 15 s) and one with Metrics__Enabled=false, interleaved round by round
# (on/off, then off/on) so that both see the same machine. Prints a Markdown table of the medians per setting.
#   bench/metrics.sh [rounds]    # 3 rounds by default, about 8 minutes
# Each run gets a freshly started node, stopped by its PID afterwards.
# Raw results (one JSON line per run, with "metrics":"on"|"off") go to bench/results/metrics-<time>.jsonl.
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

start_server() { # on|off
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

run() { # on|off, scenario, then load generator options
  local setting=$1 scenario=$2
  shift 2
  start_server "$setting"
  echo "== $scenario: metrics $setting" >&2
  dotnet "$loadgen" "$scenario" --kind switchboard --targets "http://127.0.0.1:$port" --server-pids "$server_pid" "$@" \
    | sed -n "s/^RESULT {/{\"metrics\":\"$setting\",/p" >>"$results"
  stop_server
}

for round in $(seq 1 "$rounds"); do
  order="on off"
  [ $((round % 2)) -eq 0 ] && order="off on"
  for setting in $order; do
    run "$setting" fanout --connections "$connections" --broadcasts "$broadcasts" --settle 2
    run "$setting" direct --pairs "$pairs" --rate "$rate" --duration "$seconds" --settle 2
  done
done

python3 - "$results" <<'PY'
import json, statistics, sys
FIGURES = [
    ("fanout", "deliveries_per_s", "broadcast deliveries/s"),
    ("fanout", "completion.p50_ms", "broadcast completion p50 (ms)"),
    ("fanout", "completion.p99_ms", "broadcast completion p99 (ms)"),
    ("fanout", "server_cpu_ms_per_1000_deliveries", "server CPU ms per 1,000 deliveries"),
    ("fanout", "lost", "broadcast deliveries lost"),
    ("direct", "achieved_rate", "direct msgs/s sent"),
    ("direct", "latency.p50_ms", "direct latency p50 (ms)"),
    ("direct", "latency.p99_ms", "direct latency p99 (ms)"),
    ("direct", "latency.p999_ms", "direct latency p99.9 (ms)"),
    ("direct", "lost", "direct messages lost"),
]
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def figure(run, path):
    for part in path.split("."):
        run = run.get(part) if isinstance(run, dict) else None
    return run
print("| figure | metrics on (median; runs) | metrics off (median; runs) | on/off |")
print("|---|---|---|---:|")
for scenario, path, label in FIGURES:
    cells = {}
    for setting in ("on", "off"):
        values = [figure(r, path) for r in runs if r["scenario"] == scenario and r["metrics"] == setting]
        values = [v for v in values if isinstance(v, (int, float))]
        cells[setting] = (statistics.median(values), values) if values else (None, [])
    (on, on_all), (off, off_all) = cells["on"], cells["off"]
    ratio = f"{on / off:.2f}×" if on is not None and off else "–"
    show = lambda m, vs: "–" if m is None else f"{m:,.2f} ({', '.join(f'{v:,.1f}' for v in vs)})"
    print(f"| {label} | {show(on, on_all)} | {show(off, off_all)} | {ratio} |")
PY
echo "raw results: $results" >&2
