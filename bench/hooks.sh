#!/usr/bin/env bash
# What the application's hooks cost, against a local backend (tests/Switchboard.TestBackend: a real ASP.NET Core app that
# checks every call's signature and answers at once), each setting on a fresh node, interleaved round by round in a
# rotating order:
#   connect: CONNECTS (5,000) connections, each upgrade asking the connect hook (on) or nobody (off): connects/s and server
#     CPU per 1,000 connects;
#   direct: PAIRS (200) pairs at RATE (5,000) msgs/s for SECONDS (8), each message asking the publish hook
#     (Hooks:Publish:Direct) or nobody: msgs/s and latency;
#   group: 10 groups of 50 at RATE deliveries/s, each message asking the publish hook (Namespaces:Default:PublishHook) or
#     nobody: deliveries/s and latency.
#   bench/hooks.sh             HOOKS_ROUNDS (3) rounds; HOOKS_SETTINGS="on off"
# Each run is preceded by a short one on the same node, not counted. Prints bench/settings-table.py's medians per setting. Every process is stopped by its PID. Raw results go to
# bench/results/hooks-<time>.jsonl, one line per run with "hooks":"on"|"off".
# The cost of hooks that are not configured at all is the main benchmark's: BENCH_BEFORE=<the commit before hooks>
# BENCH_HUBS="switchboard before" bench/run.sh quick.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${HOOKS_ROUNDS:-3}
settings=${HOOKS_SETTINGS:-"on off"}
connects=${CONNECTS:-5000}; pairs=${PAIRS:-200}; rate=${RATE:-5000}; seconds=${SECONDS_EACH:-8}
port=${BENCH_PORT:-18480}; backend_port=${BACKEND_PORT:-18481}
secret="bench-hooks-secret-0123456789abcdef0123"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in src/Service bench/Switchboard.LoadGen tests/Switchboard.TestBackend; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
service=src/Service/bin/Release/net10.0/Switchboard.Service.dll
loadgen=bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll
backend=tests/Switchboard.TestBackend/bin/Release/net10.0/Switchboard.TestBackend.dll
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
results="bench/results/hooks-$stamp.jsonl"

server_pid="" backend_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$backend_pid" ] && kill "$backend_pid" 2>/dev/null
  true
}
trap cleanup EXIT

wait_for() { # url, pid, what
  for _ in $(seq 1 100); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.2
  done
  echo "$3 did not start" >&2
  exit 1
}

dotnet "$backend" --urls "http://127.0.0.1:$backend_port" --secret "$secret" >/dev/null 2>&1 &
backend_pid=$!
wait_for "http://127.0.0.1:$backend_port/control/health" "$backend_pid" "the backend"

start_server() { # setting, hook
  local -a hook=()
  if [ "$1" = on ]; then
    hook=(env "Hooks__Secrets=$secret" "Hooks__${2}__Url=http://127.0.0.1:$backend_port/hooks/${2,,}")
    [ "$2" = Publish ] && hook+=("Hooks__Publish__Direct=true" "Namespaces__Default__PublishHook=true")
  fi
  "${hook[@]}" dotnet "$service" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  server_pid=$!
  wait_for "http://127.0.0.1:$port/ws/health" "$server_pid" "the node"
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run_one() { # setting, hook, scenario, then load generator options
  local setting=$1 hook=$2 scenario=$3
  shift 3
  start_server "$setting" "$hook"
  # A short run first, not counted, on the same node: the first calls of a path pay for compiling it (the node runs
  # without tiered compilation), which is the node's start, not the hook's cost.
  echo "== $scenario: hooks $setting (warm-up)" >&2
  dotnet "$loadgen" "$scenario" --kind switchboard --targets "http://127.0.0.1:$port" "$@" $(warm_up "$scenario") >/dev/null 2>&1 || true
  echo "== $scenario: hooks $setting" >&2
  dotnet "$loadgen" "$scenario" --kind switchboard --targets "http://127.0.0.1:$port" --server-pids "$server_pid" "$@" \
    | sed -n "s/^RESULT {/{\"hooks\":\"$setting\",/p" >>"$results"
  stop_server
}

warm_up() { # scenario: options that shorten it
  case "$1" in density) echo "--connections 500" ;; *) echo "--duration 2" ;; esac
}

read -r -a order <<<"$settings"
for round in $(seq 1 "$rounds"); do
  for i in "${!order[@]}"; do
    setting=${order[$(((i + round - 1) % ${#order[@]}))]}
    run_one "$setting" Connect density --connections "$connects" --settle 1
    run_one "$setting" Publish direct --pairs "$pairs" --rate "$rate" --duration "$seconds" --settle 2
    run_one "$setting" Publish group --groups 10 --group-size 50 --rate "$rate" --duration "$seconds" --settle 2
  done
done
echo "## Hooks on and off: $connects connects; $pairs pairs at $rate msgs/s; 10 groups of 50 at $rate deliveries/s ($rounds rounds)"
python3 bench/settings-table.py hooks "$results"
echo "raw results: $results" >&2
