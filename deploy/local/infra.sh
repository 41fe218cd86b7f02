#!/usr/bin/env bash
# The local stack: ZooKeeper, MySQL (MariaDB), Redis, RocketMQ 5 (namesrv + proxy in local mode) and
# Zipkin (traces),
# installed when missing and started without Docker. Everything it writes is under var/.
#
#   bash deploy/local/infra.sh up       install what is missing, start what is down, wait until ready
#   bash deploy/local/infra.sh status   what answers, with pids and logs
#   bash deploy/local/infra.sh down     stop what this stack started (by pid), nothing else
#   bash deploy/local/infra.sh browser  install Debian's Chromium for the browser test when missing
#
# Settings (environment): see "defaults" below and docs/operations.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VAR=${SHOP_VAR_DIR:-$ROOT/var}
RUN_DIR="$VAR/run"
LOG_DIR="$VAR/log"
mkdir -p "$RUN_DIR" "$LOG_DIR"

# defaults
: "${ZK_PORT:=2181}"
: "${MYSQL_PORT:=3306}"
: "${MYSQL_USER:=shop}"
: "${MYSQL_PASSWORD:=shop}"
: "${REDIS_PORT:=6379}"
: "${RMQ_NAMESRV_PORT:=9876}"
: "${RMQ_GRPC_PORT:=8081}"
: "${RMQ_REMOTING_PORT:=8080}"
: "${RMQ_BROKER_PORT:=10911}"
: "${ZIPKIN_PORT:=9411}"
# Short transaction check-backs for local use; production values: docs/operations.md.
: "${RMQ_TX_TIMEOUT_MS:=3000}"
: "${RMQ_TX_CHECK_INTERVAL_MS:=2000}"
: "${RMQ_TX_CHECK_MAX:=300}"
: "${RMQ_TX_OP_BATCH_INTERVAL_MS:=500}"
export MYSQL_PORT MYSQL_USER MYSQL_PASSWORD RMQ_GRPC_PORT

for part in util tools zookeeper mysql redis rocketmq cluster pki zipkin; do
  # shellcheck source=/dev/null
  . "$ROOT/deploy/local/lib/$part.sh"
done

# SHOP_TOPOLOGY: standalone (one ZooKeeper, the proxy in local mode with its broker inside) or
# cluster (lib/cluster.sh: an ensemble of three, two name servers, two broker masters, the proxy
# in cluster mode). Unset: the topology running (var/run/topology), else standalone. `up` with
# another topology than the running one stops the running ZooKeeper and RocketMQ first (their
# data stay, each topology in its own folder).
if [ -z "${SHOP_TOPOLOGY:-}" ] && [ -f "$RUN_DIR/topology" ]; then SHOP_TOPOLOGY=$(cat "$RUN_DIR/topology"); fi
: "${SHOP_TOPOLOGY:=standalone}"
case "$SHOP_TOPOLOGY" in standalone | cluster) ;; *) die "SHOP_TOPOLOGY must be standalone or cluster" ;; esac

# Stops the ZooKeeper and RocketMQ of either topology (the standalone ones share member 1's names).
coordination_down() { cluster_down; }

switch_topology() {
  local file="$RUN_DIR/topology"
  if [ "$(cat "$file" 2>/dev/null || echo standalone)" != "$SHOP_TOPOLOGY" ]; then
    say "switching to the $SHOP_TOPOLOGY topology: stopping the running ZooKeeper and RocketMQ"
    coordination_down
  fi
  echo "$SHOP_TOPOLOGY" >"$file"
}

up() {
  local started
  started=$(now_ms)
  ensure_java
  ensure_jars
  switch_topology
  # The services' mutual TLS certificates (var/pki), before any process needs them.
  pki_up
  # ZooKeeper and MySQL start while RocketMQ's JVMs warm up.
  if [ "$SHOP_TOPOLOGY" = cluster ]; then cluster_zk_up & else zk_up & fi
  local zk=$!
  my_up &
  local my=$!
  redis_up &
  local redis=$!
  zipkin_up &
  local zipkin=$!
  if [ "$SHOP_TOPOLOGY" = cluster ]; then cluster_rocketmq_up; else rocketmq_up; fi
  wait "$zk" || die "zookeeper failed"
  wait "$my" || die "mysql failed"
  wait "$redis" || die "redis failed"
  wait "$zipkin" || die "zipkin failed"
  say "ready in $(( ($(now_ms) - started) / 1000 )).$(( ($(now_ms) - started) % 1000 / 100 ))s (logs under $VAR)"
}

status() {
  local ok=0
  if [ "$SHOP_TOPOLOGY" = cluster ]; then cluster_status || ok=1; else
    zk_status || ok=1
    rocketmq_status || ok=1
  fi
  my_status || ok=1
  redis_status || ok=1
  zipkin_status || ok=1
  return $ok
}

down() {
  stop_ours zipkin
  coordination_down
  stop_ours mysql
  stop_ours redis
  rm -f "$RUN_DIR/topology"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  browser) ensure_chromium ;;
  *) echo "usage: $0 up|down|status|browser" >&2; exit 2 ;;
esac
