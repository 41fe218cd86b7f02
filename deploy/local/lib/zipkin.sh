# Zipkin (the traces' store and UI) on 127.0.0.1:$ZIPKIN_PORT: the exec jar from Maven Central
# (io.zipkin:zipkin-server, deploy/local/jars/pom.xml), in-memory storage (traces are for looking
# at the last minutes' work; a restart forgets them), a small heap and the C1 compiler alone to
# keep a 2-core machine's CPU for the shop. ZIPKIN=off leaves it out.

ZIPKIN_DIR="$VAR/zipkin"

# /health answers {"status":"UP"} once the collector and the API are serving.
zipkin_serving() {
  port_open "$ZIPKIN_PORT" || return 1
  # grep stops at the first UP: Armeria keeps the connection open after its answer.
  ( (exec 3<>"/dev/tcp/127.0.0.1/$ZIPKIN_PORT" &&
    printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 &&
    timeout 2 grep -q -m1 '"status" *: *"UP"' <&3) 2>/dev/null)
}

zipkin_up() {
  [ "${ZIPKIN:-on}" = off ] && { say "zipkin: off (ZIPKIN=off)"; return; }
  local log="$ZIPKIN_DIR/zipkin.log" pid
  if zipkin_serving; then
    if pid=$(our_pid zipkin); then say "zipkin: running (pid $pid), http://127.0.0.1:$ZIPKIN_PORT/zipkin/"; else
      say "zipkin: an existing server answers on 127.0.0.1:$ZIPKIN_PORT, using it"; fi
    return
  fi
  if ! our_pid zipkin >/dev/null; then
    port_open "$ZIPKIN_PORT" && die "port $ZIPKIN_PORT is taken by something that is not Zipkin (/health got no answer)"
    mkdir -p "$ZIPKIN_DIR"
    # MEM_MAX_SPANS bounds the in-memory store (the oldest traces go first): 100,000 spans of the
    # shop fit in the heap with room to spare. Out of memory anyway (a bench tracing thousands of
    # calls a second), it exits rather than hang, and the next `up` starts it again.
    STORAGE_TYPE=mem MEM_MAX_SPANS="${ZIPKIN_MAX_SPANS:-100000}" QUERY_PORT="$ZIPKIN_PORT" ARMERIA_SERVER_ADDRESS=127.0.0.1 \
      start_daemon zipkin "$log" "$JAVA" -Dshop.infra=zipkin -Xms32m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
      -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -Xss512k -Darmeria.ports[0].ip=127.0.0.1 -Darmeria.ports[0].port="$ZIPKIN_PORT" \
      -jar "$VAR/lib/zipkin/zipkin-server.jar"
  fi
  WAIT_PID_NAME=zipkin wait_until 120 zipkin "$log" zipkin_serving
  say "zipkin: started (pid $(our_pid zipkin)), UI http://127.0.0.1:$ZIPKIN_PORT/zipkin/, log $log"
}

zipkin_status() {
  [ "${ZIPKIN:-on}" = off ] && { say "zipkin: off (ZIPKIN=off)"; return; }
  if zipkin_serving; then say "zipkin: UP   http://127.0.0.1:$ZIPKIN_PORT/zipkin/ $(our_pid zipkin >/dev/null && echo "pid $(our_pid zipkin)" || echo external) log $ZIPKIN_DIR/zipkin.log"
  else say "zipkin: DOWN"; return 1; fi
}
