#!/usr/bin/env bash
# The whole system on one machine: the infrastructure (infra.sh), the services and the front
# doors, each a background process with its log in var/log/<name>.log and its pid in
# var/run/<name>.pid. Needs a build (npm run build); `npm run up` does both.
#
#   bash deploy/local/system.sh up            infrastructure + every process, waits until ready
#   bash deploy/local/system.sh down          every process, then the infrastructure
#   bash deploy/local/system.sh status        what runs
#   bash deploy/local/system.sh start NAME    one process (goods, coupon, user, order, order-web)
#   bash deploy/local/system.sh stop NAME     one process (SIGTERM, graceful)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VAR=${SHOP_VAR_DIR:-$ROOT/var}
RUN_DIR="$VAR/run"
LOG_DIR="$VAR/log"
mkdir -p "$RUN_DIR" "$LOG_DIR"
# shellcheck source=/dev/null
. "$ROOT/deploy/local/lib/util.sh"
say() { printf '[system] %s\n' "$*"; }

# name -> entry point; the order matters only for the log of `up`.
PROCESSES=(goods coupon user order order-web)
entry() {
  case "$1" in
    order-web) echo "$ROOT/web/order-web/dist/main.js" ;;
    goods | coupon | user | order) echo "$ROOT/services/$1/dist/main.js" ;;
    *) die "unknown process $1 (one of: ${PROCESSES[*]})" ;;
  esac
}

: "${ORDER_WEB_PORT:=7001}"
export ORDER_WEB_PORT

# ready NAME LOG: a service has registered in ZooKeeper; a front door listens.
ready() {
  case "$1" in
    order-web) grep -q '"msg":"order-web listening"' "$2" 2>/dev/null ;;
    *) grep -q '"msg":"rpc server started"' "$2" 2>/dev/null ;;
  esac
}

start_one() {
  local name=$1 main log
  main=$(entry "$name")
  [ -f "$main" ] || die "$main is missing: run npm run build first"
  log="$LOG_DIR/$name.log"
  if our_pid "$name" >/dev/null; then
    say "$name: already running (pid $(our_pid "$name"))"
    return 0
  fi
  : >"$log"
  # The trailing --shop-infra=NAME marks the command line, so that `down` only stops our pids.
  start_daemon "$name" "$log" node --enable-source-maps "$main" "--shop-infra=$name"
  WAIT_PID_NAME=$name wait_until 60 "$name" "$log" ready "$name" "$log"
  say "$name: ready (pid $(our_pid "$name"), log $log)"
}

up() {
  bash "$ROOT/deploy/local/infra.sh" up
  local name pids=()
  for name in "${PROCESSES[@]}"; do
    start_one "$name" &
    pids+=($!)
  done
  local failed=0 pid
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "some processes did not start (logs under $LOG_DIR)"
  say "order-web: http://127.0.0.1:$ORDER_WEB_PORT (API under /api/v1)"
}

down() {
  local name
  for name in order-web order goods coupon user; do stop_ours "$name" >/dev/null; done
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
  *) echo "usage: $0 up|down|status|start NAME|stop NAME" >&2; exit 2 ;;
esac
