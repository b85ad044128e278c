#!/usr/bin/env bash
# The rate limiter's cost: API requests/s with the limiter off, on with the memory store and on with the Redis
# store (wrk against a freshly started service each time), then decisions/s of the stores themselves
# (BenchmarkDotNet, bench/Switchboard.Benchmarks).
#   bench/ratelimit.sh           # both parts, about five minutes
#   bench/ratelimit.sh http      # only the wrk part
# Two cores shared by wrk and the service make single runs noisy (±10%), so the three modes run in turn,
# ROUNDS times, and the table shows each mode's median.
# The limit is high enough that nothing is denied: what is measured is the decision on every request.
# Requests carry X-Client-ID from 10,000 clients (Identifier=header), so they spread over the buckets.
set -euo pipefail
cd "$(dirname "$0")/.."

part=${1:-all}
duration=${DURATION:-10s}
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-32}
path=${BENCH_PATH:-/ws/health}
port=${BENCH_PORT:-18090}
redis_port=${BENCH_REDIS_PORT:-16399}

need() { # command, package
  command -v "$1" >/dev/null && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq "$2" >/dev/null
}
need wrk wrk
need redis-server redis-server

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Service -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
service=src/Service/bin/Release/net10.0/Switchboard.Service.dll

server_pid="" redis_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  true
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
redis_pid=$!

clients=$(mktemp --suffix=.lua)
cat >"$clients" <<'LUA'
local n = 0
request = function()
  n = (n + 1) % 10000
  return wrk.format("GET", nil, { ["X-Client-ID"] = "client-" .. n })
end
LUA

requests_per_second() { # mode, then environment assignments
  local mode=$1
  shift
  env "$@" dotnet "$service" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/ws/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  # Warm-up, so that tiered compilation is done before the measured run.
  wrk -t1 -c"$connections" -d3s -s "$clients" "http://127.0.0.1:$port$path" >/dev/null
  local rps
  rps=$(wrk -t1 -c"$connections" -d"$duration" -s "$clients" "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}')
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  echo "$mode $rps"
}

# The probes are exempt from the global rate (docs/rate-limiting.md): a rate for the path itself limits it.
limited=("RateLimiter__PerRouteRates__${path}=1000000000-S" RateLimiter__Identifier=header)
results=$(
  for _ in $(seq 1 "$rounds"); do
    requests_per_second off
    requests_per_second memory "${limited[@]}"
    requests_per_second redis "${limited[@]}" RateLimiter__Store=redis "RateLimiter__Redis=127.0.0.1:$redis_port"
  done
)
rm -f "$clients"

echo
echo "GET $path, wrk -t1 -c$connections -d$duration, median of $rounds rounds, $(nproc) cores"
echo
echo "$results" | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    mode, rps = line.split()
    runs.setdefault(mode, []).append(float(rps))
off = statistics.median(runs["off"])
print("| limiter | requests/s (median) | runs | of off |")
print("|---|---:|---|---:|")
for mode, values in runs.items():
    median = statistics.median(values)
    each = ", ".join(format(v, ",.0f") for v in values)
    print(f"| {mode} | {median:,.0f} | {each} | {100 * median / off:.0f}% |")
'

if [ "$part" != http ]; then
  dotnet build bench/Switchboard.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
  (cd bench/Switchboard.Benchmarks &&
    BENCH_REDIS="127.0.0.1:$redis_port" dotnet bin/Release/net10.0/Switchboard.Benchmarks.dll \
      --filter '*RateLimiterBenchmarks*' --job short --exporters github) | sed -n '/^| Method/,/^$/p'
fi
