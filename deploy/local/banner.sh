#!/usr/bin/env bash
# Where everything of the running local system is: printed by `system.sh up` when every process is
# ready (so by `npm start` and `npm run up`), and by `bash deploy/local/banner.sh` at any time.
# The services' admin ports are free ports chosen at start: read from their logs.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VAR=${SHOP_VAR_DIR:-$ROOT/var}
LOG_DIR="$VAR/log"
RUN_DIR="$VAR/run"

order_web="http://127.0.0.1:${ORDER_WEB_PORT:-7001}"
pay_web="http://127.0.0.1:${PAY_WEB_PORT:-7002}"

# admin_url NAME: the admin listener the service logged at its last start ("admin listener started").
admin_url() {
  local log="$LOG_DIR/$1.log"
  [ -f "$log" ] || { echo "(no log)"; return; }
  grep '"admin listener started"' "$log" | tail -n 1 | sed -n 's/.*"url":"\([^"]*\)".*/\1/p' | grep . || echo "(not logged)"
}

# replicas_line: the other instances of the front doors, when SHOP_REPLICAS runs more than one.
replicas_line() {
  local n=${SHOP_REPLICAS:-1} i line=""
  [ "$n" -gt 1 ] || return 0
  for ((i = 2; i <= n; i++)); do
    line+="order-web-$i http://127.0.0.1:$((${ORDER_WEB_PORT:-7001} + 10 * (i - 1))), pay-web-$i http://127.0.0.1:$((${PAY_WEB_PORT:-7002} + 10 * (i - 1)))  "
  done
  printf '    replicas         %s of every process but the gateways (var/log/<process>-N.log); %s\n' "$n" "${line%  }"
}

zipkin_line() {
  if [ "${ZIPKIN:-on}" = off ]; then echo "off (ZIPKIN=off)"; else echo "http://127.0.0.1:${ZIPKIN_PORT:-9411}/zipkin/"; fi
}

cat <<TEXT

  Shop is running (profile $(cat "$RUN_DIR/profile" 2>/dev/null || echo "${SHOP_PROFILE:-development}")).

    storefront       $order_web/
    admin console    $order_web/admin/            (${ADMIN_USERNAME:-admin} / ADMIN_PASSWORD, local default admin123)
    order-web API    $order_web/api/v1            reference: $order_web/docs
    pay-web API      $pay_web/api/v1            reference: $pay_web/docs
    admin ports      order-web http://127.0.0.1:${ORDER_WEB_ADMIN_PORT:-7101}, pay-web http://127.0.0.1:${PAY_WEB_ADMIN_PORT:-7102}   (/metrics /docs /livez /readyz)
                     goods $(admin_url goods), coupon $(admin_url coupon), user $(admin_url user)
                     order $(admin_url order), pay $(admin_url pay)   (/metrics /livez /readyz)
$(replicas_line)
    Alipay gateway   http://127.0.0.1:${ALIPAY_GATEWAY_PORT:-7009}   (local emulator: cashier pages at /cashier/<paymentId>)
    WeChat gateway   http://127.0.0.1:${WECHATPAY_GATEWAY_PORT:-7010}   (local WeChat Pay API v3 emulator: cashier pages at /cashier/<code_url's pr>)
    Zipkin (traces)  $(zipkin_line)
    ZooKeeper        127.0.0.1:${ZK_PORT:-2181}   (the services' gRPC providers under /dubbo: npx tsx scripts/show-registry.ts)
    RocketMQ         name server 127.0.0.1:${RMQ_NAMESRV_PORT:-9876}, proxy (gRPC) 127.0.0.1:${RMQ_GRPC_PORT:-8081}
    MySQL (MariaDB)  127.0.0.1:${MYSQL_PORT:-3306}   (user ${MYSQL_USER:-shop} / ${MYSQL_PASSWORD:-shop})
    Redis            127.0.0.1:${REDIS_PORT:-6379}   (rate-limit counters)
    logs             $LOG_DIR/<process>.log

TEXT
