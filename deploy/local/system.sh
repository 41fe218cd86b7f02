#!/usr/bin/env bash
# The whole system on one machine: the infrastructure (infra.sh), the services and the front
# doors, each a background process with its log in var/log/<name>.log and its pid in
# var/run/<name>.pid. Needs a build (npm run build); `npm run up` does both.
#
#   bash deploy/local/system.sh up            infrastructure + every process, waits until ready
#   bash deploy/local/system.sh down          every process, then the infrastructure
#   bash deploy/local/system.sh status        what runs
#   bash deploy/local/system.sh start NAME    one process (a name from deploy/local/processes.conf,
#                                             or an instance of one: order-2)
#   bash deploy/local/system.sh stop NAME     one process (SIGTERM, graceful)
#   bash deploy/local/system.sh seed          the first admin and, in development, demo goods
#
# Every process runs with NODE_ENV=development unless NODE_ENV is set: a bare process (no
# NODE_ENV) is production, which refuses this stack's published secret and local gateway.
#
# SHOP_REPLICAS=2 runs two instances of every process but the local Alipay and WeChat Pay
# gateways: order and order-2, each with its log and pid file. The services pick free ports and
# register in ZooKeeper; instance N of a front door listens on its ports + 10 x (N - 1):
# order-web-2 on 7011 (admin 7111), pay-web-2 on 7012 (7112). Put a load balancer in front of the
# front doors' instances to use them all (docs/operations.md "Replicas"); the gateways notify
# pay-web's first.
#
# SHOP_PROFILE=test (what `npm test` uses) shortens the pay deadline, Alipay's and WeChat Pay's
# notification retry delays, WeChat Pay's refund processing, how long a failing pay channel is
# marked down and the refund lease so that the tests can watch them; a running system started
# with another profile is restarted (processes only, not the infrastructure).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VAR=${SHOP_VAR_DIR:-$ROOT/var}
RUN_DIR="$VAR/run"
LOG_DIR="$VAR/log"
mkdir -p "$RUN_DIR" "$LOG_DIR"
# shellcheck source=/dev/null
. "$ROOT/deploy/local/lib/util.sh"
say() { printf '[system] %s\n' "$*"; }

# Every command but `up` acts on the instances the running system has (recorded at `up`).
if [ -z "${SHOP_REPLICAS:-}" ] && [ "${1:-}" != up ] && [ -f "$RUN_DIR/replicas" ]; then SHOP_REPLICAS=$(cat "$RUN_DIR/replicas"); fi
REPLICAS=${SHOP_REPLICAS:-1}
[[ "$REPLICAS" =~ ^[1-9]$ ]] || die "SHOP_REPLICAS must be 1 to 9, not $REPLICAS"
# The process list (deploy/local/processes.conf): name, instances, entry point, readiness probe.
# PROCESSES holds every instance to run (goods, goods-2, ...), by process in start order.
PROCESSES=()
declare -A ENTRY PROBE PORT_VAR SCALES
while read -r name instances main probe port_var; do
  case "$name" in '' | '#'*) continue ;; esac
  ENTRY[$name]=$main
  PROBE[$name]=$probe
  PORT_VAR[$name]=${port_var:-}
  SCALES[$name]=$instances
  PROCESSES+=("$name")
  if [ "$instances" = n ]; then for ((i = 2; i <= REPLICAS; i++)); do PROCESSES+=("$name-$i"); done; fi
done <"$ROOT/deploy/local/processes.conf"
# Stopped in the reverse order: front doors first, the gateways last.
STOP_ORDER=()
for ((i = ${#PROCESSES[@]} - 1; i >= 0; i--)); do STOP_ORDER+=("${PROCESSES[$i]}"); done

# process_of INSTANCE: the process an instance runs (order-web-2 -> order-web).
process_of() { echo "${1%-[0-9]}"; }
# instance_number INSTANCE: 1 for order-web, 2 for order-web-2.
instance_number() { [[ "$1" =~ -([0-9])$ ]] && echo "${BASH_REMATCH[1]}" || echo 1; }

entry() {
  local process
  process=$(process_of "$1")
  [ -n "${ENTRY[$process]:-}" ] || die "unknown process $1 (one of: ${!ENTRY[*]})"
  [ "$(instance_number "$1")" = 1 ] || [ "${SCALES[$process]}" = n ] || die "$process runs as one instance only"
  echo "$ROOT/${ENTRY[$process]}"
}

# Instance N of a front door: its public and admin ports moved by 10 x (N - 1), exported for
# the process and its readiness probe (the caller runs in a subshell of its own).
instance_ports() {
  local n port_var admin_var
  n=$(instance_number "$1")
  port_var=${PORT_VAR[$(process_of "$1")]}
  [ "$n" != 1 ] && [ -n "$port_var" ] || return 0
  admin_var=${port_var%_PORT}_ADMIN_PORT
  export "$port_var=$((${!port_var} + 10 * (n - 1)))"
  if [ -n "${!admin_var:-}" ]; then export "$admin_var=$((${!admin_var} + 10 * (n - 1)))"; fi
}

# Instances of the processes.conf processes running beyond SHOP_REPLICAS (a system started with
# more): stopped by `up`. Only those: the cluster topology's zookeeper-2 or namesrv-2 are not ours.
surplus_instances() {
  local f name process
  for process in "${!SCALES[@]}"; do
    for f in "$RUN_DIR/$process"-[0-9].pid; do
      [ -e "$f" ] || continue
      name=$(basename "$f" .pid)
      [ "$(instance_number "$name")" -gt "$REPLICAS" ] && echo "$name"
    done
  done
  return 0
}

: "${ORDER_WEB_PORT:=7001}"
: "${PAY_WEB_PORT:=7002}"
: "${ALIPAY_GATEWAY_PORT:=7009}"
: "${WECHATPAY_GATEWAY_PORT:=7010}"
# The front doors' admin listeners (/metrics, /docs, /livez, /readyz on 127.0.0.1), at fixed
# ports so that a person or a scraper finds them; in development /metrics and /docs answer on the
# public ports as well.
: "${ORDER_WEB_ADMIN_PORT:=7101}"
: "${PAY_WEB_ADMIN_PORT:=7102}"
: "${ALIPAY_KEYS_DIR:=$VAR/alipay}"
# The WeChat Pay merchant's keys and certificates, and the gateway's (read by both the pay
# service and the local gateway).
: "${WECHATPAY_KEYS_DIR:=$VAR/wechatpay}"
# The goods' pictures (the goods service's image store on local disk).
export GOODS_IMAGE_DIR="${GOODS_IMAGE_DIR:-$VAR/images}"
# One process started alone (or the seed) joins the system in the profile the system runs with.
if [ -z "${SHOP_PROFILE:-}" ] && { [ "${1:-}" = start ] || [ "${1:-}" = seed ]; } && [ -f "$RUN_DIR/profile" ]; then SHOP_PROFILE=$(cat "$RUN_DIR/profile"); fi
: "${SHOP_PROFILE:=development}"
export ORDER_WEB_PORT PAY_WEB_PORT ALIPAY_GATEWAY_PORT ALIPAY_KEYS_DIR WECHATPAY_GATEWAY_PORT WECHATPAY_KEYS_DIR ORDER_WEB_ADMIN_PORT PAY_WEB_ADMIN_PORT
export NODE_ENV="${NODE_ENV:-development}"
# Rate limits (common/src/http/rate-limits.ts): counted in the stack's Redis, shared by every
# front-door instance, and raised a thousandfold, since the tests, benches and chaos runs all come
# from 127.0.0.1 (RATE_LIMIT_SCALE=1 npm run up tries the production limits).
export RATE_LIMIT_SCALE="${RATE_LIMIT_SCALE:-1000}"
# Access tokens of an hour (production default: 15 minutes): long benches and chaos runs sign in once.
export JWT_TTL_SECONDS="${JWT_TTL_SECONDS:-3600}"
# The services' mutual TLS: the local CA and a certificate per process, made by infra.sh (deploy/local/lib/pki.sh).
export RPC_TLS_DIR="${RPC_TLS_DIR:-$VAR/pki}"
export RATE_LIMIT_REDIS_URL="${RATE_LIMIT_REDIS_URL-redis://127.0.0.1:${REDIS_PORT:-6379}}"
export PAY_NOTIFY_URL="${PAY_NOTIFY_URL:-http://127.0.0.1:$PAY_WEB_PORT/api/v1/notify/alipay}"
export ALIPAY_GATEWAY="${ALIPAY_GATEWAY:-http://127.0.0.1:$ALIPAY_GATEWAY_PORT/gateway.do}"
# The pay service's WeChat Pay: the local gateway, and pay-web's notify route (merchant and app
# ids: the pay service's defaults, the gateway's).
export WECHATPAY_BASE_URL="${WECHATPAY_BASE_URL:-http://127.0.0.1:$WECHATPAY_GATEWAY_PORT}"
export WECHATPAY_NOTIFY_URL="${WECHATPAY_NOTIFY_URL:-http://127.0.0.1:$PAY_WEB_PORT/api/v1/notify/wechatpay}"
# Traces to the stack's Zipkin (infra.sh); ZIPKIN=off runs without it, and without tracing.
export ZIPKIN_URL="${ZIPKIN_URL:-http://127.0.0.1:${ZIPKIN_PORT:-9411}/api/v2/spans}"
if [ "${ZIPKIN:-on}" = off ]; then export TRACING="${TRACING:-off}"; fi
case "$SHOP_PROFILE" in
  development) export SHOP_SCHEMA_PREFIX=shop_ RATE_LIMIT_NAMESPACE=shop-rate-limit:development: ;;
  test)
    # Schemas of their own (common/src/config/schemas.ts): what tests create never shows in the
    # development shop.
    export SHOP_SCHEMA_PREFIX=shop_e2e_ RATE_LIMIT_NAMESPACE=shop-rate-limit:test:
    # Deadlines the tests can wait for: 20 s to pay; Alipay's and WeChat Pay's retries 1000
    # times faster; WeChat Pay's refunds PROCESSING for 1.5 s (long enough to be seen); a
    # failing pay channel marked down for 3 s.
    export PAY_TIMEOUT_SECONDS="${PAY_TIMEOUT_SECONDS:-20}"
    export PAY_EXPIRY_MARGIN_SECONDS="${PAY_EXPIRY_MARGIN_SECONDS:-2}"
    export PAY_REFUND_LEASE_MS="${PAY_REFUND_LEASE_MS:-5000}"
    export ALIPAY_NOTIFY_TIME_SCALE="${ALIPAY_NOTIFY_TIME_SCALE:-0.001}"
    export WECHATPAY_NOTIFY_TIME_SCALE="${WECHATPAY_NOTIFY_TIME_SCALE:-0.001}"
    export WECHATPAY_REFUND_DELAY_MS="${WECHATPAY_REFUND_DELAY_MS:-1500}"
    # WeChat serves a day's bill at 10:00 the next day; tests reconcile today's (as Alipay's emulator serves it).
    export WECHATPAY_BILL_READY_AFTER_MINUTES="${WECHATPAY_BILL_READY_AFTER_MINUTES:--1440}"
    export PAY_CHANNEL_DOWN_SECONDS="${PAY_CHANNEL_DOWN_SECONDS:-3}"
    export PAY_SWEEP_INTERVAL_MS="${PAY_SWEEP_INTERVAL_MS:-5000}"
    export ORDER_SWEEP_INTERVAL_MS="${ORDER_SWEEP_INTERVAL_MS:-2000}"
    # Spans reach Zipkin within a fraction of a second instead of 5 s (the batch's delay).
    export OTEL_BSP_SCHEDULE_DELAY="${OTEL_BSP_SCHEDULE_DELAY:-200}"
    ;;
  *) die "SHOP_PROFILE must be development or test" ;;
esac

# The cluster topology (SHOP_TOPOLOGY=cluster, deploy/local/lib/cluster.sh): the processes
# connect to every member of the ZooKeeper ensemble, unless ZK_CONNECT says otherwise.
# shellcheck source=/dev/null
. "$ROOT/deploy/local/lib/cluster.sh"
: "${ZK_PORT:=2181}"
GIVEN_ZK_CONNECT=${ZK_CONNECT:-}
# Again after `up` started the infrastructure: it may have switched topology.
topology_env() {
  if [ "$(cat "$RUN_DIR/topology" 2>/dev/null)" = cluster ]; then export ZK_CONNECT="${GIVEN_ZK_CONNECT:-$(cluster_zk_connect)}"
  elif [ -z "$GIVEN_ZK_CONNECT" ]; then unset ZK_CONNECT; fi
  return 0
}
topology_env

# ready NAME: asks the process (processes.conf says how), never its log. One probe keeps asking
# for up to 5 s (and stops when the process is gone), so a start spawns a few probes, not hundreds.
ready() {
  local pid port_var process probe=("$ROOT/common/dist/service/readiness-probe.js" --wait-ms 5000)
  pid=$(our_pid "$1") || return 1
  process=$(process_of "$1")
  case "${PROBE[$process]}" in
    grpc) node "${probe[@]}" grpc "$pid" 2>/dev/null ;;
    http)
      port_var=${PORT_VAR[$process]}
      node "${probe[@]}" http "$pid" "http://127.0.0.1:${!port_var}/readyz" 2>/dev/null
      ;;
    *) die "processes.conf: unknown readiness probe ${PROBE[$process]} for $1" ;;
  esac
}

start_one() {
  local name=$1 main log
  main=$(entry "$name")
  [ -f "$main" ] || die "$main is missing: run npm run build first"
  instance_ports "$name"
  log="$LOG_DIR/$name.log"
  # One start at a time per process: two concurrent starts would run two instances on one pid file.
  exec 9>"$RUN_DIR/$name.lock"
  flock 9
  local pid
  if pid=$(our_pid "$name"); then
    # Code built after the process started: restart it, or it would keep running the old code.
    if [ -n "$(find "$(dirname "$main")" "$ROOT/common/dist" "$ROOT/contracts/dist" "$ROOT/proto/dist" -name '*.js' -newer "/proc/$pid" -print -quit 2>/dev/null)" ]; then
      say "$name: rebuilt since it started; restarting"
      stop_ours "$name" >/dev/null
    else
      say "$name: already running (pid $pid)"
      return 0
    fi
  fi
  # The previous instance's log is kept beside.
  [ -s "$log" ] && mv "$log" "$log.previous"
  # The trailing --shop-infra=NAME marks the command line, so that `down` only stops our pids.
  # SHOP_NODE_FLAGS: extra node flags for the services and front doors, e.g. a CPU profile:
  # SHOP_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (written when the process exits).
  # shellcheck disable=SC2086
  start_daemon "$name" "$log" node --enable-source-maps ${SHOP_NODE_FLAGS:-} "$main" "--shop-infra=$name"
  WAIT_PID_NAME=$name wait_until 60 "$name" "$log" ready "$name"
  say "$name: ready (pid $(our_pid "$name"), log $log)"
}

# A system started with another profile is restarted with this one.
switch_profile() {
  local file="$RUN_DIR/profile" name
  if [ -f "$file" ] && [ "$(cat "$file")" != "$SHOP_PROFILE" ]; then
    say "running with profile $(cat "$file"); restarting the processes with $SHOP_PROFILE"
    for name in $(surplus_instances) "${STOP_ORDER[@]}"; do stop_ours "$name" >/dev/null; done
  fi
  echo "$SHOP_PROFILE" >"$file"
  # How many instances run, for the tools that stop and start them (the specs' processes.ts).
  echo "$REPLICAS" >"$RUN_DIR/replicas"
}

up() {
  bash "$ROOT/deploy/local/infra.sh" up
  topology_env
  # ZooKeeper's /dubbo and /shop writable by the shop's digest only (ZK_DIGEST, docs/security.md),
  # trees left open by an older version included, before any process registers.
  node "$ROOT/common/dist/zk/secure-tree-command.js"
  # The merchant's and the local gateways' keys and certificates (local development only; kept
  # when they exist).
  node "$ROOT/web/alipay-gateway/dist/generate-keys.js" "$ALIPAY_KEYS_DIR"
  node "$ROOT/web/wechatpay-gateway/dist/generate-keys.js" "$WECHATPAY_KEYS_DIR"
  switch_profile
  local name pids=()
  # The surplus instances drain at once (each takes several seconds to leave gracefully).
  local stopping=()
  for name in $(surplus_instances); do
    { stop_ours "$name" >/dev/null && say "$name: stopped (SHOP_REPLICAS=$REPLICAS)"; } &
    stopping+=($!)
  done
  if ((${#stopping[@]} > 0)); then wait "${stopping[@]}"; fi
  for name in "${PROCESSES[@]}"; do
    start_one "$name" &
    pids+=($!)
  done
  local failed=0 pid
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "some processes did not start (logs under $LOG_DIR)"
  # Every address: storefront, consoles, APIs and references, admin ports, the infrastructure.
  bash "$ROOT/deploy/local/banner.sh"
}

down() {
  local name
  for name in $(surplus_instances) "${STOP_ORDER[@]}"; do stop_ours "$name" >/dev/null; done
  rm -f "$RUN_DIR/profile" "$RUN_DIR/replicas"
  say "processes stopped"
  bash "$ROOT/deploy/local/infra.sh" down
}

status() {
  local name ok=0
  for name in "${PROCESSES[@]}"; do
    if our_pid "$name" >/dev/null; then say "$name: running (pid $(our_pid "$name"))"; else say "$name: down"; ok=1; fi
  done
  bash "$ROOT/deploy/local/infra.sh" status || ok=1
  return $ok
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  start) start_one "${2:?name}" ;;
  stop) stop_ours "${2:?name}" ;;
  seed) node "$ROOT/web/order-web/dist/seed.js" ;;
  *) echo "usage: $0 up|down|status|start NAME|stop NAME|seed" >&2; exit 2 ;;
esac
