#!/bin/sh
# Runs the test suites and ends with one line "N passed, N failed" summing them all.
#   BUILD=build sh tests/run.sh all|unit|integration|e2e|fuzz|browser
# Each suite is a GoogleTest binary, the fuzz corpus replay, or the browser tests (which print
# GoogleTest's result lines); a suite that crashes or
# exits non-zero without reporting a failed test counts as one failure of its own.
set -u
BUILD=${BUILD:-build}
what=${1:-all}
passed=0
failed=0
logdir="$BUILD/test-logs"
mkdir -p "$logdir"

# Runs a suite that prints GoogleTest's result lines ("[       OK ] A.B (N ms)") into LOG and
# adds its counts.
run_logged() { # NAME LOG COMMAND...
  name=$1 log=$2
  shift 2
  echo "== $name"
  TC_BUILD="$BUILD" "$@" > "$log" 2>&1
  rc=$?
  p=$(grep -c '^\[       OK \]' "$log")
  f=$(grep -c '^\[  FAILED  \] .*(.* ms)$' "$log")
  grep -E '^\[  FAILED  \] .*\(.* ms\)$' "$log" | sed 's/^/   /'
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "   $name exited with status $rc without reporting a failed test; see $log"
    tail -20 "$log" | sed 's/^/   | /'
    f=1
  fi
  [ "$f" -gt 0 ] && tail -40 "$log" | grep -v '^\[' | head -40 | sed 's/^/   | /'
  echo "   $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
}

run_gtest() { # NAME BINARY
  [ -x "$2" ] || return 0
  run_logged "$1" "$logdir/$1.log" "$2" --gtest_color=no
}

# The admin pages in Debian's chromium (tests/browser; needs playwright-core from
# tests/node_modules and /usr/bin/chromium: a missing one fails the suite with what to install).
run_browser() {
  run_logged browser "$logdir/browser.log" node tests/browser/admin_pages_test.js
}

run_fuzz_replay() {
  for bin in "$BUILD"/tests/fuzz_replay_*; do
    [ -x "$bin" ] || continue
    t=${bin##*/fuzz_replay_}
    corpus="tests/fuzz/corpus/$t"
    echo "== fuzz corpus $t"
    if "$bin" "$corpus" > "$logdir/fuzz_$t.log" 2>&1; then
      passed=$((passed + 1)); echo "   $(tail -1 "$logdir/fuzz_$t.log")"
    else
      failed=$((failed + 1)); tail -20 "$logdir/fuzz_$t.log" | sed 's/^/   | /'
    fi
  done
}

case "$what" in
  all) run_gtest unit "$BUILD/tests/unit_tests"
       run_fuzz_replay
       run_gtest integration "$BUILD/tests/integration_tests"
       run_gtest e2e "$BUILD/tests/e2e_tests"
       run_browser ;;
  unit) run_gtest unit "$BUILD/tests/unit_tests" ;;
  integration) run_gtest integration "$BUILD/tests/integration_tests" ;;
  e2e) run_gtest e2e "$BUILD/tests/e2e_tests" ;;
  fuzz) run_fuzz_replay ;;
  browser) run_browser ;;
  *) echo "usage: tests/run.sh all|unit|integration|e2e|fuzz|browser" >&2; exit 2 ;;
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
