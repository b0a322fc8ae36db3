#!/usr/bin/env bash
# Whole-process speed of reading a perf.data directly against the lab's route through perf script
# (issue 26): `flame collapse X.perf.data` and `perf script -i X.perf.data | flame collapse -`, side
# by side, one of each per round, interleaved, so that a change in machine load hits both alike. Both
# run flame through the ./flame launcher's JVM options. Prints each round (wall, CPU = user+sys of the
# whole process tree, peak RSS of the largest process) and the medians and ratios.
#
# Usage:  benchmarks/run-perfdata.sh X.perf.data
#   make X.perf.data e.g. with (as root, something busy meanwhile so that the stacks vary):
#   perf record -F 999 -g -a -e cpu-clock -o X.perf.data -- sleep 100
# Environment:
#   RUNS        rounds (default 5; the median is reported)
#   SKIP_BUILD=1  use examples/target/flame.jar as it is
# Needs bash, perf, java, awk and /usr/bin/time.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
jar="$root/examples/target/flame.jar"
die() { echo "run-perfdata: $*" >&2; exit 2; }
[ $# -eq 1 ] && [ -f "$1" ] || die "usage: run-perfdata.sh X.perf.data"
data="$1"
command -v perf > /dev/null || die "perf is not on PATH"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian: apt-get install time)"
if [ "${SKIP_BUILD:-}" != 1 ]; then
  (cd "$root" && mvn -o -q -B -pl examples -am package -DskipTests) >&2
fi
flame="java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar $jar" # as ./flame runs it
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "$(date -u '+%F %T UTC'), $(nproc) cores, $(basename "$data") $(du -m "$data" | cut -f1) MB, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$runs"); do
  /usr/bin/time -o "$work/pipe" -f '%e %U %S %M' bash -c "perf script -i '$data' 2>/dev/null | $flame collapse - 2>/dev/null > '$work/pipe.folded'"
  /usr/bin/time -o "$work/ours" -f '%e %U %S %M' $flame collapse "$data" -o "$work/ours.folded" 2> /dev/null
  read -r pw pu ps pm < "$work/pipe"
  read -r ow ou os om < "$work/ours"
  echo "$pw $(awk "BEGIN{print $pu+$ps}") $pm $ow $(awk "BEGIN{print $ou+$os}") $om" >> "$work/rounds"
  printf 'round %d: perf script | flame collapse %6.2f s wall %6.2f s CPU | flame collapse X %6.2f s wall %6.2f s CPU %4d MB | load %s\n' \
    "$r" "$pw" "$(awk "BEGIN{print $pu+$ps}")" "$ow" "$(awk "BEGIN{print $ou+$os}")" "$((om / 1024))" "$(cut -d' ' -f1 /proc/loadavg)"
done
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
pw=$(cut -d' ' -f1 "$work/rounds" | median); pc=$(cut -d' ' -f2 "$work/rounds" | median)
ow=$(cut -d' ' -f4 "$work/rounds" | median); oc=$(cut -d' ' -f5 "$work/rounds" | median)
om=$(cut -d' ' -f6 "$work/rounds" | median)
echo "median of $runs: perf script | flame collapse $pw s wall, $pc s CPU; flame collapse X $ow s wall, $oc s CPU, $((${om%.*} / 1024)) MB peak RSS"
echo "ratio: $(awk "BEGIN{printf \"%.1f\", $pc/$oc}")x CPU, $(awk "BEGIN{printf \"%.1f\", $pw/$ow}")x wall (load at the end $(cut -d' ' -f1-3 /proc/loadavg))"
