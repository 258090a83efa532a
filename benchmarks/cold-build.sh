#!/usr/bin/env bash
# The first build of the kit, as on a new machine whose Maven repository already holds the
# libraries: JBang compiles the kit once, then every alias of the catalog answers --version once.
#
#   benchmarks/cold-build.sh
#
# It uses a JBang folder of its own (JBANG_DIR) so that nothing already built is reused, and
# leaves the student's own JBang cache alone.
set -euo pipefail
kit=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JBANG_DIR; JBANG_DIR=$(mktemp -d)
trap 'rm -rf "$JBANG_DIR"' EXIT

now() { date +%s%N; }
aliases=$(sed -n 's/^    "\([a-z0-9-]*\)": {$/\1/p' "$kit/jbang-catalog.json")
t0=$(now)
"$kit/jbang" lab --version >/dev/null 2>&1
t1=$(now)
for a in $aliases; do "$kit/jbang" "$a" --version >/dev/null 2>&1 || echo "  $a did not answer --version" >&2; done
t2=$(now)
printf 'Cold build on %s with %s core(s):\n' "$(uname -n)" "$(nproc)"
seconds() { awk -v ns="$1" 'BEGIN { printf "%6.1f", ns / 1e9 }'; }
printf '  the kit compiled by JBang         %s s\n' "$(seconds $((t1 - t0)))"
printf '  then each of the %2d aliases once  %s s\n' "$(echo "$aliases" | wc -w)" "$(seconds $((t2 - t1)))"
printf '  in all                            %s s\n' "$(seconds $((t2 - t0)))"
