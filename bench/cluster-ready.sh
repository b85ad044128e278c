# Sourced by the benchmarks that run scripts/cluster.sh: waits until each of NODES nodes on HTTP_BASE.. sees NODES
# members, and stops the run, naming the log, when one of the nodes in $1 (the run directory) has exited meanwhile.
# (cluster.sh start already returns once every node serves; a node's member count can lag that by a gossip round.)
wait_for_cluster() {
  local run=$1 n pidfile
  echo "waiting for $NODES nodes to form a cluster" >&2
  for n in $(seq 0 $((NODES - 1))); do
    until curl -fs "http://127.0.0.1:$((HTTP_BASE + n))/ws/health" 2>/dev/null | grep -q "\"cluster_members\":$NODES"; do
      for pidfile in "$run"/node*.pid; do
        kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "${pidfile%.pid} exited; its log: ${pidfile%.pid}.log" >&2; exit 1; }
      done
      sleep 0.5
    done
  done
}
