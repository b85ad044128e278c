#!/usr/bin/env bash
# A Switchboard cluster as plain processes on loopback, for machines without Docker.
#   scripts/cluster.sh start       # node N: HTTP 127.0.0.1:(HTTP_BASE+N-1), remoting (REMOTE_BASE+N-1); returns once
#                                  # every node answers GET /ws/health with 200 (it serves)
#   scripts/cluster.sh restart N   # node N: SIGTERM (graceful leave), wait for it to exit, start it, wait until it serves
#   scripts/cluster.sh stop        # SIGTERM (each leaves gracefully): every node but the first at once, then the first
# Nodes 1 and 2 are the seeds, so that any one node can restart and find the cluster again.
# start and restart refuse (status 1, nothing started) when a port they would use is taken on 127.0.0.1. A start that
# does not serve within START_TIMEOUT seconds, or whose node exits, fails with status 1, naming the node and its log,
# and kills the nodes it started. stop gives the nodes STOP_TIMEOUT seconds in all to leave, then kills those left.
# Settings: NODES (3), HTTP_BASE (8081), REMOTE_BASE (4053), RUN_DIR (.cluster: PIDs and logs), START_TIMEOUT (60),
# STOP_TIMEOUT (30), SWITCHBOARD_DLL (the Release build of src/Service, built when missing). Needs curl.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nodes=${NODES:-3}
http_base=${HTTP_BASE:-8081}
remote_base=${REMOTE_BASE:-4053}
run=${RUN_DIR:-$root/.cluster}
dll=${SWITCHBOARD_DLL:-$root/src/Service/bin/Release/net10.0/Switchboard.Service.dll}
start_timeout=${START_TIMEOUT:-60}
stop_timeout=${STOP_TIMEOUT:-30}

seeds="akka.tcp://switchboard@127.0.0.1:${remote_base}"
[ "$nodes" -lt 2 ] || seeds="$seeds,akka.tcp://switchboard@127.0.0.1:$((remote_base + 1))"

# Succeeds when something accepts connections on 127.0.0.1:$1 (a node of this cluster still running, or anything else).
port_taken() { (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Refuses, before anything starts, when an HTTP or remoting port of a node named is taken.
check_ports() {
  local n port taken=()
  for n in "$@"; do
    for port in $((http_base + n - 1)) $((remote_base + n - 1)); do
      port_taken "$port" && taken+=("$port")
    done
  done
  [ ${#taken[@]} -eq 0 ] && return 0
  echo "cluster.sh: port(s) ${taken[*]} on 127.0.0.1 already taken (a cluster still running? scripts/cluster.sh stop;" \
    "or choose HTTP_BASE/REMOTE_BASE); nothing started" >&2
  exit 1
}

start_node() {
  local n=$1
  CLUSTER_SEEDS=$seeds CLUSTER_PORT=$((remote_base + n - 1)) \
    nohup dotnet "$dll" --urls "http://127.0.0.1:$((http_base + n - 1))" >>"$run/node$n.log" 2>&1 &
  echo $! >"$run/node$n.pid"
  echo "node $n: http://127.0.0.1:$((http_base + n - 1)) (pid $!, log $run/node$n.log)"
}

# Waits until every node named answers GET /ws/health with 200. A node that exits meanwhile, or START_TIMEOUT, ends
# the wait: every node named is killed, its PID file removed, and the script exits with status 1.
wait_serving() {
  local n pid deadline=$((SECONDS + start_timeout)) waiting=("$@") left
  while :; do
    left=()
    for n in "${waiting[@]}"; do
      curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$((http_base + n - 1))/ws/health" && continue
      pid=$(cat "$run/node$n.pid")
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "cluster.sh: node $n (pid $pid) exited before it served; its log: $run/node$n.log" >&2
        kill_nodes "$@"
        exit 1
      fi
      left+=("$n")
    done
    [ ${#left[@]} -eq 0 ] && return 0
    waiting=("${left[@]}")
    if [ "$SECONDS" -ge "$deadline" ]; then
      for n in "${waiting[@]}"; do
        echo "cluster.sh: node $n does not answer GET /ws/health with 200 within ${start_timeout} s (START_TIMEOUT);" \
          "its log: $run/node$n.log" >&2
      done
      echo "cluster.sh: stopping the nodes started" >&2
      kill_nodes "$@"
      exit 1
    fi
    sleep 0.2
  done
}

kill_nodes() {
  local n pid
  for n in "$@"; do
    [ -f "$run/node$n.pid" ] || continue
    pid=$(cat "$run/node$n.pid")
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$run/node$n.pid"
  done
}

# SIGTERM to each node named, all at once, then waits until every one has exited: the nodes leave together. Those
# still running at $1 (a SECONDS value) are killed.
stop_nodes() {
  local deadline=$1 n pidfile pid pids=()
  shift
  for n in "$@"; do
    pidfile=$run/node$n.pid
    [ -f "$pidfile" ] || continue
    pids+=("$(cat "$pidfile")")
    kill -TERM "${pids[-1]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "cluster.sh: pid $pid still running after ${stop_timeout} s (STOP_TIMEOUT): killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
  done
  for n in "$@"; do rm -f "$run/node$n.pid"; done
}

case "${1:-}" in
  start)
    check_ports $(seq 1 "$nodes")
    [ -f "$dll" ] || dotnet build "$root/src/Service" -c Release -nologo -clp:ErrorsOnly
    mkdir -p "$run"
    for n in $(seq 1 "$nodes"); do start_node "$n"; done
    wait_serving $(seq 1 "$nodes")
    echo "every node serves"
    ;;
  restart)
    n=${2:-}
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt "$nodes" ]; then
      echo "usage: $0 restart N (N from 1 to $nodes)" >&2
      exit 2
    fi
    stop_nodes $((SECONDS + stop_timeout)) "$n"
    check_ports "$n"
    start_node "$n"
    wait_serving "$n"
    echo "node $n serves"
    ;;
  stop)
    # The others at once, then node 1 (the first seed, the cluster's leader) alone: a leader leaving together with the
    # others waited out the cluster-exiting phase's 10 s; this way a stop of three takes about 6 s (27 s one by one).
    # STOP_TIMEOUT bounds both steps together.
    deadline=$((SECONDS + stop_timeout))
    [ "$nodes" -lt 2 ] || stop_nodes "$deadline" $(seq 2 "$nodes")
    stop_nodes "$deadline" 1
    ;;
  *)
    echo "usage: $0 start|restart N|stop" >&2
    exit 2
    ;;
esac
