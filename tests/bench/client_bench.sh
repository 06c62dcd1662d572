#!/bin/sh
# Outbound HTTPS client benchmark: GETs of a small JSON body over TLS with keep-alive against
# a local Node server, http::Client (build/bench/client_bench) and curl measured in the same
# run. curl gets all URLs on one command line so it reuses its connection (and --parallel for
# the concurrent case). Reports requests/s, CPU time per request and peak RSS of the client
# process; then full handshakes (Connection: close) to bound handshake CPU.
#   BUILD=build sh tests/bench/client_bench.sh [REQUESTS]
set -eu
BUILD=${BUILD:-build}
N=${1:-2000}
H=${HANDSHAKES:-200}
root=$(pwd)
tmp=$(mktemp -d /tmp/tc-bench-XXXXXX)
trap 'kill $srv 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
sh tests/support/make_test_pki.sh "$tmp/pki" >/dev/null
node tests/support/tls_servers.js --cert "$tmp/pki/good.crt" --key "$tmp/pki/good.key" > "$tmp/srv.log" 2>&1 &
srv=$!
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q listening "$tmp/srv.log" && break; sleep 0.2; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/srv.log")
url="https://localhost:$port/json"
ca="$tmp/pki/ca.crt"
bench="$root/$BUILD/bench/client_bench"

curl_run() { # NAME COUNT EXTRA-ARGS...
  name=$1 count=$2; shift 2
  i=0; : > "$tmp/urls"
  while [ $i -lt "$count" ]; do echo "url = \"$url\""; echo "output = /dev/null"; i=$((i + 1)); done > "$tmp/urls"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" curl -s --no-progress-meter --cacert "$ca" -K "$tmp/urls" "$@" || true
  read -r wall user sys rss < "$tmp/time"
  awk -v n="$count" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v name="$name" \
    'BEGIN { printf "curl %s requests=%d wall=%.3fs req/s=%.0f cpu/req=%.1fus peak_rss=%dKiB\n", name, n, w, n / w, (u + s) / n * 1e6, r }'
}

echo "--- sequential keep-alive GET, $N requests"
"$bench" "$url" "$ca" "$N" 1
curl_run sequential "$N"
echo "--- concurrent keep-alive GET, $N requests, 8 in flight"
"$bench" "$url" "$ca" "$N" 8
curl_run "parallel-8" "$N" --parallel --parallel-max 8
echo "--- full TLS 1.3 handshakes (Connection: close), $H requests"
"$bench" "$url" "$ca" "$H" 1 --close
curl_run "handshakes" "$H" -H "Connection: close"
