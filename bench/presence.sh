#!/usr/bin/env bash
# What presence costs, and what it answers at size. Every node runs with the same namespaces: `pr` keeps presence
# (Namespaces__Rules__pr__Presence=true) and `pe` keeps presence and sends its events (…__pe__PresenceEvents=true); a
# group's setting is its name's namespace, so "off" is a group outside any namespace, "on" a group `pr:…`, "events" a
# group `pe:…`.
#   Part 1, one node, the three settings interleaved round by round in a rotating order, a fresh node per run:
#     `presence`: JOIN_MEMBERS (5,000) connections join one group, each with a `join` frame with an id, 200 in flight:
#       joins/s, join latency to the ack, server CPU per 1,000 joins, presence frames the members got;
#     `group`: 10 groups of 100 members, 10,000 deliveries/s for 8 s: deliveries/s, latency, server CPU per 1,000 deliveries.
#     Prints bench/settings-table.py's medians per setting.
#   Part 2, NODES node processes (scripts/cluster.sh) and as many load generators, each from its own source addresses, as
#     bench/cluster-100k.sh does: MEMBERS connections join one group `pr:…` (presence on, no events; BIG_NAMESPACE=pe for
#     events), then load generator 0 builds a group of COMPARE_SIZE (100) members beside it and, with both groups held,
#     asks each one's presence_stats ASKS (200) times over the socket (from members on every node in turn) and over HTTP
#     (every node in turn), one ask at a time, then CHURN (300) fresh connections each join and leave both groups, one at
#     a time. Prints the fill's figures and, per group, answer and join times p50/p99.
#   bench/presence.sh [members, default 100000] [nodes, default 7]
#   PRESENCE_PARTS="1" or "2" runs one part; PRESENCE_ROUNDS (3) rounds of part 1; PRESENCE_SETTINGS="events on off".
# Every process is stopped by its PID. Raw results go to bench/results/presence-<time>.jsonl (part 1, one line per run
# with "presence":"off"|"on"|"events") and bench/results/presence-<time>/ (part 2: logs and one line per load generator).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/cluster-ready.sh

members=${1:-100000}
nodes=${2:-7}
parts=${PRESENCE_PARTS:-"1 2"}
rounds=${PRESENCE_ROUNDS:-3}
settings=${PRESENCE_SETTINGS:-"events on off"}
join_members=${JOIN_MEMBERS:-5000}
groups=10; group_size=100; group_rate=10000; seconds=8
asks=${ASKS:-200}; churn=${CHURN:-300}; compare_size=${COMPARE_SIZE:-100}
big_namespace=${BIG_NAMESPACE:-pr}
port=${BENCH_PORT:-18380}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export Namespaces__Rules__pr__Presence=true
export Namespaces__Rules__pe__Presence=true Namespaces__Rules__pe__PresenceEvents=true
for project in src/Service bench/Switchboard.LoadGen; do
  dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
service=src/Service/bin/Release/net10.0/Switchboard.Service.dll
loadgen=bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results

server_pid="" cluster_up="" loadgen_pids=()
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  for pid in "${loadgen_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$cluster_up" ] && scripts/cluster.sh stop >/dev/null 2>&1
  true
}
trap cleanup EXIT

prefix_of() { # off|on|events: the group names' prefix
  case "$1" in off) echo "" ;; on) echo "pr:" ;; events) echo "pe:" ;; *) echo "unknown setting $1" >&2; exit 2 ;; esac
}

start_server() {
  dotnet "$service" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/ws/health" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "the node did not start" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run_one() { # setting, scenario, then load generator options
  local setting=$1 scenario=$2
  shift 2
  start_server
  echo "== $scenario: presence $setting" >&2
  dotnet "$loadgen" "$scenario" --kind switchboard --targets "http://127.0.0.1:$port" --server-pids "$server_pid" \
    --group-prefix "$(prefix_of "$setting")" "$@" \
    | sed -n "s/^RESULT {/{\"presence\":\"$setting\",/p" >>"$results"
  stop_server
}

if [[ " $parts " == *" 1 "* ]]; then
  results="bench/results/presence-$stamp.jsonl"
  read -r -a order <<<"$settings"
  for round in $(seq 1 "$rounds"); do
    for i in "${!order[@]}"; do
      setting=${order[$(((i + round - 1) % ${#order[@]}))]}
      run_one "$setting" presence --connections "$join_members" --settle 1
      run_one "$setting" group --groups "$groups" --group-size "$group_size" --rate "$group_rate" --duration "$seconds" --settle 2
    done
  done
  echo "## Part 1: one node, $join_members joins into one group; $groups groups of $group_size at $group_rate deliveries/s ($rounds rounds)"
  python3 bench/settings-table.py presence "$results"
  echo "raw results: $results" >&2
fi

if [[ " $parts " == *" 2 "* ]]; then
  run=$(pwd)/bench/results/presence-$stamp
  mkdir -p "$run"
  export NODES=$nodes HTTP_BASE=${HTTP_BASE:-18201} REMOTE_BASE=${REMOTE_BASE:-14201} RUN_DIR=$run
  cluster_up=1
  scripts/cluster.sh start >/dev/null
  wait_for_cluster "$run"

  targets=$(seq -s, -f "http://127.0.0.1:%g" "$HTTP_BASE" $((HTTP_BASE + nodes - 1)))
  per_process=$(( (members + nodes - 1) / nodes ))
  addresses_each=$(( 249 / nodes ))
  run_id="p$(date +%s)"
  echo "$members members joining ${big_namespace}:$run_id-members from $nodes load generators" >&2
  for i in $(seq 0 $((nodes - 1))); do
    first=$(( 2 + i * addresses_each ))
    dotnet "$loadgen" presence --targets "$targets" --connections "$per_process" --concurrency 50 \
      --group-prefix "$big_namespace:" --asks "$asks" --churn "$churn" --compare-size "$compare_size" --settle 5 \
      --processes "$nodes" --process-index "$i" --sync-dir "$run/sync" --sources "$first-$(( first + addresses_each - 1 ))" \
      --run-id "$run_id" >"$run/loadgen$i.out" 2>"$run/loadgen$i.err" &
    loadgen_pids+=($!)
  done
  for pid in "${loadgen_pids[@]}"; do wait "$pid" || true; done
  loadgen_pids=()
  cat "$run"/loadgen[0-9]*.out | sed -n 's/^RESULT //p' >"$run/results.jsonl"
  echo "## Part 2: $members members over $nodes nodes beside a group of $compare_size"
  python3 - "$run" "$members" "$nodes" <<'EOF'
import json, statistics, sys
run, members, nodes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
results = [json.loads(l) for l in open(f"{run}/results.jsonl") if l.strip()]
if not results:
    sys.exit(f"no load generator reported: see {run}/loadgen*.err")
lead = next((r for r in results if r["process"] == 0), {})
probes = lead.get("probes", {})
joined = sum(r["joined"] for r in results)
seconds = max(r["join_seconds"] for r in results)
print("| figure | value |\n|---|---:|")
print(f"| load generators reporting | {len(results)} of {nodes} |")
print(f"| connections held (members, the small group, the joiners) | {sum(r['connected'] for r in results):,} |")
print(f"| connect failures | {sum(r['connect_failures'] for r in results):,} |")
print(f"| member joins asked / acked / failed | {members:,} / {joined:,} / {sum(r['join_failures'] for r in results):,} |")
print(f"| fill: joins/s, all load generators together | {joined / max(seconds, 1e-9):,.0f} |")
p50s = [r["join_latency"]["p50_ms"] for r in results]
print(f"| fill: join latency p50 per load generator (ms) | {min(p50s):,.1f}–{max(p50s):,.1f} |")
print(f"| fill: join latency p99, worst load generator (ms) | {max(r['join_latency']['p99_ms'] for r in results):,.1f} |")
print(f"| presence frames / coalesced stats the members got | {sum(r['presence_events_received'] for r in results):,} / {sum(r['coalesced_stats_received'] for r in results):,} |")
print()
names = [n for n in ("main", "compare") if n in probes]
sizes = {n: (probes[n].get("stats_answer") or {}).get("connections", "?") for n in names}
print("| figure | " + " | ".join(f"group of {sizes[n]:,}" if isinstance(sizes[n], int) else f"group {n}" for n in names) + " |")
print("|---|" + "---:|" * len(names))
def cell(n, path):
    value = probes[n]
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
def row(label, fmt):
    print(f"| {label} | " + " | ".join(fmt(n) for n in names) + " |")
ms = lambda v: "–" if v is None else f"{v:,.2f}"
answer = lambda a: "–" if not a else f"{a['users']:,} / {a['connections']:,}"
row("presence_stats answer: users / connections", lambda n: answer(cell(n, "stats_answer")))
row("the same after the churn", lambda n: answer(cell(n, "stats_after_churn")))
row(f"presence_stats over the socket p50 / p99 (ms), {lead.get('probes', {}).get('main', {}).get('asks', 0)} asks", lambda n: f"{ms(cell(n, 'stats_socket.p50_ms'))} / {ms(cell(n, 'stats_socket.p99_ms'))}")
row("presence_stats over HTTP p50 / p99 (ms)", lambda n: f"{ms(cell(n, 'stats_http.p50_ms'))} / {ms(cell(n, 'stats_http.p99_ms'))}")
row("ask failures", lambda n: f"{cell(n, 'stats_failures')}")
row(f"join p50 / p99 (ms), {probes.get('main', {}).get('churn', 0)} joins one at a time", lambda n: f"{ms(cell(n, 'join.p50_ms'))} / {ms(cell(n, 'join.p99_ms'))}")
row("leave p50 / p99 (ms), acked by the node", lambda n: f"{ms(cell(n, 'leave.p50_ms'))} / {ms(cell(n, 'leave.p99_ms'))}")
row("join or leave failures", lambda n: f"{cell(n, 'churn_failures')}")
EOF
  echo "logs and raw results: $run" >&2
fi
