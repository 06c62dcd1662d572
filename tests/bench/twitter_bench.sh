#!/bin/sh
# X API path benchmark: a synthetic v2 timeline of N posts (default 20,000) on the fake X
# server (tests/support/fake_twitter.js) over TLS with OAuth verified on every request, walked
# by the connector (build/bench/twitter_bench: fetch + parse + map) and, in the same run, by
# tweepy 4.12 (Debian python3-tweepy: fetch + parse) over the same pages. Then mapping alone.
#   BUILD=build sh tests/bench/twitter_bench.sh [N]
set -eu
BUILD=${BUILD:-build}
N=${1:-20000}
WIN=4000   # minutes per walk: 40 pages of 100, below kMaxTimelinePages
root=$(pwd)
tmp=$(mktemp -d /tmp/tc-twbench-XXXXXX)
trap 'kill $srv 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
sh tests/support/make_test_pki.sh "$tmp/pki" >/dev/null
node tests/support/fake_twitter.js --synthetic "$N" --cert "$tmp/pki/good.crt" --key "$tmp/pki/good.key" \
  --consumer-key bench-consumer --consumer-secret "bench consumer secret" --token bench-token \
  --token-secret "bench token secret" --user-id 4113725063 --rate-limit 100000 --max-lifetime 600 \
  > "$tmp/srv.log" 2>&1 &
srv=$!
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do grep -q listening "$tmp/srv.log" && break; sleep 0.3; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/srv.log")
origin="https://127.0.0.1:$port"
newest=1704067200   # the fake's newest synthetic post: 2024-01-01T00:00:00Z
if ! /usr/bin/python3 -c 'import tweepy' 2>/dev/null; then
  echo "tweepy missing: apt-get install python3-tweepy" >&2
  exit 1
fi
echo "--- v2 timeline of $N posts, windows of $WIN minutes"
${TB_WRAP:-} "$root/$BUILD/bench/twitter_bench" "$origin" "$tmp/pki/ca.crt" 4113725063 "$newest" "$N" "$WIN"
fields=$("$root/$BUILD/bench/twitter_bench" --fields)
# shellcheck disable=SC2086
REQUESTS_CA_BUNDLE="$tmp/pki/ca.crt" /usr/bin/python3 tests/bench/twitter_tweepy_peer.py "$origin" 4113725063 \
  "$newest" "$N" "$WIN" $fields
