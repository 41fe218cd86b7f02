#!/usr/bin/env bash
# The foreground half of `npm start`: follows the processes' logs (`npm run up` printed where
# things are), and on Ctrl-C stops the whole system (processes and infrastructure).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOG_DIR=${SHOP_VAR_DIR:-$ROOT/var}/log
# `npm run up` just printed every address (deploy/local/banner.sh).
echo "  Following the processes' logs ($LOG_DIR/<process>.log). Ctrl-C stops everything;"
echo "  to keep the system running in the background: npm run up / npm run down."
echo
trap 'echo; bash "$ROOT/deploy/local/system.sh" down; exit 0' INT TERM
# The logs of the processes deploy/local/processes.conf lists (first instances).
mapfile -t logs < <(sed 's/#.*//' "$ROOT/deploy/local/processes.conf" | awk -v dir="$LOG_DIR" 'NF { print dir "/" $1 ".log" }')
tail -n 0 -F "${logs[@]}" &
wait
