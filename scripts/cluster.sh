#!/usr/bin/env bash
# A Switchboard cluster as plain processes on loopback, for machines without Docker.
#   scripts/cluster.sh start   # node N: HTTP 127.0.0.1:(HTTP_BASE+N-1), remoting (REMOTE_BASE+N-1); node 1 is the seed
#   scripts/cluster.sh stop    # SIGTERM to each node (graceful leave), by the PIDs it recorded
# Settings: NODES (3), HTTP_BASE (8081), REMOTE_BASE (4053), RUN_DIR (.cluster: PIDs and logs),
# SWITCHBOARD_DLL (the Release build of src/Service, built when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nodes=${NODES:-3}
http_base=${HTTP_BASE:-8081}
remote_base=${REMOTE_BASE:-4053}
run=${RUN_DIR:-$root/.cluster}
dll=${SWITCHBOARD_DLL:-$root/src/Service/bin/Release/net10.0/Switchboard.Service.dll}

case "${1:-}" in
  start)
    [ -f "$dll" ] || dotnet build "$root/src/Service" -c Release -nologo -clp:ErrorsOnly
    mkdir -p "$run"
    seed="akka.tcp://switchboard@127.0.0.1:${remote_base}"
    for n in $(seq 1 "$nodes"); do
      CLUSTER_SEEDS=$seed CLUSTER_PORT=$((remote_base + n - 1)) \
        nohup dotnet "$dll" --urls "http://127.0.0.1:$((http_base + n - 1))" >"$run/node$n.log" 2>&1 &
      echo $! >"$run/node$n.pid"
      echo "node $n: http://127.0.0.1:$((http_base + n - 1)) (pid $!, log $run/node$n.log)"
    done
    ;;
  stop)
    for pidfile in "$run"/node*.pid; do
      [ -f "$pidfile" ] || continue
      pid=$(cat "$pidfile")
      kill -TERM "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
      rm -f "$pidfile"
    done
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
