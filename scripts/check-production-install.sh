#!/usr/bin/env bash
# Does a production install start? (CI, after the build: .ci/run)
#
# Copies the built tree to a temporary folder, installs the production dependencies alone there
# (`npm ci --omit=dev`, what the Dockerfile's `npm prune --omit=dev` leaves), and starts every
# process entry with `--check` (common/src/config/startup-check.ts): each loads every module it
# imports and its configuration, then exits without connecting to anything. A package a process
# imports but its package.json does not declare (hoisted here by the workspace's development
# install) fails with "Cannot find module"; a production setting refused fails with its message.
#
# The processes run as production (NODE_ENV=production) with the settings production requires:
# certificates, keys and secrets made for the run, public URLs. A process started bare must be
# refused (checked last: the check can fail).
#
#   npm run build && bash scripts/check-production-install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$(date +%s)

ENTRIES=(
  services/goods/dist/main.js
  services/coupon/dist/main.js
  services/user/dist/main.js
  services/order/dist/main.js
  services/pay/dist/main.js
  web/order-web/dist/main.js
  web/pay-web/dist/main.js
  web/alipay-gateway/dist/main.js
  web/order-web/dist/seed.js
)
for entry in "${ENTRIES[@]}"; do
  [[ -f $entry ]] || { echo "check-production-install: $entry is missing: run npm run build first" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/shop-production-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
app="$work/app"

# The parts the Dockerfile copies (and .dockerignore lets through), with their built dist: no
# development install, tests, data or secrets.
echo "[production-install] copying the built tree to $app"
mkdir -p "$app"
tar -C "$root" --exclude=node_modules --exclude=test --exclude='*.tsbuildinfo' --exclude=reports -cf - \
  package.json package-lock.json tsconfig.base.json tsconfig.json proto common contracts services web tools | tar -C "$app" -xf -

echo "[production-install] npm ci --omit=dev (production dependencies only)"
(cd "$app" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
echo "[production-install] node_modules: $(du -sh "$app/node_modules" | cut -f1)"

# What production requires, made for this run: a CA and a certificate (mutual TLS), Alipay key
# pairs, a JWT secret, a ZooKeeper digest, public URLs.
secrets="$work/secrets"
mkdir -p "$secrets"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=shop-check" -keyout "$secrets/tls.key" -out "$secrets/tls.crt" 2>/dev/null
(cd "$app" && NODE_ENV=production node web/alipay-gateway/dist/generate-keys.js "$secrets/alipay" >/dev/null)
production_env=(
  NODE_ENV=production
  "PATH=$PATH"
  "RPC_TLS_CA=$secrets/tls.crt" "RPC_TLS_CERT=$secrets/tls.crt" "RPC_TLS_KEY=$secrets/tls.key"
  "ZK_DIGEST=shop:$(openssl rand -hex 16)"
  "JWT_SECRET=$(openssl rand -hex 32)"
  "ADMIN_PASSWORD=$(openssl rand -hex 12)"
  ALIPAY_GATEWAY=https://openapi.alipay.com/gateway.do
  ALIPAY_APP_ID=2021000000000001
  "ALIPAY_APP_PRIVATE_KEY_FILE=$secrets/alipay/app-private-key.pem"
  "ALIPAY_PUBLIC_KEY_FILE=$secrets/alipay/alipay-public-key.pem"
  "ALIPAY_KEYS_DIR=$secrets/alipay"
  PAY_NOTIFY_URL=https://shop.example.com/api/v1/notify/alipay
  # Nothing listens there: a process that connected instead of checking would fail.
  ZK_CONNECT=127.0.0.1:1 MYSQL_PORT=1 RMQ_ENDPOINTS=127.0.0.1:1
)

failed=0
for entry in "${ENTRIES[@]}"; do
  # A clean environment: only what a production deployment would set (no development defaults
  # inherited from the shell running CI).
  if ! (cd "$app" && env -i "${production_env[@]}" timeout 60 node "$entry" --check); then
    echo "[production-install] FAILED: $entry --check" >&2
    failed=1
  fi
done

# The check can fail: a production process started with nothing set is refused.
if (cd "$app" && env -i NODE_ENV=production "PATH=$PATH" timeout 60 node services/pay/dist/main.js --check 2>/dev/null); then
  echo "[production-install] FAILED: services/pay/dist/main.js --check passed with no production settings" >&2
  failed=1
fi

if ((failed)); then exit 1; fi
echo "[production-install] every process loads and accepts its production configuration ($(($(date +%s) - started))s)"
