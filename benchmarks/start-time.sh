#!/usr/bin/env bash
# How long a warm command takes to start and answer, next to psql asking the same region.
#
#   benchmarks/start-time.sh [N]      N runs of each (default 10); prints the medians in ms
#
# A student pays this at every step, and the grader and the tests hundreds of times. It starts the
# local region if it is not up (and leaves it up). psql is taken from the PATH or from PostgreSQL's
# usual folders; without it, only the kit's figures are printed.
set -euo pipefail
kit=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-10}
home=${DB007_HOME:-$HOME/.db007}

"$kit/jbang" lab up >/dev/null
"$kit/jbang" lab status >/dev/null   # the first run after a change asks JBang once; not counted

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
runs() {
  for _ in $(seq "$n"); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median
}

printf 'Warm start, median of %d runs (ms), on %s with %s core(s):\n' "$n" "$(uname -n)" "$(nproc)"
for command in "lab status" "maz4 --help" "grade --help"; do
  # shellcheck disable=SC2086
  printf '  %-26s %6d\n' "./jbang $command" "$(runs "$kit/jbang" $command)"
done
psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1 || true)
if [ -n "$psql" ]; then
  port=$(sed -n 's/.*"endpoint_port": *\([0-9]*\).*/\1/p' "$home/lab/region.json")
  export PGPASSWORD; PGPASSWORD=$(<"$home/lab/password")
  printf '  %-26s %6d\n' "psql -c 'select 1'" "$(runs "$psql" -h 127.0.0.1 -p "$port" -U db007 -d postgres -c 'select 1')"
else
  echo "  (no psql on this machine to compare with)"
fi
