#!/usr/bin/env bash
# idlab report's index.html in a real browser: runs a small sweep (2 x 2 jobs), writes its
# report, renders index.html with headless Chromium, and checks that the rendered DOM holds
# the table (a row per configuration, mean ± std cells) and the inline SVG figures, and that
# a screenshot of the page is not blank.
#
# usage: report_browser_test.sh IDLAB RECIPE WORK_DIR
# Needs Debian's chromium. Without it it prints why and exits 77 (CTest: skipped), except
# with IDLAB_CI=1 (.ci/run), where it fails.
set -uo pipefail
idlab=$1 recipe=$2 work=$3

say() { echo "report_browser_test: $*"; }
fail() { say "FAILED: $*"; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  say "cannot run here: chromium is not installed (apt-get install chromium)"
  if [ "${IDLAB_CI:-0}" = 1 ]; then say "IDLAB_CI=1: CI must run this test"; exit 1; fi
  exit 77
fi

rm -rf "$work" && mkdir -p "$work"
profile=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$profile"' EXIT

timeout 120 "$idlab" sweep "$recipe" --seeds 2 --jobs 2 --out "$work/sweep" > "$work/sweep.log" 2>&1 ||
  { cat "$work/sweep.log"; fail "the sweep failed"; }
timeout 60 "$idlab" report "$work/sweep" || fail "idlab report failed"
page="$work/sweep/report/index.html"
[ -f "$page" ] || fail "no $page"

chrome() {
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
    --user-data-dir="$profile" "$@" 2>> "$work/chromium.log"
}
chrome --dump-dom "file://$page" > "$work/dom.html" || { tail -5 "$work/chromium.log"; fail "chromium --dump-dom failed"; }

rows=$(grep -o '<tr>' "$work/dom.html" | wc -l)
[ "$rows" -eq 3 ] || fail "expected a header and 2 configuration rows in the rendered table, got $rows <tr>"
grep -q '<table class="results" id="results">' "$work/dom.html" || fail "the results table is not in the DOM"
grep -qE '<td>[0-9]+\.[0-9]±[0-9]+\.[0-9]{2}</td>' "$work/dom.html" || fail "no mean ± std cell"
svgs=$(grep -o '<svg ' "$work/dom.html" | wc -l)
[ "$svgs" -ge 2 ] || fail "expected the curves inline as SVG, got $svgs <svg>"
grep -q '<polyline' "$work/dom.html" || fail "no curve in the rendered SVG"

chrome --window-size=1200,1600 --screenshot="$work/page.png" "file://$page" > /dev/null ||
  { tail -5 "$work/chromium.log"; fail "chromium --screenshot failed"; }
size=$(stat -c %s "$work/page.png" 2> /dev/null || echo 0)
magic=$(head -c 8 "$work/page.png" | od -An -tx1 | tr -d ' \n')
[ "$magic" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG"
# A blank 1200x1600 page compresses to a few kilobytes; text, tables and plots do not.
[ "$size" -gt 30000 ] || fail "the screenshot looks blank ($size bytes)"
say "passed ($rows table rows, $svgs figures, screenshot $size bytes)"
