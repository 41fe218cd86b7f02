#!/usr/bin/env bash
# The foreground half of `npm start`: prints where things are, follows the processes' logs, and
# on Ctrl-C stops the whole system (processes and infrastructure).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOG_DIR=${SHOP_VAR_DIR:-$ROOT/var}/log
cat <<TEXT

  Shop is running.
    order-web   http://127.0.0.1:${ORDER_WEB_PORT:-7001}/api/v1   (health: /healthz; metrics and API reference: /metrics, /docs)
    pay-web     http://127.0.0.1:${PAY_WEB_PORT:-7002}/api/v1
    admin ports http://127.0.0.1:${ORDER_WEB_ADMIN_PORT:-7101}, :${PAY_WEB_ADMIN_PORT:-7102}   (/metrics, /docs: the only place in production)
    Alipay      http://127.0.0.1:${ALIPAY_GATEWAY_PORT:-7009}   (local emulator: cashier pages at /cashier/<paymentId>)
    admin       ${ADMIN_USERNAME:-admin} / (ADMIN_PASSWORD, local default admin123)
    logs        $LOG_DIR/<process>.log (followed below)
  Ctrl-C stops everything; to keep it running in the background use npm run up / npm run down.

TEXT
trap 'echo; bash "$ROOT/deploy/local/system.sh" down; exit 0' INT TERM
tail -n 0 -F "$LOG_DIR"/{goods,coupon,user,order,pay,order-web,pay-web,alipay-gateway}.log &
wait
