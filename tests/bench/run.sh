#!/bin/sh
# `make bench`: runs every tests/bench/*_bench.sh in turn. Each prints its own comparison
# against the peer it measures in the same run; figures go into docs/performance.md by hand,
# with the command that produced them.
set -eu
BUILD=${BUILD:-build}
export BUILD
for b in tests/bench/*_bench.sh; do
  [ -f "$b" ] || continue
  echo "=== $b"
  sh "$b"
done
