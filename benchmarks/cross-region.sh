#!/usr/bin/env bash
# Step 11 at three latencies between the two Regions: what the loss of the first Region takes
# (writes and RPO) and how long the recovery there lasts (RTO and its three parts).
#
#   benchmarks/cross-region.sh [DELAY_MS ...]     default: 0 40 200
#
# Each delay is one run of "maz11 --auto" (the kit reacts at once: the floor on this machine),
# in a home of its own under a temporary folder, deleted at the end with its region.
set -euo pipefail
kit=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
delays=("$@")
[ ${#delays[@]} -gt 0 ] || delays=(0 40 200)
work=$(mktemp -d -t db007-cross-region-XXXXXX)
export DB007_HOME="$work/home"
cleanup() { "$kit/jbang" lab down --purge >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

"$kit/jbang" lab up >/dev/null
field() { sed -n "s/.*\"$1\": *\\([0-9-]*\\).*/\\1/p" "$DB007_HOME/evidence/maz11/proof.json" | head -1; }
printf 'Step 11 on %s with %s core(s), one run per delay (ms):\n' "$(uname -n)" "$(nproc)"
printf '  %8s %8s %8s %10s %8s %10s %10s %10s\n' delay lost rpo lag-before rto detection promotion repoint
for d in "${delays[@]}"; do
  "$kit/jbang" maz11 --auto --delay "$d" > "$work/maz11-$d.log" 2>&1 || { echo "maz11 --delay $d failed:"; tail -20 "$work/maz11-$d.log"; exit 1; }
  printf '  %8s %8s %8s %10s %8s %10s %10s %10s\n' "$d" "$(field lost_writes)" "$(field rpo_ms)" "$(field lag_before_ms)" "$(field rto_ms)" \
    "$(field detection_ms)" "$(field promotion_ms)" "$(field repoint_ms)"
done
sed -n 's/^A synchronous copy instead/  A synchronous copy instead/p' "$work/maz11-${delays[-1]}.log"
