# The cluster topology on one machine (SHOP_TOPOLOGY=cluster), the shape of deploy/k8s/infra
# rehearsed on loopback: a ZooKeeper ensemble of three, two RocketMQ name servers, two broker
# masters (broker-a, broker-b) and the proxy in cluster mode, in front of them. Every member has a
# pid file of its own (zookeeper, zookeeper-2, zookeeper-3, namesrv, namesrv-2, broker-a,
# broker-b, proxy) and its data under var/cluster. The client-facing ports are the standalone
# stack's (ZooKeeper member 1 on 2181, the proxy's gRPC on 8081), so nothing else changes for the
# processes but ZK_CONNECT, which names the three members.
#
#   ZooKeeper   client 2181 2182 2183, quorum 2888-2890, election 3888-3890
#   namesrv     9876 9877
#   broker-a    10911 (fast 10909, HA 10912)   broker-b 10921 (fast 10919, HA 10922)
#   proxy       gRPC 8081, remoting 8080

CLUSTER_DIR="$VAR/cluster"
ZK_MEMBERS=(1 2 3)
BROKERS=(broker-a broker-b)

zk_member_name() { if [ "$1" = 1 ]; then echo zookeeper; else echo "zookeeper-$1"; fi; }
zk_member_port() { echo $((ZK_PORT + $1 - 1)); }
namesrv_name() { if [ "$1" = 1 ]; then echo namesrv; else echo "namesrv-$1"; fi; }
namesrv_port() { echo $((RMQ_NAMESRV_PORT + $1 - 1)); }
broker_port() { if [ "$1" = broker-a ]; then echo "$RMQ_BROKER_PORT"; else echo $((RMQ_BROKER_PORT + 10)); fi; }

# What the processes connect to: every member of the ensemble, every name server.
cluster_zk_connect() {
  local n list=()
  for n in "${ZK_MEMBERS[@]}"; do list+=("127.0.0.1:$(zk_member_port "$n")"); done
  (IFS=,; echo "${list[*]}")
}
cluster_namesrv_addr() { echo "127.0.0.1:$(namesrv_port 1);127.0.0.1:$(namesrv_port 2)"; }

# zk_mode PORT: leader, follower or standalone, as the member's srvr answers; fails when it does not serve.
zk_mode() {
  local answer
  answer=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null) || return 1
  sed -n 's/^Mode: //p' <<<"$answer" | grep .
}

# The ensemble serves: every member answers srvr, one of them as leader.
ensemble_serving() {
  local n modes=""
  for n in "${ZK_MEMBERS[@]}"; do modes+="$(zk_mode "$(zk_member_port "$n")") " || return 1; done
  [[ "$modes" == *leader* ]]
}

# zk_leader: the pid-file name of the member that leads now.
zk_leader() {
  local n
  for n in "${ZK_MEMBERS[@]}"; do
    if [ "$(zk_mode "$(zk_member_port "$n")" 2>/dev/null)" = leader ]; then zk_member_name "$n"; return 0; fi
  done
  return 1
}

cluster_zk_config() {
  local n=$1 dir="$CLUSTER_DIR/zookeeper-$1" m
  mkdir -p "$dir/data"
  echo "$n" >"$dir/data/myid"
  {
    zk_config "$dir/data" "$(zk_member_port "$n")"
    for m in "${ZK_MEMBERS[@]}"; do echo "server.$m=127.0.0.1:$((2887 + m)):$((3887 + m))"; done
  } >"$dir/zoo.cfg"
}

cluster_zk_member_up() {
  local n=$1 name log
  name=$(zk_member_name "$n")
  log="$CLUSTER_DIR/zookeeper-$n/zookeeper.log"
  if our_pid "$name" >/dev/null; then return; fi
  port_open "$(zk_member_port "$n")" && die "port $(zk_member_port "$n") is taken: stop the standalone ZooKeeper first (npm run infra:down)"
  cluster_zk_config "$n"
  start_daemon "$name" "$log" "$JAVA" -Dshop.infra="$name" -Xms32m -Xmx256m -XX:-UsePerfData \
    -Dzookeeper.log.dir="$CLUSTER_DIR/zookeeper-$n" -cp "$VAR/lib/zookeeper/*" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$CLUSTER_DIR/zookeeper-$n/zoo.cfg"
}

cluster_zk_up() {
  local n
  for n in "${ZK_MEMBERS[@]}"; do cluster_zk_member_up "$n"; done
  wait_until 90 "zookeeper ensemble" "$CLUSTER_DIR/zookeeper-1/zookeeper.log" ensemble_serving
  say "zookeeper: ensemble of ${#ZK_MEMBERS[@]} serving at $(cluster_zk_connect), leader $(zk_leader)"
}

cluster_namesrv_up() {
  local n=$1 name port dir log
  name=$(namesrv_name "$n")
  port=$(namesrv_port "$n")
  dir="$CLUSTER_DIR/$name"
  log="$dir/namesrv.out"
  mkdir -p "$dir"
  if ! our_pid "$name" >/dev/null; then
    port_open "$port" && die "port $port is taken: stop the standalone stack first (npm run infra:down)"
    printf 'listenPort=%s\nkvConfigPath=%s\nconfigStorePath=%s\n' "$port" "$dir/kvConfig.json" "$dir/namesrv.properties" >"$dir/namesrv.conf"
    start_daemon "$name" "$log" env ROCKETMQ_HOME="$RMQ_DIR" "$JAVA" \
      -Dshop.infra="$name" -Xms32m -Xmx128m -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m \
      -Drmq.logback.configurationFile=rmq.namesrv.logback.xml \
      "${RMQ_JAVA_OPTS[@]}" -Duser.home="$dir" org.apache.rocketmq.namesrv.NamesrvStartup -c "$dir/namesrv.conf"
  fi
  WAIT_PID_NAME=$name wait_until 60 "$name" "$log" port_open "$port"
}

cluster_broker_up() {
  local name=$1 dir="$CLUSTER_DIR/$1" port log
  port=$(broker_port "$name")
  log="$dir/broker.out"
  mkdir -p "$dir/store"
  if ! our_pid "$name" >/dev/null; then
    rmq_broker_conf "$name" "$port" "$dir/store" "$(cluster_namesrv_addr)" >"$dir/broker.conf"
    # Direct memory: every pop (the proxy's consumers long-poll each queue of each group) reads
    # through a buffer of a few MB; at 256m broker-a ran out within a minute of a restart, and
    # its pop and revive services failed until it was stopped, holding messages back.
    start_daemon "$name" "$log" env ROCKETMQ_HOME="$RMQ_DIR" "$JAVA" \
      -Dshop.infra="$name" -Xms64m -Xmx384m -XX:MaxDirectMemorySize=1g \
      -Drmq.logback.configurationFile=rmq.broker.logback.xml "${RMQ_JAVA_OPTS[@]}" -Duser.home="$dir" \
      org.apache.rocketmq.broker.BrokerStartup -c "$dir/broker.conf"
  fi
  WAIT_PID_NAME=$name wait_until 90 "$name" "$log" port_open "$port"
}

cluster_proxy_up() {
  local dir="$CLUSTER_DIR/proxy" log
  log="$dir/proxy.out"
  mkdir -p "$dir"
  if ! our_pid proxy >/dev/null; then
    port_open "$RMQ_GRPC_PORT" && die "port $RMQ_GRPC_PORT is taken: stop the standalone stack first (npm run infra:down)"
    rmq_proxy_conf "$(cluster_namesrv_addr)" >"$dir/rmq-proxy.json"
    start_daemon proxy "$log" env ROCKETMQ_HOME="$RMQ_DIR" "$JAVA" \
      -Dshop.infra=proxy -Xms128m -Xmx512m -XX:MaxDirectMemorySize=256m \
      -Drmq.logback.configurationFile=rmq.proxy.logback.xml "${RMQ_JAVA_OPTS[@]}" -Duser.home="$dir" \
      org.apache.rocketmq.proxy.ProxyStartup -pm cluster -n "$(cluster_namesrv_addr)" -pc "$dir/rmq-proxy.json"
  fi
  WAIT_PID_NAME=proxy wait_until 120 proxy "$log" port_open "$RMQ_GRPC_PORT"
}

# Both masters registered with the name servers: topics are then created on both.
both_brokers_registered() {
  rmq_java -Dshop.infra=mqadmin -Xmx128m -Drmq.logback.configurationFile=rmq.tools.logback.xml \
    org.apache.rocketmq.tools.command.MQAdminStartup clusterList -n "$(cluster_namesrv_addr)" 2>/dev/null |
    awk '{print $2}' | sort -u | grep -c '^broker-[ab]$' | grep -q '^2$'
}

cluster_rocketmq_up() {
  cluster_namesrv_up 1
  cluster_namesrv_up 2
  local name
  for name in "${BROKERS[@]}"; do cluster_broker_up "$name"; done
  wait_until 90 "both brokers registered" "$CLUSTER_DIR/broker-a/broker.out" both_brokers_registered
  cluster_proxy_up
  # The topics, on both masters (a stamp per store, as in the standalone stack).
  RMQ_STORE_STAMP_DIR="$CLUSTER_DIR/broker-a/store" topics_up
  rmq_probe
  say "rocketmq: name servers $(cluster_namesrv_addr), masters ${BROKERS[*]}, proxy (cluster mode) gRPC 127.0.0.1:$RMQ_GRPC_PORT"
}

cluster_status() {
  local ok=0 n name mode
  for n in "${ZK_MEMBERS[@]}"; do
    name=$(zk_member_name "$n")
    if mode=$(zk_mode "$(zk_member_port "$n")"); then say "$name: UP   127.0.0.1:$(zk_member_port "$n") $mode"; else say "$name: DOWN"; ok=1; fi
  done
  for n in 1 2; do
    name=$(namesrv_name "$n")
    if port_open "$(namesrv_port "$n")"; then say "$name: UP   127.0.0.1:$(namesrv_port "$n")"; else say "$name: DOWN"; ok=1; fi
  done
  for name in "${BROKERS[@]}"; do
    if port_open "$(broker_port "$name")"; then say "$name: UP   127.0.0.1:$(broker_port "$name") (master)"; else say "$name: DOWN"; ok=1; fi
  done
  if port_open "$RMQ_GRPC_PORT"; then say "proxy: UP   gRPC 127.0.0.1:$RMQ_GRPC_PORT (cluster mode)"; else say "proxy: DOWN"; ok=1; fi
  return $ok
}

# Stops the members this stack started (a standalone stack's zookeeper, namesrv and proxy too,
# which share the names of member 1): `down` and a switch of topology.
cluster_down() {
  local n name
  for name in proxy "${BROKERS[@]}" "$(namesrv_name 2)" "$(namesrv_name 1)"; do stop_if_ours "$name"; done
  for n in "${ZK_MEMBERS[@]}"; do stop_if_ours "$(zk_member_name "$n")"; done
}

stop_if_ours() {
  if [ -f "$(pid_file "$1")" ]; then stop_ours "$1"; fi
}
