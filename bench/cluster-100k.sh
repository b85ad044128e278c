#!/usr/bin/env bash
# The cluster run: 7 node processes on this machine hold 100,000 connections in total (about
# 14,300 each, from 7 load-generator processes, each from its own source addresses), then one
# broadcast through node 1's API must reach every connection. A warm-up round (1,000 connections
# per load generator) runs first. Prints memory per node (fresh, warmed up, holding), growth per
# connection from the warmed-up and from the fresh nodes, the time until the last connection had
# the broadcast, and losses.
#   bench/cluster-100k.sh [connections, default 100000] [nodes, default 7]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/cluster-ready.sh
total=${1:-100000}
nodes=${2:-7}
per_process=$(( (total + nodes - 1) / nodes ))

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Service -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet build bench/Switchboard.LoadGen -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
loadgen=bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll

run=$(pwd)/bench/results/cluster-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$run"
export NODES=$nodes HTTP_BASE=${HTTP_BASE:-18101} REMOTE_BASE=${REMOTE_BASE:-14101} RUN_DIR=$run
loadgen_pids=()
cleanup() {
  for pid in "${loadgen_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  scripts/cluster.sh stop
}
trap cleanup EXIT
scripts/cluster.sh start >/dev/null

targets=$(seq -s, -f "http://127.0.0.1:%g" "$HTTP_BASE" $((HTTP_BASE + nodes - 1)))
wait_for_cluster "$run"

sample_memory() {
  for pidfile in "$run"/node*.pid; do
    echo "{\"node\":\"$(basename "$pidfile" .pid)\",\"rss_kb\":$(awk '/VmRSS/ {print $2}' "/proc/$(cat "$pidfile")/status")}"
  done
}
# Starts one fanout from each load generator: $1 names the phase, $2 is connections per process, $3 the seconds they
# are held after the broadcast.
start_load() {
  local phase=$1 each=$2 settle=$3 i first
  mkdir -p "$run/$phase-sync"
  for i in $(seq 0 $((nodes - 1))); do
    first=$(( 2 + i * addresses_each ))
    dotnet "$loadgen" fanout --targets "$targets" --connections "$each" --broadcasts 1 --concurrency 50 \
      --processes "$nodes" --process-index "$i" --sync-dir "$run/$phase-sync" --sources "$first-$(( first + addresses_each - 1 ))" \
      --settle "$settle" --run-id "$phase" >"$run/$phase$i.out" 2>"$run/$phase$i.err" &
    loadgen_pids+=($!)
  done
}
wait_load() {
  for pid in "${loadgen_pids[@]}"; do wait "$pid" || true; done
  loadgen_pids=()
}
addresses_each=$(( 249 / nodes ))

# A node's first traffic brings memory that does not grow with connections (the young generation filling to its
# budget, code compiled on first use, the thread pool's threads): a warm-up round pays it before the baseline sample.
sample_memory >"$run/memory-fresh.jsonl"
echo "warming up: 1,000 connections per load generator, one broadcast" >&2
start_load warmup 1000 1
wait_load
sleep 5
sample_memory >"$run/memory-before.jsonl"

echo "connecting $total connections from $nodes load generators" >&2
start_load load "$per_process" 10

# Every load generator connected: sample each node's memory while the connections are held.
until [ "$(ls "$run/load-sync" | grep -c '^connected\.')" -ge "$nodes" ]; do sleep 1; done
sleep 5
sample_memory >"$run/memory.jsonl"
curl -fs "http://127.0.0.1:$HTTP_BASE/ws/stats?scope=cluster" >"$run/stats.json" || true

wait_load
cat "$run"/load[0-9]*.out | sed -n 's/^RESULT //p' >"$run/results.jsonl"
python3 - "$run" "$total" <<'EOF'
import json, sys
run, total = sys.argv[1], int(sys.argv[2])
def rss(name):
    return {m["node"]: m["rss_kb"] for m in (json.loads(l) for l in open(f"{run}/{name}.jsonl") if l.strip())}
results = [json.loads(l) for l in open(f"{run}/results.jsonl") if l.strip()]
fresh, before, holding = rss("memory-fresh"), rss("memory-before"), rss("memory")
connected = sum(r["connected"] for r in results)
delivered = sum(r["delivered"] for r in results)
print(f"| figure | value |\n|---|---:|")
print(f"| load generators reporting | {len(results)} |")
print(f"| connections asked / held | {total:,} / {connected:,} |")
print(f"| connect failures | {sum(r['connect_failures'] for r in results):,} |")
print(f"| broadcast deliveries / lost | {delivered:,} / {connected - delivered:,} |")
print(f"| time until every connection had it (ms) | {max(r['completion']['max_ms'] for r in results):,.1f} |")
for node in sorted(holding):
    print(f"| {node} RSS fresh / warmed up / holding (MB) | {fresh[node] / 1024:,.0f} / {before[node] / 1024:,.0f} / {holding[node] / 1024:,.0f} |")
def per_connection(base):
    return sum(holding[n] - base[n] for n in holding) / max(1, connected)
print(f"| RSS growth per connection from warmed-up nodes (KB) | {per_connection(before):,.1f} |")
print(f"| RSS growth per connection from fresh nodes (KB) | {per_connection(fresh):,.1f} |")
EOF
echo "logs and raw results: $run" >&2
