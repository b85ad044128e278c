#!/usr/bin/env bash
# A Switchboard cluster as plain processes on loopback, for machines without Docker.
#   scripts/cluster.sh start       # node N: HTTP 127.0.0.1:(HTTP_BASE+N-1), remoting (REMOTE_BASE+N-1)
#   scripts/cluster.sh restart N   # node N: SIGTERM (graceful leave), wait for it to exit, start it again
#   scripts/cluster.sh stop        # SIGTERM (each leaves gracefully): every node but the first at once, then the first
# Nodes 1 and 2 are the seeds, so that any one node can restart and find the cluster again.
# Settings: NODES (3), HTTP_BASE (8081), REMOTE_BASE (4053), RUN_DIR (.cluster: PIDs and logs),
# SWITCHBOARD_DLL (the Release build of src/Service, built when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nodes=${NODES:-3}
http_base=${HTTP_BASE:-8081}
remote_base=${REMOTE_BASE:-4053}
run=${RUN_DIR:-$root/.cluster}
dll=${SWITCHBOARD_DLL:-$root/src/Service/bin/Release/net10.0/Switchboard.Service.dll}

seeds="akka.tcp://switchboard@127.0.0.1:${remote_base}"
[ "$nodes" -lt 2 ] || seeds="$seeds,akka.tcp://switchboard@127.0.0.1:$((remote_base + 1))"

start_node() {
  local n=$1
  CLUSTER_SEEDS=$seeds CLUSTER_PORT=$((remote_base + n - 1)) \
    nohup dotnet "$dll" --urls "http://127.0.0.1:$((http_base + n - 1))" >>"$run/node$n.log" 2>&1 &
  echo $! >"$run/node$n.pid"
  echo "node $n: http://127.0.0.1:$((http_base + n - 1)) (pid $!, log $run/node$n.log)"
}

# SIGTERM to each node named, all at once, then waits until every one has exited: the nodes leave together.
stop_nodes() {
  local n pidfile pids=()
  for n in "$@"; do
    pidfile=$run/node$n.pid
    [ -f "$pidfile" ] || continue
    pids+=("$(cat "$pidfile")")
    kill -TERM "${pids[-1]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  done
  for n in "$@"; do rm -f "$run/node$n.pid"; done
}

case "${1:-}" in
  start)
    [ -f "$dll" ] || dotnet build "$root/src/Service" -c Release -nologo -clp:ErrorsOnly
    mkdir -p "$run"
    for n in $(seq 1 "$nodes"); do start_node "$n"; done
    ;;
  restart)
    n=${2:-}
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt "$nodes" ]; then
      echo "usage: $0 restart N (N from 1 to $nodes)" >&2
      exit 2
    fi
    stop_nodes "$n"
    start_node "$n"
    ;;
  stop)
    # The others at once, then node 1 (the first seed, the cluster's leader) alone: a leader leaving together with the
    # others waited out the cluster-exiting phase's 10 s; this way a stop of three takes about 6 s (27 s one by one).
    [ "$nodes" -lt 2 ] || stop_nodes $(seq 2 "$nodes")
    stop_nodes 1
    ;;
  *)
    echo "usage: $0 start|restart N|stop" >&2
    exit 2
    ;;
esac
