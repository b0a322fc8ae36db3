#!/usr/bin/env bash
# Maintainer script: records the perf script text that `flame demo` renders where perf cannot record,
#   examples/src/main/resources/io/github/stackfold/lab/demo-recording.perf-script.xz (+ .txt, how it was made)
# with real perf on the repository's apiserver-like demo server under load, with the same JVM flags and
# perf map handling as `flame demo --target jvm`. Needs perf (root or perf_event_paranoid <= 1), jcmd, xz.
# Usage: scripts/record-demo-recording.sh [SECONDS=8] [FREQUENCY=199]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/examples/target/flame.jar"
res="$root/examples/src/main/resources/io/github/stackfold/lab"
seconds="${1:-8}"
freq="${2:-199}"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests -pl examples -am package)
tmp="$(mktemp -d)"
server=""
load=""
cleanup() {
  [ -n "$load" ] && kill "$load" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -n "$server" ] && rm -f "/tmp/perf-$server.map"
  rm -rf "$tmp"
}
trap cleanup EXIT

java -XX:+PreserveFramePointer -XX:TieredStopAtLevel=1 -Xmx256m -XX:+UseSerialGC -cp "$jar" \
  io.github.stackfold.examples.demo.ApiServerLikeDemo --port 0 --max-seconds 300 > "$tmp/server.out" 2>&1 &
server=$!
for _ in $(seq 600); do grep -q 'listening on' "$tmp/server.out" && break; sleep 0.1; done
port="$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\) pid.*/\1/p' "$tmp/server.out")"
[ -n "$port" ] || { echo "the demo server did not start: $(cat "$tmp/server.out")" >&2; exit 1; }

java -cp "$jar" io.github.stackfold.examples.demo.DemoLoad "$port" 2 "$((seconds + 6))" > "$tmp/load.out" &
load=$!
sleep 3
perf record -e cpu-clock -F "$freq" -g -p "$server" -o "$tmp/perf.data" -- sleep "$seconds" 2> "$tmp/record.err"
jcmd "$server" Compiler.perfmap > /dev/null
java -cp "$jar" io.github.stackfold.lab.JvmPerfMap --tidy "/tmp/perf-$server.map"
perf script -i "$tmp/perf.data" 2> /dev/null > "$tmp/demo.perf-script"
wait "$load"; load=""
xz -9e -c "$tmp/demo.perf-script" > "$res/demo-recording.perf-script.xz"
samples="$(grep -c 'cpu-clock' "$tmp/demo.perf-script")"
{
  echo "perf record -e cpu-clock -F $freq -g -p PID -- sleep $seconds on the apiserver-like demo server (Java $(java -XX:+PreserveFramePointer -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p'), -XX:+PreserveFramePointer -XX:TieredStopAtLevel=1, perf map from jcmd Compiler.perfmap) under 2 load clients, $samples samples, recorded $(date -u +%Y-%m-%d) on Linux $(uname -r) with $(nproc) CPUs by scripts/record-demo-recording.sh"
  echo "load: $(cat "$tmp/load.out")"
} > "$res/demo-recording.txt"
ls -l "$res/demo-recording.perf-script.xz"
cat "$res/demo-recording.txt"
