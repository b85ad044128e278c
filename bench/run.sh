#!/usr/bin/env bash
# Runs the benchmark scenarios against Switchboard and the two baselines (SignalR, Node.js ws)
# side by side and prints a Markdown table with Switchboard's ratio to each.
#   bench/run.sh quick    # about four minutes: smaller counts, short runs
#   bench/run.sh full     # the budget's figures: 15,000 held, 10,000 broadcast to, 1,000 pairs at 10,000/s
#   BENCH_BEFORE=<commit> bench/run.sh full   # also that commit's Switchboard, in the same run, as "before"
#   BENCH_HUBS="switchboard before" ...      # only these hubs (of switchboard, before, signalr, nodews), e.g. for rounds
# Each scenario gets a freshly started server process, stopped by its PID afterwards.
# Raw results (one JSON line per scenario and hub) go to bench/results/<mode>-<time>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-quick}
case "$mode" in
  quick) density=5000; fanout=5000; broadcasts=5; pairs=200; rate=5000; seconds=5; groups=10; group_size=50 ;;
  full) density=15000; fanout=10000; broadcasts=20; pairs=1000; rate=10000; seconds=10; groups=20; group_size=100 ;;
  *) echo "usage: bench/run.sh [quick|full]" >&2; exit 2 ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in src/Service bench/SignalRBaseline bench/Switchboard.LoadGen; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
[ -d bench/NodeWsBaseline/node_modules ] || npm ci --prefix bench/NodeWsBaseline --no-audit --no-fund --silent
service=src/Service/bin/Release/net10.0/Switchboard.Service.dll
signalr=bench/SignalRBaseline/bin/Release/net10.0/SignalRBaseline.dll
nodews=bench/NodeWsBaseline/server.js
loadgen=bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll
port=${BENCH_PORT:-18080}
hubs="switchboard signalr nodews"
if [ -n "${BENCH_BEFORE:-}" ]; then
  # The earlier build from a worktree of its own, so the scenarios run both builds under the same conditions.
  before_tree="bench/results/before-$(git rev-parse --short "$BENCH_BEFORE")"
  [ -d "$before_tree" ] || git worktree add -f --detach "$before_tree" "$BENCH_BEFORE" >/dev/null
  dotnet build "$before_tree/src/Service" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
  before="$before_tree/src/Service/bin/Release/net10.0/Switchboard.Service.dll"
  hubs="switchboard before signalr nodews"
fi
hubs=${BENCH_HUBS:-$hubs}

mkdir -p bench/results
results="bench/results/${mode}-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; true' EXIT

# Each server is started directly, so that $! is the PID of the dotnet or node process the probe reads.
start_server() { # kind
  case "$1" in
    switchboard) dotnet "$service" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 & health="/ws/health" ;;
    before) dotnet "$before" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 & health="/ws/health" ;;
    signalr) dotnet "$signalr" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 & health="/health" ;;
    nodews) PORT=$port node "$nodews" >/dev/null 2>&1 & health="/ws/health" ;;
  esac
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port$health" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the $1 server did not come up" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run() { # scenario, then load generator options
  local scenario=$1
  shift
  for hub in $hubs; do
    start_server "$hub"
    echo "== $scenario: $hub" >&2
    local kind=${hub/before/switchboard}
    dotnet "$loadgen" "$scenario" --kind "$kind" --targets "http://127.0.0.1:$port" --server-pids "$server_pid" "$@" \
      | sed -n 's/^RESULT //p' | sed "s/\"kind\":\"$kind\"/\"kind\":\"$hub\"/" >>"$results"
    stop_server
  done
}

run density --connections "$density" --settle 5
run fanout --connections "$fanout" --broadcasts "$broadcasts" --settle 2
run direct --pairs "$pairs" --rate "$rate" --duration "$seconds" --settle 2
run direct-max --pairs "$pairs" --duration 5 --settle 2
run group --groups "$groups" --group-size "$group_size" --rate "$rate" --duration "$seconds" --settle 2

python3 bench/table.py "$results"
echo "raw results: $results" >&2
