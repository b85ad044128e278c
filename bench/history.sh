#!/usr/bin/env bash
# What history costs the message paths: direct and group scenarios against a node with history off
# (WEBSOCKET_HISTORY_SIZE=0, the default), with the memory store (WEBSOCKET_HISTORY_SIZE=100), and, when this build
# has it, with the Redis store on a local redis-server, interleaved round by round in a rotating order so that every
# setting sees the same machine. Prints a Markdown table of the medians (bench/settings-table.py).
#   bench/history.sh [rounds]                  # 3 rounds by default
#   HISTORY_SETTINGS="memory off" bench/history.sh   # only these settings
# Each run gets a freshly started node, stopped by its PID afterwards.
# Raw results (one JSON line per run, with "history":"off"|"memory"|"redis") go to bench/results/history-<time>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
settings=${HISTORY_SETTINGS:-"memory redis off"}
pairs=200; rate=10000; seconds=8; groups=10; group_size=50; group_rate=10000
redis_port=${BENCH_REDIS_PORT:-16399}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in src/Service bench/Switchboard.LoadGen; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
service=src/Service/bin/Release/net10.0/Switchboard.Service.dll
loadgen=bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll
port=${BENCH_PORT:-18080}

mkdir -p bench/results
results="bench/results/history-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
server_pid="" redis_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; true' EXIT

if [[ " $settings " == *" redis "* ]]; then
  if command -v redis-server >/dev/null; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
    redis_pid=$!
  else
    echo "redis-server is not installed: the redis setting is left out" >&2
    settings=${settings/redis/}
  fi
fi

start_server() { # off|memory|redis
  local size=100 store=memory
  [ "$1" = off ] && size=0
  [ "$1" = redis ] && store=redis
  WEBSOCKET_HISTORY_SIZE=$size History__Store=$store History__Redis="127.0.0.1:$redis_port" \
    dotnet "$service" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/ws/health" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "the node did not start with history $1" >&2; server_pid=""; return 1; }
    sleep 0.2
  done
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run() { # off|memory|redis, scenario, then load generator options
  local setting=$1 scenario=$2
  shift 2
  start_server "$setting" || return 0
  echo "== $scenario: history $setting" >&2
  dotnet "$loadgen" "$scenario" --kind switchboard --targets "http://127.0.0.1:$port" --server-pids "$server_pid" "$@" \
    | sed -n "s/^RESULT {/{\"history\":\"$setting\",/p" >>"$results"
  stop_server
}

read -r -a order <<<"$settings"
for round in $(seq 1 "$rounds"); do
  for i in "${!order[@]}"; do
    setting=${order[$(((i + round - 1) % ${#order[@]}))]}
    run "$setting" direct --pairs "$pairs" --rate "$rate" --duration "$seconds" --settle 2
    run "$setting" group --groups "$groups" --group-size "$group_size" --rate "$group_rate" --duration "$seconds" --settle 2
  done
done

python3 bench/settings-table.py history "$results"
echo "raw results: $results" >&2
