# ZooKeeper standalone on 127.0.0.1:$ZK_PORT, AdminServer off (it would take RocketMQ's 8080).

ZK_DIR="$VAR/zookeeper"

# "ruok" answers imok even when the server thread died at start-up; "srvr" tells whether it serves.
zk_serving() {
  local answer
  answer=$( (exec 3<>"/dev/tcp/127.0.0.1/$ZK_PORT" && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null) || return 1
  [[ "$answer" == *"Mode: "* ]]
}

# zk_config DATA_DIR CLIENT_PORT: the settings every server of the stack shares (the standalone
# one, and each member of the cluster topology's ensemble, lib/cluster.sh). tickTime 1000 lets
# tests use 2 s sessions (minSessionTimeout = 2 x tickTime).
zk_config() {
  cat <<CFG
tickTime=1000
initLimit=10
syncLimit=5
dataDir=$1
clientPort=$2
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat,mntr,cons
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
CFG
}

zk_write_config() {
  mkdir -p "$ZK_DIR/data"
  zk_config "$ZK_DIR/data" "$ZK_PORT" >"$ZK_DIR/zoo.cfg"
}

zk_up() {
  local log="$ZK_DIR/zookeeper.log" pid
  if zk_serving; then
    if pid=$(our_pid zookeeper); then say "zookeeper: running (pid $pid), 127.0.0.1:$ZK_PORT"; else
      say "zookeeper: an existing server answers on 127.0.0.1:$ZK_PORT, using it"; fi
    return
  fi
  port_open "$ZK_PORT" && die "port $ZK_PORT is taken by something that is not ZooKeeper (srvr got no answer)"
  if ! our_pid zookeeper >/dev/null; then
    zk_write_config
    start_daemon zookeeper "$log" "$JAVA" -Dshop.infra=zookeeper -Xms32m -Xmx256m -XX:-UsePerfData \
      -Dzookeeper.log.dir="$ZK_DIR" -cp "$VAR/lib/zookeeper/*" \
      org.apache.zookeeper.server.ZooKeeperServerMain "$ZK_DIR/zoo.cfg"
  fi
  WAIT_PID_NAME=zookeeper wait_until 60 zookeeper "$log" zk_serving
  say "zookeeper: started (pid $(our_pid zookeeper)), 127.0.0.1:$ZK_PORT, log $log"
}

zk_status() {
  if zk_serving; then say "zookeeper: UP   127.0.0.1:$ZK_PORT $(our_pid zookeeper >/dev/null && echo "pid $(our_pid zookeeper)" || echo external) log $ZK_DIR/zookeeper.log"
  else say "zookeeper: DOWN"; return 1; fi
}
