#!/usr/bin/env bash
# The class report of a 100-student class: what writing it adds to grading, and how long a
# browser takes to open it.
#
#   benchmarks/class-report.sh [N]     N bundles (default 100); needs Chromium (Debian: apt-get install chromium)
#
# Makes one real bundle (a mission and the PRA drill in a scratch DB007_HOME), grades N copies of it
# without and with --html (grade-bench), then opens the class report in headless Chromium N times
# over and prints the median time from navigation to the end of the load event, the page's own
# script included.
set -euo pipefail
kit=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-100}
work=$(mktemp -d)
trap 'DB007_HOME=$work/home "$kit/jbang" lab down --purge >/dev/null 2>&1 || true; DB007_HOME=$work/home "$kit/jbang" pra-down --purge >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

export DB007_HOME=$work/home
"$kit/jbang" mission >/dev/null
"$kit/jbang" pra >/dev/null
"$kit/jbang" bundle --student bench --out "$work/bench.zip" >/dev/null
echo "grade-bench, $n bundles, without and with --html:"
"$kit/jbang" grade-bench --from "$work/bench.zip" --bundles "$n" --bomb-mb 0 --keep-html "$work/class.html"

cd "$kit"
mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
java -cp "target/test-classes:target/classes:$(cat "$work/cp.txt")" ReportOpenTime "$work/class.html" 10
