# Installs what the stack runs on when it is missing: a JDK 17, Maven, MariaDB, and the
# ZooKeeper and RocketMQ server jars (Maven Central, through deploy/local/jars/pom.xml).

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.*.*/\1/p' | head -n 1; }

# Picks a JDK 17 (RocketMQ 5.3 and ZooKeeper 3.8 are tested on 8-17; newer JDKs remove APIs
# the broker uses). JAVA_HOME wins when it is set.
ensure_java() {
  ensure_java_found
  # Tests that run their own ZooKeeper (common/test/support/zookeeper-server.ts) use the same JDK.
  echo "$JAVA" >"$RUN_DIR/java-path"
}

ensure_java_found() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then JAVA="$JAVA_HOME/bin/java"; return; fi
  for candidate in /usr/lib/jvm/java-17-openjdk-*/bin/java /usr/lib/jvm/temurin-17*/bin/java "$(command -v java || true)"; do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate")" = 17 ]; then JAVA=$candidate; return; fi
  done
  apt_install openjdk-17-jdk-headless
  JAVA=$(ls /usr/lib/jvm/java-17-openjdk-*/bin/java | head -n 1)
}

# logged_to FILE CMD...: CMD with its output (both streams) in FILE.
logged_to() {
  local file=$1
  shift
  "$@" >"$file" 2>&1
}

ensure_maven() {
  command -v mvn >/dev/null || apt_install maven
}

ensure_mariadb_packages() {
  [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null && command -v mariadb >/dev/null && return
  apt_install mariadb-server mariadb-client
}

# Copies the server jars into var/lib/{rocketmq,zookeeper}; skipped while the pom is unchanged.
ensure_jars() {
  local pom="$ROOT/deploy/local/jars/pom.xml" stamp="$VAR/lib/.pom.sha256" want
  want=$(sha256sum "$pom" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  ensure_maven
  say "fetching the ZooKeeper, RocketMQ and Zipkin jars from Maven Central: about 210 MB with Maven's plugins on a first run, cached in ~/.m2 (Maven's own log: $LOG_DIR/maven.log)"
  rm -rf "$VAR/lib/rocketmq" "$VAR/lib/zookeeper" "$VAR/lib/zipkin"
  M2_BEFORE=$(dir_bytes "$M2_REPO")
  run_with_progress "maven" maven_fetched logged_to "$LOG_DIR/maven.log" \
    env JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")" mvn -B -q -f "$pom" -Dmaven.repo.local="$M2_REPO" -Dout.dir="$VAR/lib" package || {
    tail -n 30 "$LOG_DIR/maven.log" >&2
    die "maven could not fetch the jars (see $LOG_DIR/maven.log)"
  }
  say "  jars: $(human_size "$(dir_bytes "$VAR/lib")") in $VAR/lib"
  echo "$want" >"$stamp"
}

# Debian's Chromium for the storefront's browser test (playwright-core drives it; no browser
# download from anywhere but the Debian mirror). CHROMIUM_PATH wins when it is set.
ensure_chromium() {
  ensure_cjk_font
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then return; fi
  if [ -x /usr/bin/chromium ]; then return; fi
  apt_install chromium fonts-liberation
}

# The storefront speaks zh-CN too: without a CJK font its screenshots show empty boxes.
ensure_cjk_font() {
  if command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then return; fi
  apt_install fonts-wqy-microhei
}
