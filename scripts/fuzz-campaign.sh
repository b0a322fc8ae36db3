#!/usr/bin/env bash
# Runs one Jazzer fuzz campaign of a set length and reports its executions and findings.
#
# Usage:  scripts/fuzz-campaign.sh TARGET SECONDS [RUNS]
#   TARGET   ReadersFuzzTest#perfScript | #folded | #pprof | #pprofGzipped | #elfGopclntab | #perfData,
#            WritersFuzzTest#svg | #json | #html | #markdown   (classes in flamegraph-core/src/test/java/.../fuzz)
#   SECONDS  how long libFuzzer runs at the most (-max_total_time; the annotation's ceiling is 3 h)
#   RUNS     stop after this many executions instead (-runs), e.g. 1000000
# The campaign starts from the seeds in flamegraph-core/src/test/resources/.../fuzz/<Class>Inputs/<method>
# and the corpus it grew before (flamegraph-core/.cifuzz-corpus, not committed). A finding is written
# by Jazzer into that Inputs directory (crash-<sha1>): commit it with the fix, and `mvn verify`
# replays it from then on. Prints one line: target, seconds, executions, findings. Exit 0 when none.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 2 ] || [ $# -eq 3 ] || { sed -n '2,13p' "$0" >&2; exit 64; }
target="$1"; seconds="$2"; runs_arg=()
[ $# -eq 3 ] && runs_arg=(-Djazzer.internal.arg.2=-runs="$3")
case "$target" in *#*) ;; *) echo "fuzz-campaign: TARGET is Class#method" >&2; exit 64 ;; esac
log="$(mktemp /tmp/fuzz-campaign.XXXXXX.log)"
inputs="$root/flamegraph-core/src/test/resources/io/github/stackfold/flamegraph/fuzz/${target%%#*}Inputs/${target##*#}"
before=$(ls "$inputs" 2>/dev/null | grep -c '^crash-' || true)
set +e
# jazzer.internal.arg.N: libFuzzer's argument vector (argv[0], then flags), the documented-in-issues
# way to give a JUnit fuzz test a duration at run time (its annotation's maxDuration is the ceiling)
(cd "$root" && JAZZER_FUZZ=1 mvn -o -B -q -pl flamegraph-core test -Dtest="$target" \
   -Dsurefire.failIfNoSpecifiedTests=false \
   -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" "${runs_arg[@]}") > "$log" 2>&1
rc=$?
set -e
runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | tr -dc 0-9)
if [ -z "$runs" ]; then
  runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -dc 0-9)
fi
after=$(ls "$inputs" 2>/dev/null | grep -c '^crash-' || true)
echo "$target ${seconds}s executions=${runs:-0} new_findings=$((after - before)) maven_exit=$rc log=$log"
[ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]
