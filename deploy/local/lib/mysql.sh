# MySQL on 127.0.0.1:$MYSQL_PORT. When nothing answers there, the stack runs its own MariaDB
# (Debian's packages) with its data under var/mysql. Either way it makes sure the application
# account ($MYSQL_USER / $MYSQL_PASSWORD) exists with rights on the shop_* schemas.

MY_DIR="$VAR/mysql"
MY_SOCK="$MY_DIR/mysqld.sock"

my_app_ping() {
  mariadb --protocol=tcp -h127.0.0.1 -P"$MYSQL_PORT" -u"$MYSQL_USER" -p"$MYSQL_PASSWORD" \
    --connect-timeout=2 -N -e 'SELECT 1' >/dev/null 2>&1
}

# A root session: our own instance's socket, the machine's socket, or MYSQL_ROOT_PASSWORD over TCP.
my_root() {
  if our_pid mysql >/dev/null; then
    mariadb --protocol=socket --socket="$MY_SOCK" -uroot "$@"
  elif [ -n "${MYSQL_ROOT_PASSWORD:-}" ]; then
    mariadb --protocol=tcp -h127.0.0.1 -P"$MYSQL_PORT" -uroot -p"$MYSQL_ROOT_PASSWORD" "$@"
  else
    mariadb -uroot "$@" 2>/dev/null || mariadb --protocol=tcp -h127.0.0.1 -P"$MYSQL_PORT" -uroot "$@"
  fi
}

my_root_ping() { my_root --connect-timeout=2 -N -e 'SELECT 1' >/dev/null 2>&1; }

my_grant_app_user() {
  # shop_% covers every service schema (shop_goods, shop_order, ...) and the test schemas.
  my_root -e "
    CREATE USER IF NOT EXISTS '$MYSQL_USER'@'localhost' IDENTIFIED BY '$MYSQL_PASSWORD';
    CREATE USER IF NOT EXISTS '$MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$MYSQL_PASSWORD';
    GRANT ALL PRIVILEGES ON \`shop\\_%\`.* TO '$MYSQL_USER'@'localhost';
    GRANT ALL PRIVILEGES ON \`shop\\_%\`.* TO '$MYSQL_USER'@'127.0.0.1';" ||
    die "could not create the MySQL account $MYSQL_USER (set MYSQL_ROOT_PASSWORD for a server that is not ours)"
}

my_start_own() {
  local log="$MY_DIR/mariadb.log"
  ensure_mariadb_packages
  mkdir -p "$MY_DIR"
  if [ ! -d "$MY_DIR/data/mysql" ]; then
    say "mysql: initialising a MariaDB data directory in $MY_DIR/data"
    mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$MY_DIR/data" \
      --auth-root-authentication-method=socket --skip-test-db >"$MY_DIR/install.log" 2>&1 ||
      { tail -n 20 "$MY_DIR/install.log" >&2; die "mariadb-install-db failed"; }
  fi
  # --no-defaults: the machine's my.cnf may point at its own datadir, socket or port.
  start_daemon mysql "$log" /usr/sbin/mariadbd --no-defaults --loose-shop-infra=mysql \
    --user="$(id -un)" --datadir="$MY_DIR/data" --socket="$MY_SOCK" --pid-file="$MY_DIR/mariadbd.pid" \
    --bind-address=127.0.0.1 --port="$MYSQL_PORT" --log-error="$log" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=1 --max-connections=500 \
    --skip-name-resolve
  WAIT_PID_NAME=mysql wait_until 60 mysql "$log" my_root_ping
  say "mysql: started MariaDB (pid $(our_pid mysql)), 127.0.0.1:$MYSQL_PORT, data $MY_DIR/data, log $log"
}

my_up() {
  if my_app_ping; then
    say "mysql: running, 127.0.0.1:$MYSQL_PORT ($(our_pid mysql >/dev/null && echo "our MariaDB, pid $(our_pid mysql)" || echo external)), user $MYSQL_USER"
    return
  fi
  if port_open "$MYSQL_PORT"; then
    say "mysql: an existing server answers on 127.0.0.1:$MYSQL_PORT, using it"
  else
    my_start_own
  fi
  my_grant_app_user
  wait_until 10 mysql /dev/null my_app_ping
  say "mysql: account $MYSQL_USER ready"
}

my_status() {
  if my_app_ping; then say "mysql: UP   127.0.0.1:$MYSQL_PORT $(our_pid mysql >/dev/null && echo "pid $(our_pid mysql) log $MY_DIR/mariadb.log" || echo external)"
  else say "mysql: DOWN (or account $MYSQL_USER missing)"; return 1; fi
}
