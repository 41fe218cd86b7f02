# Helpers shared by the local stack scripts: logging, pid files, ports, waiting.
# Every process the stack starts has a pid file in var/run/<name>.pid and a command line that
# carries -Dshop.infra=<name> (MariaDB: --loose-shop-infra=<name>), so infra:down can prove a pid is ours.

say()  { printf '[infra] %s\n' "$*"; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die()  { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_file() { echo "$RUN_DIR/$1.pid"; }

# our_pid NAME: prints the pid of the live process we started as NAME, or fails.
our_pid() {
  local f pid
  f=$(pid_file "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -Eq -- "shop[.-]infra=$1( |$)" || return 1
  echo "$pid"
}

# pid_alive NAME: the process of NAME's pid file still exists (whatever its command line says yet).
pid_alive() {
  local f pid
  f=$(pid_file "$1")
  [ -f "$f" ] && pid=$(cat "$f") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# start_daemon NAME LOGFILE CMD...: starts CMD detached from this shell, records its pid.
start_daemon() {
  local name=$1 log=$2
  shift 2
  mkdir -p "$(dirname "$log")" "$RUN_DIR"
  # fd 9 is the start lock of system.sh: the daemon must not keep holding it.
  setsid nohup "$@" >>"$log" 2>&1 </dev/null 9>&- &
  echo $! >"$(pid_file "$name")"
}

# stop_ours NAME: SIGTERM the process we started as NAME, SIGKILL after 30 s.
stop_ours() {
  local name=$1 pid i
  if ! pid=$(our_pid "$name"); then
    rm -f "$(pid_file "$name")"
    say "$name: not started by this stack, left alone"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) ignored SIGTERM for 30 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  say "$name: stopped (pid $pid)"
}

# wait_until SECONDS NAME LOG CHECK...: polls CHECK every 0.2 s; on timeout shows the log tail.
wait_until() {
  local timeout=$1 name=$2 log=$3 deadline
  shift 3
  deadline=$(($(now_ms) + timeout * 1000))
  until "$@"; do
    if [ "$(now_ms)" -gt "$deadline" ]; then
      warn "$name not ready after ${timeout}s; last lines of $log:"
      tail -n 30 "$log" >&2 2>/dev/null || true
      # A half-started process would make the next infra:up wait on it again.
      [ -n "${WAIT_PID_NAME:-}" ] && stop_ours "$WAIT_PID_NAME"
      die "$name did not start"
    fi
    # Gone, not merely not yet ours: until the forked shell has exec'd the command, its
    # command line is the parent's, and our_pid does not recognise it (on a busy machine the
    # first checks came that early and reported four healthy processes as exited).
    if [ -n "${WAIT_PID_NAME:-}" ] && ! pid_alive "$WAIT_PID_NAME"; then
      warn "$name exited while starting; last lines of $log:"
      tail -n 30 "$log" >&2 2>/dev/null || true
      die "$name did not start"
    fi
    sleep 0.2
  done
}

# as_root CMD...: runs CMD as root (directly, or through sudo when available).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $* (install it by hand, then run again)"
  fi
}

APT_UPDATED=
apt_install() {
  command -v apt-get >/dev/null || die "missing $*; this script installs with apt-get (Debian/Ubuntu): install them by hand"
  if [ -z "$APT_UPDATED" ]; then
    say "apt-get update: Debian's package lists"
    run_with_progress "apt-get update" - quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  local sizes
  sizes=$(apt_download_size "$@")
  APT_BYTES=${sizes#* } APT_CACHE_BEFORE=$(dir_bytes "$APT_CACHE")
  say "installing $* from Debian's packages: ${sizes%% *} packages, $(human_size "$APT_BYTES") to download (first run only)"
  run_with_progress "apt-get install $*" apt_fetched quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# quietly CMD...: CMD without its standard output (its errors still show).
quietly() { "$@" >/dev/null; }

# shellcheck source=/dev/null
. "$(dirname "${BASH_SOURCE[0]}")/progress.sh"
