# First-run progress on the console: what is being installed or downloaded, how much, for how
# long. A first `npm start` on a bare machine spends minutes in apt-get (a JDK, Maven, MariaDB) and
# Maven (about 210 MB of server jars and plugins), and the tools run quiet (Maven's own log, a
# line per file, goes to var/log/maven.log). So each step says one line when it starts, with its
# size when known, one every PROGRESS_EVERY_S seconds (15) while it runs, with the time so far and
# what has arrived, and one when it ends.

: "${PROGRESS_EVERY_S:=15}"

# elapsed_since MS: "12s", "2m05s".
elapsed_since() {
  local s=$((($(now_ms) - $1) / 1000))
  if ((s < 60)); then echo "${s}s"; else printf '%dm%02ds\n' $((s / 60)) $((s % 60)); fi
}

# human_size BYTES: "812 kB", "97.3 MB".
human_size() { awk -v b="${1:-0}" 'BEGIN { if (b < 1e6) printf "%d kB\n", b / 1e3; else printf "%.1f MB\n", b / 1e6 }'; }

# dir_bytes DIR: the size of DIR's files in bytes (0 when it does not exist).
dir_bytes() { du -sb "$1" 2>/dev/null | cut -f1 || echo 0; }

# run_with_progress LABEL MEASURE CMD...: runs CMD, saying every PROGRESS_EVERY_S seconds that
# LABEL goes on (elapsed time, and what the function MEASURE prints; "-" for none), then how long
# it took. Returns CMD's status.
run_with_progress() {
  local label=$1 measure=$2 started ticker status=0
  shift 2
  started=$(now_ms)
  (
    # The nap runs in the background so that the TERM below ends it at once, not 15 s later.
    nap=
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep "$PROGRESS_EVERY_S" &
      nap=$!
      wait "$nap"
      say "  ... $label: $(elapsed_since "$started")$([ "$measure" = - ] || echo ", $("$measure")")"
    done
  ) &
  ticker=$!
  "$@" || status=$?
  kill -TERM "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  ((status != 0)) || say "  $label: done in $(elapsed_since "$started")"
  return "$status"
}

# apt_download_size PACKAGE...: "<packages> <bytes>" that apt-get would download to install them.
apt_download_size() {
  as_root apt-get install -y -qq --no-install-recommends --print-uris "$@" 2>/dev/null |
    awk "/^'/ { n++; b += \$3 } END { printf \"%d %d\\n\", n, b }"
}

# What apt-get has fetched so far into its cache, against what it said it would.
APT_CACHE=/var/cache/apt/archives
apt_fetched() {
  local fetched=$(($(dir_bytes "$APT_CACHE") - APT_CACHE_BEFORE))
  echo "$(human_size $((fetched > 0 ? fetched : 0))) of $(human_size "$APT_BYTES") fetched"
}

# What Maven has downloaded so far into its local repository.
M2_REPO=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
maven_fetched() {
  local fetched=$(($(dir_bytes "$M2_REPO") - M2_BEFORE))
  echo "$(human_size $((fetched > 0 ? fetched : 0))) downloaded"
}
