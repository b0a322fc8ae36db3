#!/usr/bin/env bash
# Lab 02, step 4: turn a recording into a flame graph, without FlameGraph's Perl scripts.
# A thin wrapper over `./flame collapse` and `./flame flamegraph`.
#
# Usage: scripts/generate-flamegraph.sh INPUT [OUTPUT.svg] [extra `flame flamegraph` options...]
#          [--binary PATH] [--symfs DIR] [--kallsyms FILE]
#   INPUT   perf.data (read by flame itself: any perf version or CPU, Go frames named from the binary),
#           `perf script` text, folded stacks, or a pprof
#           profile; compressed files (.gz .xz .bz2 .zst) are fine. `-` reads standard input.
#   OUTPUT  default flame.svg; the folded stacks are written next to it (OUTPUT without .svg + .folded)
#   --binary PATH, --symfs DIR, --kallsyms FILE  where the recording's binaries and kernel symbols are
#           now (e.g. the same release's kube-apiserver, downloaded): its frames are named from them
# Example (the lab's pipeline): perf record -F 99 -g -p PID -o /tmp/out sleep 30
#                               scripts/generate-flamegraph.sh /tmp/out results/flame.svg
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
flame="$root/flame"

if [ $# -lt 1 ]; then
  sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 64
fi
input="$1"; shift
output="flame.svg"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then output="$1"; shift; fi
folded="${output%.svg}.folded"
# the symbol flags go to `flame collapse`, which reads the recording; the rest to `flame flamegraph`
symbols=()
render=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary|--symfs|--kallsyms)
      [ $# -ge 2 ] || { echo "generate-flamegraph: $1 needs a value" >&2; exit 64; }
      symbols+=("$1" "$2"); shift 2 ;;
    --binary=*|--symfs=*|--kallsyms=*) symbols+=("$1"); shift ;;
    *) render+=("$1"); shift ;;
  esac
done
mkdir -p "$(dirname "$output")"

# Folded text already: every non-blank line is "frames COUNT" and none is an indented frame line.
is_folded() {
  LC_ALL=C head -n 200 "$1" | LC_ALL=C awk 'NF { n++; if ($0 ~ /^[ \t]/ || $0 !~ /[ \t][0-9]+[ \t]*$/) bad = 1 }
                                             END { exit !(n > 0 && !bad) }'
}

if [ "$input" != - ] && is_folded "$input"; then
  [ "$input" -ef "$folded" ] || cp "$input" "$folded"
else
  # perf.data, perf script text or pprof: `flame collapse` reads them all (and says what is wrong with a
  # damaged one) and writes folded
  "$flame" collapse ${symbols[@]+"${symbols[@]}"} -o "$folded" "$input"
fi
"$flame" flamegraph ${render[@]+"${render[@]}"} "$folded" > "$output"
echo "generate-flamegraph: wrote $output (folded stacks: $folded)" >&2
