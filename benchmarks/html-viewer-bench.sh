#!/usr/bin/env bash
# The HTML viewer on issue 21's big profile: 1,000,000 distinct random stacks (generated here, never
# committed). Three measurements, each against a baseline taken in the same run:
#   1. whole process: `flame html` vs the newline-scan floor (NewlineFloor) and `flame flamegraph` of
#      the same file, wall and CPU time (user + sys) and peak RSS, medians of RUNS interleaved rounds;
#   2. JMH HtmlWriteBenchmark: the library's write of the loaded profile vs writing it as folded text;
#   3. headless Chromium (HtmlViewerTimingTest): open, zoom and search times, a fresh browser per round.
#
# Usage (from anywhere):  benchmarks/html-viewer-bench.sh
# Environment:
#   BENCH_WORK   where the input and outputs go (default /tmp/stackfold-bench; ~170 MB)
#   RUNS         rounds (default 5)
#   SKIP_BUILD=1 use the jars already built; SKIP_JMH=1, SKIP_BROWSER=1 skip parts 2 and 3
#   JAVA_OPTS    JVM options for part 1 (e.g. the launcher's: -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
#   BEFORE_JAR   another flame.jar (e.g. a build of the commit before a change), measured in the same
#                rounds as "before"; its html file is compared with this one's (md5)
# Needs bash, python3, /usr/bin/time, java, mvn (offline) and, for part 3, /usr/bin/chromium.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_WORK:-/tmp/stackfold-bench}"
runs="${RUNS:-5}"
flame_jar="$root/examples/target/flame.jar"
bench_jar="$root/benchmarks/target/benchmarks.jar"
big="$work/stackfold-big.folded"

die() { echo "html-viewer-bench: $*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is missing"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian: apt-get install time)"

if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "building flame.jar and benchmarks.jar ..." >&2
  (cd "$root" && mvn -q -B -ntp -o -DskipTests package -pl flamegraph-core,examples,benchmarks -am) >&2
fi
[ -f "$flame_jar" ] && [ -f "$bench_jar" ] || die "jars missing: build with mvn -DskipTests package"

mkdir -p "$work"
if [ ! -s "$big" ]; then
  echo "generating $big (1 M random stacks, random.seed(7)) ..." >&2
  python3 - > "$big.tmp" <<'PY'
import random
from random import randint
random.seed(7)
out = []
for _ in range(1000000):
    out.append(";".join("f%d_%d" % (j, randint(0, 30)) for j in range(randint(5, 40))) + " " + str(randint(1, 9)))
print("\n".join(out))
PY
  mv "$big.tmp" "$big"
fi

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A secs cpu rss
measure() { # name command...
  local name=$1; shift
  local t="$work/time.txt"
  /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" > /dev/null
  read -r s u k m < "$t"
  secs[$name]+="$s "
  cpu[$name]+="$(echo "$u + $k" | bc -l) "
  rss[$name]+="$m "
}

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
read -r -a jopts <<< "${JAVA_OPTS:-}"
cases="floor html svg"
[ -n "${BEFORE_JAR:-}" ] && cases="floor before html svg"
for r in $(seq "$runs"); do
  measure floor java "${jopts[@]}" -cp "$bench_jar" io.github.stackfold.bench.NewlineFloor "$big"
  if [ -n "${BEFORE_JAR:-}" ]; then
    measure before java "${jopts[@]}" -jar "$BEFORE_JAR" html -o "$work/big-before.html" "$big"
  fi
  measure html java "${jopts[@]}" -jar "$flame_jar" html -o "$work/big.html" "$big"
  measure svg java "${jopts[@]}" -jar "$flame_jar" flamegraph -o "$work/big.svg" "$big"
  echo "round $r: floor $(echo ${secs[floor]} | awk '{ print $NF }') s, html $(echo ${secs[html]} | awk '{ print $NF }') s" >&2
done
# wall time is what the issue's target is about; CPU time (user + sys, all threads) is what a loaded
# machine distorts least
f=$(echo "${secs[floor]}" | median)
fc=$(echo "${cpu[floor]}" | median)
for c in $cases; do
  m=$(echo "${secs[$c]}" | median)
  mc=$(echo "${cpu[$c]}" | median)
  printf '%-6s wall median %6.2f s (%5.2fx floor)  CPU median %6.2f s (%5.2fx floor)  peak RSS %5d MB  (wall rounds: %s)\n' \
    "$c" "$m" "$(echo "$m / $f" | bc -l)" "$mc" "$(echo "$mc / $fc" | bc -l)" \
    "$(( $(echo "${rss[$c]}" | tr ' ' '\n' | sort -n | tail -1) / 1024 ))" "${secs[$c]}"
done
echo "html file: $(stat -c %s "$work/big.html") bytes"
if [ -n "${BEFORE_JAR:-}" ]; then
  echo "html md5: before $(md5sum < "$work/big-before.html" | cut -c1-32), now $(md5sum < "$work/big.html" | cut -c1-32)"
fi

if [ "${SKIP_JMH:-}" != 1 ]; then
  java -jar "$bench_jar" HtmlWriteBenchmark -p file="$big"
fi
if [ "${SKIP_BROWSER:-}" != 1 ]; then
  (cd "$root" && mvn -q -B -o -pl flamegraph-core test -Dtest=HtmlViewerTimingTest -Dsurefire.failIfNoSpecifiedTests=false \
     -Dstackfold.htmlBench="$big" -Dstackfold.htmlBench.rounds="$runs") | grep 'html-bench'
fi
