#!/usr/bin/env bash
# Whole-process speed of `flame collapse` and `flame flamegraph` against a newline-scan floor, in one
# run (issue 8). Wall time per process (JVM start included), peak resident set from /usr/bin/time -v,
# medians over RUNS rounds; each round runs every case once, interleaved, so a change in machine load
# hits all of them alike and the ratio to the floor (measured in the same round) stays meaningful.
#
# Usage (from anywhere):  benchmarks/run-whole-process.sh
# Environment:
#   STACKFOLD_SHARED  the shared folder (default: ../shared beside the repository)
#   BENCH_WORK        where the generated inputs go (default: /tmp/stackfold-bench; ~1.3 GB)
#   RUNS              rounds per case (default 5; the median is reported)
#   SKIP_BUILD=1      use the jars already in examples/target and benchmarks/target
#   SKIP_1G=1         skip the 1 GB memory test
#   SKIP_RECORD=1     skip flame record against perf script (it needs root and perf; 3 x 10 s per round)
#   FLAME_JAVA_OPTS   extra JVM options for every flame run (default none; the launcher's own come first)
# Needs only bash, coreutils, gzip, /usr/bin/time (Debian package `time`) and java.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${STACKFOLD_SHARED:-$root/../shared}"
work="${BENCH_WORK:-/tmp/stackfold-bench}"
runs="${RUNS:-5}"
recording="$shared/bench/real-jvm-xz-kernel.perf.txt.gz"
flame_jar="$root/examples/target/flame.jar"
bench_jar="$root/benchmarks/target/benchmarks.jar"
java_opts=(${FLAME_JAVA_OPTS:-})

die() { echo "run-whole-process: $*" >&2; exit 2; }
[ -f "$recording" ] || die "missing $recording (set STACKFOLD_SHARED=DIR to the shared folder)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian: apt-get install time)"
command -v java >/dev/null || die "java is missing"

if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "building flame.jar and benchmarks.jar ..." >&2
  (cd "$root" && mvn -q -B -ntp -o -DskipTests package -pl examples,benchmarks -am) >&2
fi
[ -f "$flame_jar" ] && [ -f "$bench_jar" ] || die "jars missing: build with mvn -DskipTests package"

# ---------------------------------------------------------------------------------------------------
# Inputs (kept between runs; rebuilt when missing)
mkdir -p "$work"
one="$work/recording.perf.txt"
x5="$work/recording-x5.perf.txt"
x1g="$work/recording-x27.perf.txt"
folded="$work/stacks-100k.folded"
if [ ! -s "$one" ]; then gzip -dc "$recording" > "$one.tmp" && mv "$one.tmp" "$one"; fi
if [ ! -s "$x5" ]; then
  for _ in 1 2 3 4 5; do cat "$one"; done > "$x5.tmp" && mv "$x5.tmp" "$x5"
fi
if [ "${SKIP_1G:-}" != 1 ] && [ ! -s "$x1g" ]; then
  for _ in $(seq 27); do cat "$one"; done > "$x1g.tmp" && mv "$x1g.tmp" "$x1g"
fi
if [ ! -s "$folded" ]; then
  # the real recording collapsed, then expanded deterministically to >= 100k distinct stacks
  # (see io.github.stackfold.bench.Fixtures#expand: copy c names its processes NAME-c, as --pid would)
  java -cp "$bench_jar" io.github.stackfold.bench.MakeFolded "$one" 100000 > "$folded.tmp"
  mv "$folded.tmp" "$folded"
fi
size() { stat -c %s "$1"; }
stacks=$(wc -l < "$folded")

# page cache: the goals are for input that is already in memory
cat "$one" "$x5" "$folded" > /dev/null
[ "${SKIP_1G:-}" != 1 ] && [ -s "$x1g" ] && cat "$x1g" > /dev/null

# ---------------------------------------------------------------------------------------------------
# Measurement
declare -A secs rss cpus
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# measure NAME CMD... : one timed run, stdout to /dev/null; appends wall seconds and peak RSS (kB)
measure() {
  local name="$1"; shift
  local tfile err start end rc
  tfile="$(mktemp)"; err="$(mktemp)"
  start=$(date +%s%N)
  set +e
  /usr/bin/time -v -o "$tfile" "$@" > /dev/null 2> "$err"
  rc=$?
  set -e
  end=$(date +%s%N)
  if [ $rc -ne 0 ]; then
    echo "run-whole-process: '$*' failed with exit code $rc:" >&2
    cat "$err" >&2
    rm -f "$tfile" "$err"
    exit 1
  fi
  secs[$name]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", (b - a) / 1e9 }') "
  rss[$name]+="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tfile") "
  cpus[$name]+="$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$tfile") "
  rm -f "$tfile" "$err"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maxof() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }

# `flame` is the launcher users run (it adds its JVM options, see the script); `java -jar` with the
# JVM's defaults is measured beside it for collapse, to show what those options are worth
flame=("$root/flame")
export FLAME_JAVA_OPTS="${java_opts[*]:-}"
jar=(java "${java_opts[@]}" -jar "$flame_jar")
floor=(java -cp "$bench_jar" io.github.stackfold.bench.NewlineFloor)

echo "warming up (one untimed run of each) ..." >&2
"${floor[@]}" "$x5" > /dev/null
"${flame[@]}" collapse --threads 1 "$x5" > /dev/null
"${flame[@]}" flamegraph "$folded" > /dev/null

for r in $(seq "$runs"); do
  echo "round $r/$runs ..." >&2
  measure floor "${floor[@]}" "$x5"
  measure collapse1 "${flame[@]}" collapse --threads 1 "$x5"
  measure collapse2 "${flame[@]}" collapse --threads 2 "$x5"
  measure collapse1_jar "${jar[@]}" collapse --threads 1 "$x5"
  measure floor_folded "${floor[@]}" "$folded"
  measure flamegraph "${flame[@]}" flamegraph "$folded"
done
if [ "${SKIP_1G:-}" != 1 ] && [ -s "$x1g" ]; then
  echo "1 GB collapse under -Xmx128m ..." >&2
  export FLAME_JAVA_OPTS="-Xmx128m ${java_opts[*]:-}"
  measure big "${flame[@]}" collapse --threads 2 "$x1g"
  export FLAME_JAVA_OPTS="${java_opts[*]:-}"
fi

# flame record's work after perf record ends (the rest of perf script's output folded, the folded
# file, the SVG), printed by flame record itself, against `perf script -i perf.data > /dev/null` on
# the perf.data it kept: a JVM busy counting newlines is recorded at 999 Hz for 10 s, once streaming
# (the default: perf script reads perf record's output while it records) and once with --no-stream
# (perf script after perf record, on the whole file). Needs root.
post_secs=() script_secs=() post_file_secs=() script_file_secs=() total_secs=() total_file_secs=() lab_secs=()
if [ "${SKIP_RECORD:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v perf >/dev/null; then
  echo "flame record vs perf script ($runs x 3 recordings of 10 s) ..." >&2
  rec="$work/record"
  for r in $(seq "$runs"); do
    for mode in stream file; do
      rm -rf "$rec"
      files=(); for _ in $(seq 400); do files+=("$x5"); done  # busy for longer than the three steps below
      java -cp "$bench_jar" io.github.stackfold.bench.NewlineFloor "${files[@]}" > /dev/null &
      busy=$!
      sleep 1
      extra=(); [ "$mode" = file ] && extra=(--no-stream)
      t0=$(date +%s%N)
      "${flame[@]}" record --pid "$busy" --duration 10s --frequency 999 --keep "${extra[@]}" --output-dir "$rec" \
        2> "$work/record.log" || { cat "$work/record.log" >&2; kill "$busy" 2>/dev/null; exit 1; }
      t1=$(date +%s%N)
      took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
      if [ "$mode" = stream ]; then total_secs+=("$took"); else total_file_secs+=("$took"); fi
      post=$(grep -o 'folded and drawn in [0-9.]*s' "$work/record.log" | grep -o '[0-9.]*')
      data=$(ls "$rec"/*.perf.data)
      # perf script alone, under the same conditions: the recorded process still busy on one core
      s=$(date +%s%N); perf script -i "$data" > /dev/null 2>&1; e=$(date +%s%N)
      took=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
      if [ "$mode" = stream ]; then post_secs+=("$post"); script_secs+=("$took")
      else post_file_secs+=("$post"); script_file_secs+=("$took"); fi
      if [ "$mode" = file ]; then
        # the lab's own steps on the same busy JVM: perf record to a file, then perf script of it
        t0=$(date +%s%N)
        perf record -e cpu-clock -F 999 -g -p "$busy" -o "$work/lab.perf.data" -- sleep 10 > /dev/null 2>&1
        perf script -i "$work/lab.perf.data" > /dev/null 2>&1
        t1=$(date +%s%N)
        lab_secs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')")
        rm -f "$work/lab.perf.data"
      fi
      kill "$busy" 2>/dev/null; wait "$busy" 2>/dev/null || true
      script_bytes=$(perf script -i "$data" 2>/dev/null | wc -c)
    done
  done
fi
# what two threads can do here at all: three loops on 1 thread, then on 2 at once (ParallelCapacity)
capacity=$(java -cp "$bench_jar" io.github.stackfold.bench.ParallelCapacity 2)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------
# Report
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { # NAME LABEL BYTES FLOORNAME
  local m f c fc
  m=$(echo "${secs[$1]}" | median)
  f=$(echo "${secs[$4]}" | median)
  c=$(echo "${cpus[$1]}" | median)
  fc=$(echo "${cpus[$4]}" | median)
  printf '%-44s %8.3f %8s %9s %8.2f %9s %10s\n' "$2" "$m" "$(mbps "$3" "$m")" "$(ratio "$m" "$f")x" \
    "$c" "$(ratio "$c" "$fc")x" "$(( $(echo "${rss[$1]}" | maxof) / 1024 ))"
}

echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(lscpu | awk -F': *' '/^Model name/ { print $2; exit }'), $(java -version 2>&1 | head -1)"
echo "load:    before $load_before, after $load_after (1/5/15-minute load averages)"
echo "threads: 2 threads did 2x the work of 1 this much faster (ParallelCapacity):" \
  "$(echo "$capacity" | awk '{ printf "%s%s %sx", (NR > 1 ? ", " : ""), $1, $2 }')" \
  "(a dependent chain; independent operations; random reads in 64 MiB)"
echo "inputs:  $x5 ($(size "$x5") bytes = 5 x the recording); $folded ($(size "$folded") bytes, $stacks distinct stacks)"
echo "runs:    $runs rounds, median wall time per process (JVM start included); MB = 10^6 bytes"
echo
echo "columns: median wall seconds, MB/s from it, wall ratio to the floor of the same input; median CPU"
echo "         seconds (user+sys, all threads) and its ratio to the floor's; peak resident set"
echo
printf '%-44s %8s %8s %9s %8s %9s %10s\n' "case" "wall s" "MB/s" "vs floor" "CPU s" "CPU ratio" "max RSS MB"
row floor "newline-scan floor (194 MB)" "$(size "$x5")" floor
row collapse1 "flame collapse --threads 1 (194 MB)" "$(size "$x5")" floor
row collapse2 "flame collapse --threads 2 (194 MB)" "$(size "$x5")" floor
row collapse1_jar "java -jar flame.jar collapse --threads 1" "$(size "$x5")" floor
row floor_folded "newline-scan floor (folded)" "$(size "$folded")" floor_folded
row flamegraph "flame flamegraph ($stacks stacks)" "$(size "$folded")" floor_folded
if [ -n "${secs[big]:-}" ]; then
  b=$(echo "${secs[big]}" | median)
  printf '%-44s %8.3f %8s %9s %8.2f %9s %10s\n' "flame collapse -Xmx128m --threads 2 (1 GB)" "$b" \
    "$(mbps "$(size "$x1g")" "$b")" "-" "$(echo "${cpus[big]}" | median)" "-" "$(( $(echo "${rss[big]}" | maxof) / 1024 ))"
fi
if [ "${#post_secs[@]}" -gt 0 ]; then
  pm=$(echo "${post_secs[*]}" | median)
  sm=$(echo "${script_secs[*]}" | median)
  pf=$(echo "${post_file_secs[*]}" | median)
  sf=$(echo "${script_file_secs[*]}" | median)
  printf '%-44s %8.3f %8s %9s\n' "perf script -i perf.data > /dev/null" "$sm" "$(mbps "$script_bytes" "$sm")" "1.00x"
  printf '%-44s %8.3f %8s %9s\n' "flame record, after perf record ended" "$pm" "-" "$(ratio "$pm" "$sm")x"
  printf '%-44s %8.3f %8s %9s\n' "  the same --no-stream (its perf script: $sf s)" "$pf" "-" "$(ratio "$pf" "$sf")x"
  lm=$(echo "${lab_secs[*]}" | median)
  tm=$(echo "${total_secs[*]}" | median)
  tf=$(echo "${total_file_secs[*]}" | median)
  printf '%-44s %8.3f %8s %9s\n' "perf record -o FILE, then perf script (10 s)" "$lm" "-" "1.00x"
  printf '%-44s %8.3f %8s %9s\n' "flame record, whole process (10 s)" "$tm" "-" "$(ratio "$tm" "$lm")x"
  printf '%-44s %8.3f %8s %9s\n' "  the same --no-stream" "$tf" "-" "$(ratio "$tf" "$lm")x"
  echo "  (perf script text: $script_bytes bytes; runs: flame ${post_secs[*]} s, perf script ${script_secs[*]} s;"
  echo "   --no-stream: flame ${post_file_secs[*]} s, perf script ${script_file_secs[*]} s;"
  echo "   whole: flame ${total_secs[*]} s, --no-stream ${total_file_secs[*]} s, perf record + perf script ${lab_secs[*]} s)"
fi
echo
echo "all runs (wall s / CPU s):"
for k in floor collapse1 collapse2 collapse1_jar floor_folded flamegraph big; do
  [ -n "${secs[$k]:-}" ] && printf '  %-14s %s/ %s\n' "$k" "${secs[$k]}" "${cpus[$k]}"
done
exit 0
