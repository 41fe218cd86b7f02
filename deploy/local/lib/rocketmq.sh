# RocketMQ 5: namesrv on 127.0.0.1:$RMQ_NAMESRV_PORT and the proxy in local mode (it embeds the
# broker) with its gRPC endpoint on 127.0.0.1:$RMQ_GRPC_PORT. Topics come from deploy/topics.conf.

RMQ_DIR="$VAR/rocketmq"
RMQ_CONF="$RMQ_DIR/conf"
RMQ_LOGS="$RMQ_DIR/logs/rocketmqlogs"
# JDK 17 closes internals that the broker's mmap code uses. logback.configurationFile quiets the
# plain logback on the classpath (grpc-netty logs every frame at DEBUG without it).
# -XX:-UsePerfData: no hsperfdata file and no sampling thread (jcmd and jstack still attach).
RMQ_JAVA_OPTS=(--add-opens java.base/java.nio=ALL-UNNAMED --add-exports java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  -XX:+UseG1GC -XX:-UsePerfData -Duser.home="$RMQ_DIR" -Drocketmq.home.dir="$RMQ_DIR" -cp "$VAR/lib/rocketmq/*"
  -Dlogback.configurationFile="$ROOT/deploy/local/rocketmq-logback.xml")

rmq_java() { ROCKETMQ_HOME="$RMQ_DIR" "$JAVA" "${RMQ_JAVA_OPTS[@]}" "$@"; }

# rmq_broker_conf [NAME PORT STORE NAMESRV_ADDR]: a master's settings; the standalone stack's
# broker-a by default, the cluster topology's two masters with their own (lib/cluster.sh).
rmq_broker_conf() {
  local name=${1:-broker-a} port=${2:-$RMQ_BROKER_PORT} store=${3:-$RMQ_DIR/store} namesrv=${4:-127.0.0.1:$RMQ_NAMESRV_PORT}
  cat <<CFG
brokerClusterName=DefaultCluster
brokerName=$name
brokerId=0
brokerIP1=127.0.0.1
namesrvAddr=$namesrv
listenPort=$port
storePathRootDir=$store
storePathCommitLog=$store/commitlog
# Topics are created with their message type by infra:up, never on first use.
autoCreateTopicEnable=false
autoCreateSubscriptionGroup=true
# Small files for a small box (defaults: 1 GiB commit log files, 6 MB consume queues).
mappedFileSizeCommitLog=67108864
mappedFileSizeConsumeQueue=600000
maxHashSlotNum=100000
maxIndexNum=400000
fileReservedTime=24
# Transactional messages: a half message older than transactionTimeOut is checked back every
# transactionCheckInterval, at most transactionCheckMax times (then it is parked in
# TRANS_CHECK_MAX_TIME_TOPIC). Production values are in docs/operations.md.
transactionTimeOut=$RMQ_TX_TIMEOUT_MS
transactionCheckInterval=$RMQ_TX_CHECK_INTERVAL_MS
transactionCheckMax=$RMQ_TX_CHECK_MAX
# Commit/rollback records ("op" messages) are written in batches every transactionOpBatchInterval
# (default 3000 ms). A check running before the batch lands asks about a message that is already
# resolved; keeping the batch well under transactionTimeOut makes that rare (it stays possible:
# check-back handlers answer from committed state, consumers are idempotent).
transactionOpBatchInterval=$RMQ_TX_OP_BATCH_INTERVAL_MS
# Delay messages (the pay deadline timers): every timerFlushIntervalMs (default 1000) the broker
# compares its 38 MB timer wheel (7 days of 1 s slots, fixed) with the file it maps, byte by byte:
# a tenth of a core at rest, 2% every 10 s. The wheel and the timer log are flushed with a
# checkpoint, and after a crash the broker replays the timer queue from that checkpoint, so a
# longer interval costs replay at restart (30 s of timers enqueued again), not timers.
timerFlushIntervalMs=30000
# Threads that move due timers back into their topic poll their queue every 10 ms, three of each
# by default: one each carries a pay deadline per order with room to spare, and idles for less.
timerGetMessageThreadNum=1
timerPutMessageThreadNum=1
CFG
}

# A message the proxy pops for a client that has just died is written to a cancelled stream, and
# 5.3.3 then forgets to hand it back (the 5.3.4 fix wraps that write): it stays invisible for
# defaultInvisibleTimeMills. Measured with the default 60 s: a consumer killed mid long-poll, and
# the next message of its group waited 78 s. 15 s bounds that wait; a message still being handled
# is renewed by the proxy 10 s ahead (renewAheadTimeMillis), so slow handlers are not affected.
# rmq_proxy_conf [NAMESRV_ADDR]: the proxy's settings, for the standalone proxy (its own name
# server) and the cluster topology's (lib/cluster.sh, both name servers).
rmq_proxy_conf() {
  cat <<CFG
{
  "rocketMQClusterName": "DefaultCluster",
  "namesrvAddr": "${1:-127.0.0.1:$RMQ_NAMESRV_PORT}",
  "grpcServerPort": $RMQ_GRPC_PORT,
  "remotingListenPort": $RMQ_REMOTING_PORT,
  "defaultInvisibleTimeMills": 15000
}
CFG
}

rmq_check_disk() {
  local used
  mkdir -p "$RMQ_DIR/store"
  used=$(df --output=pcent "$RMQ_DIR/store" | tail -n 1 | tr -dc 0-9)
  if [ "$used" -ge 85 ]; then
    warn "the filesystem of $RMQ_DIR/store is ${used}% full: the broker refuses writes above 90%."
    warn "point SHOP_VAR_DIR at another filesystem (the whole var/ folder moves with it)."
  fi
}

namesrv_up() {
  local log="$RMQ_LOGS/namesrv.out" pid
  if port_open "$RMQ_NAMESRV_PORT"; then
    pid=$(our_pid namesrv) && say "namesrv: running (pid $pid), 127.0.0.1:$RMQ_NAMESRV_PORT" ||
      say "namesrv: an existing name server answers on 127.0.0.1:$RMQ_NAMESRV_PORT, using it"
    return
  fi
  mkdir -p "$RMQ_LOGS"
  our_pid namesrv >/dev/null || start_daemon namesrv "$log" env ROCKETMQ_HOME="$RMQ_DIR" "$JAVA" \
    -Dshop.infra=namesrv -Xms32m -Xmx128m -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m \
    -Drmq.logback.configurationFile=rmq.namesrv.logback.xml \
    "${RMQ_JAVA_OPTS[@]}" org.apache.rocketmq.namesrv.NamesrvStartup
  WAIT_PID_NAME=namesrv wait_until 60 namesrv "$log" port_open "$RMQ_NAMESRV_PORT"
  say "namesrv: started (pid $(our_pid namesrv)), 127.0.0.1:$RMQ_NAMESRV_PORT, logs $RMQ_LOGS"
}

proxy_up() {
  local log="$RMQ_LOGS/proxy.out" pid
  mkdir -p "$RMQ_CONF" "$RMQ_LOGS"
  # The JVM options go in as a comment, so that a change of them restarts the proxy too.
  { rmq_broker_conf && echo "# JVM: ${RMQ_JAVA_OPTS[*]}"; } >"$RMQ_CONF/broker.conf.next"
  rmq_proxy_conf >"$RMQ_CONF/rmq-proxy.json"
  if pid=$(our_pid proxy) && ! cmp -s "$RMQ_CONF/broker.conf.next" "$RMQ_CONF/broker.conf"; then
    say "proxy: broker or JVM settings changed (RMQ_TX_* ?), restarting it"
    stop_ours proxy
  fi
  mv "$RMQ_CONF/broker.conf.next" "$RMQ_CONF/broker.conf"
  if port_open "$RMQ_GRPC_PORT"; then
    pid=$(our_pid proxy) && say "proxy: running (pid $pid), gRPC 127.0.0.1:$RMQ_GRPC_PORT" ||
      say "proxy: an existing proxy answers on 127.0.0.1:$RMQ_GRPC_PORT, using it (its settings are its own)"
    return
  fi
  rmq_check_disk
  our_pid proxy >/dev/null || start_daemon proxy "$log" env ROCKETMQ_HOME="$RMQ_DIR" "$JAVA" \
    -Dshop.infra=proxy -Xms128m -Xmx1g -XX:MaxDirectMemorySize=512m -XX:G1PeriodicGCInterval=60000 \
    -Drmq.logback.configurationFile=rmq.proxy.logback.xml "${RMQ_JAVA_OPTS[@]}" \
    org.apache.rocketmq.proxy.ProxyStartup -pm local -n "127.0.0.1:$RMQ_NAMESRV_PORT" \
    -pc "$RMQ_CONF/rmq-proxy.json" -bc "$RMQ_CONF/broker.conf"
  WAIT_PID_NAME=proxy wait_until 120 proxy "$log" port_open "$RMQ_GRPC_PORT"
  say "proxy: started (pid $(our_pid proxy)), gRPC 127.0.0.1:$RMQ_GRPC_PORT, logs $RMQ_LOGS"
}

# Creates one topic with its message type, retrying until the deadline: the proxy's port opens
# before its embedded broker has registered with the name server, and until then mqadmin
# answers "Make sure the specified clusterName exists".
create_topic() {
  local topic=$1 type=$2 deadline=$(($(now_ms) + 90000)) log="$RMQ_LOGS/topic-$1.log"
  until rmq_java -Dshop.infra=mqadmin -Xmx128m -Drmq.logback.configurationFile=rmq.tools.logback.xml \
    org.apache.rocketmq.tools.command.MQAdminStartup updateTopic -n "127.0.0.1:$RMQ_NAMESRV_PORT" \
    -c DefaultCluster -t "$topic" -r 4 -w 4 -a "+message.type=$type" >"$log" 2>&1 && grep -q success "$log"; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 2
  done
}

# Creates the topics of deploy/topics.conf with their message type, in parallel. The broker
# keeps them in its store, so this runs again only when the store or topics.conf is new.
topics_up() {
  local conf="$ROOT/deploy/topics.conf" stamp="${RMQ_STORE_STAMP_DIR:-$RMQ_DIR/store}/.topics.sha256" want topic type pids=() failed=0
  want=$(sha256sum "$conf" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  while read -r topic type; do
    case "$topic" in '' | '#'*) continue ;; esac
    create_topic "$topic" "$type" &
    pids+=($!)
  done <"$conf"
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  if [ "$failed" = 1 ]; then
    grep -h -i -E 'error|exception' "$RMQ_LOGS"/topic-*.log | head -n 20 >&2
    die "could not create the topics (logs: $RMQ_LOGS/topic-*.log)"
  fi
  echo "$want" >"$stamp"
  say "topics: created from deploy/topics.conf"
}

# Sends a message through the proxy and receives it back: the proof that the Node client works.
rmq_probe() {
  (cd "$ROOT" && node_modules/.bin/tsx deploy/local/rocketmq-probe.ts) ||
    die "RocketMQ round trip failed (logs: $RMQ_LOGS)"
}

rocketmq_up() {
  namesrv_up
  proxy_up
  topics_up
  rmq_probe
}

rocketmq_status() {
  local ok=0
  if port_open "$RMQ_NAMESRV_PORT"; then say "namesrv:   UP   127.0.0.1:$RMQ_NAMESRV_PORT $(our_pid namesrv >/dev/null && echo "pid $(our_pid namesrv)" || echo external)"
  else say "namesrv:   DOWN"; ok=1; fi
  if port_open "$RMQ_GRPC_PORT"; then say "proxy:     UP   127.0.0.1:$RMQ_GRPC_PORT $(our_pid proxy >/dev/null && echo "pid $(our_pid proxy)" || echo external) logs $RMQ_LOGS"
  else say "proxy:     DOWN"; ok=1; fi
  return $ok
}
