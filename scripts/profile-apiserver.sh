#!/usr/bin/env bash
# Lab 02, step 3 (and 4): record kube-apiserver with perf and write results/flame.svg,
# results/apiserver.folded and the analysis (results/report.md, results/report.json).
# A thin wrapper over `./flame profile` for readers following the lab step by step.
#
# Usage: scripts/profile-apiserver.sh [node|pod] [extra `flame profile` options...]
#   node  on the control-plane node itself, or inside the hostPID debug pod (perf runs locally)
#   pod   from your machine: perf runs inside the debug pod (manifests/debug-profiler.yaml) through
#         `kubectl exec`; the default when kubectl is on the PATH
# Environment: DURATION (30s), POD (debug-profiler), NAMESPACE (kube-system), OUTPUT_DIR (results).
# Example: scripts/profile-apiserver.sh pod --load 10 --compare-idle
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

mode=""
case "${1:-}" in
  node|pod) mode="$1"; shift ;;
esac
if [ -z "$mode" ]; then
  if command -v kubectl >/dev/null 2>&1 && [ ! -d /proc/1/root/etc/kubernetes ]; then mode=pod; else mode=node; fi
fi

args=(profile --process kube-apiserver --duration "${DURATION:-30s}" --output-dir "${OUTPUT_DIR:-results}")
if [ "$mode" = pod ]; then
  args+=(--via kubectl --pod "${POD:-debug-profiler}" --namespace "${NAMESPACE:-kube-system}")
fi
echo "profile-apiserver: ./flame ${args[*]} $*" >&2
exec "$root/flame" "${args[@]}" "$@"
