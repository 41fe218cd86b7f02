# Redis on 127.0.0.1:$REDIS_PORT: the front doors' rate-limit counters, shared by every instance.
# When something answers PING there (the machine's own Redis, usually), it is used; otherwise the
# stack runs its own redis-server (Debian's package), in memory only: counters are worth nothing
# after a restart, so nothing is saved to disk. Redis rewrites its command line, so the marker
# that tells our processes apart (shop-infra=redis) goes in through its process title.

REDIS_DIR="$VAR/redis"

# PING over bash's /dev/tcp: no redis-cli needed to know whether Redis answers.
redis_ping() {
  # In a subshell: a redirection that fails ends a non-interactive shell that runs `exec`.
  (
    exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 1
    printf 'PING\r\n' >&3
    read -r -t 2 reply <&3 && [[ $reply == +PONG* ]]
  ) 2>/dev/null
}

redis_up() {
  if redis_ping; then
    say "redis: running, 127.0.0.1:$REDIS_PORT ($(our_pid redis >/dev/null && echo "ours, pid $(our_pid redis)" || echo external))"
    return
  fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that does not answer Redis's PING"
  [ -x /usr/bin/redis-server ] || apt_install redis-server
  mkdir -p "$REDIS_DIR"
  our_pid redis >/dev/null || start_daemon redis "$REDIS_DIR/redis.log" /usr/bin/redis-server \
    --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --save '' --appendonly no --daemonize no \
    --proc-title-template '{title} {listen-addr} shop-infra=redis'
  WAIT_PID_NAME=redis wait_until 30 redis "$REDIS_DIR/redis.log" redis_ping
  say "redis: started (pid $(our_pid redis)), 127.0.0.1:$REDIS_PORT, log $REDIS_DIR/redis.log"
}

redis_status() {
  if redis_ping; then say "redis: UP   127.0.0.1:$REDIS_PORT $(our_pid redis >/dev/null && echo "pid $(our_pid redis)" || echo external)"
  else say "redis: DOWN"; return 1; fi
}
