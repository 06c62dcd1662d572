#!/bin/sh
# HTTP server benchmark: our binary serving /healthz against nginx (one worker) returning the
# same body, measured with wrk in alternating rounds (A, B, A, B, ...) in the same run, plus
# our idle RSS and RSS with 10,000 idle keep-alive connections (tests/bench/idle_clients.js).
#   sh tests/bench/server_bench.sh            (from the project root; `make bench` does this)
# Knobs: ROUNDS (3), DURATION (5s), CONNS (50), IDLE_CONNS (10000), TC_BENCH_BIN (binary that
# accepts `serve --listen HOST:PORT --data-dir DIR`; default $BUILD/twitter-connector).
set -eu
BUILD=${BUILD:-build}
BIN=${TC_BENCH_BIN:-$BUILD/twitter-connector}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-50}
IDLE_CONNS=${IDLE_CONNS:-10000}

need() { command -v "$1" >/dev/null 2>&1 || { echo "server_bench: '$1' not found ($2)" >&2; exit 1; }; }
need wrk "install the Debian package wrk"
need nginx "install the Debian package nginx-light"
need node "Node.js 20 is required for the idle-connection client"
[ -x "$BIN" ] || { echo "server_bench: $BIN not built (run make)" >&2; exit 1; }

# 10,000 idle connections need more descriptors than the usual 1024 on each side.
ulimit -n 30000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
ours_pid= nginx_pid= idle_pid=
cleanup() {
  for p in $idle_pid $ours_pid $nginx_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
tree_rss_kb() { # a process and its children (nginx master + worker)
  total=$(rss_kb "$1")
  for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do total=$((total + $(rss_kb "$c"))); done
  echo "$total"
}
wait_http() { # PORT
  i=0
  until node -e "require('http').get('http://127.0.0.1:$1/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"; do
    i=$((i + 1)); [ $i -gt 50 ] && { echo "server_bench: nothing answers on port $1" >&2; exit 1; }
    sleep 0.1
  done
}

# --- our server ---------------------------------------------------------------------------
ours_port=$(free_port)
mkdir -p "$work/data"
"$BIN" serve --listen "127.0.0.1:$ours_port" --data-dir "$work/data" > "$work/ours.log" 2>&1 &
ours_pid=$!
wait_http "$ours_port"
sleep 0.5
idle_rss=$(rss_kb "$ours_pid")

# --- nginx, one worker, same body ---------------------------------------------------------
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/logs/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /healthz {
      default_type "application/json; charset=utf-8";
      return 200 '{"status":"ok"}';
    }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2>"$work/nginx/stderr" &
nginx_pid=$!
wait_http "$nginx_port"

# --- alternating wrk rounds ---------------------------------------------------------------
run_wrk() { # NAME PORT PID
  out=$(wrk -t1 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$2/healthz")
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  rss=$(tree_rss_kb "$3")
  printf '%-6s round %s: %10s req/s  p99 %8s  RSS %6s KiB %s\n' "$1" "$r" "$rps" "$p99" "$rss" "$errs"
  echo "$1 $rps $p99 $rss" >> "$work/results"
}
echo "wrk -t1 -c$CONNS -d$DURATION --latency /healthz, $ROUNDS alternating rounds"
r=1
while [ "$r" -le "$ROUNDS" ]; do
  run_wrk ours "$ours_port" "$ours_pid"
  run_wrk nginx "$nginx_port" "$nginx_pid"
  r=$((r + 1))
done
awk '
  function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
  { n[$1]++; rps[$1] += $2; p99[$1] += ms($3); rss[$1] += $4 }
  END {
    for (k in n) printf "%-6s mean: %10.0f req/s  p99 %7.2f ms  RSS %6.0f KiB\n", k, rps[k]/n[k], p99[k]/n[k], rss[k]/n[k]
    if (n["ours"] && n["nginx"])
      printf "ratio ours/nginx: req/s %.2f  p99 %.2f  RSS %.2f\n", rps["ours"]/rps["nginx"], (p99["ours"]/n["ours"])/(p99["nginx"]/n["nginx"]), rss["ours"]/rss["nginx"]
  }' "$work/results"
kill "$nginx_pid" 2>/dev/null || true
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=

# --- memory with idle keep-alive connections ----------------------------------------------
echo "our idle RSS (after start): $idle_rss KiB"
mkfifo "$work/idle.fifo"
node tests/bench/idle_clients.js "$ours_port" "$IDLE_CONNS" < "$work/idle.fifo" > "$work/idle.out" 2>&1 &
idle_pid=$!
exec 3> "$work/idle.fifo"  # keeps the client's stdin open until we are done
i=0
until grep -q '^ready' "$work/idle.out" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 "$idle_pid" 2>/dev/null; then
    echo "server_bench: idle client did not get ready:" >&2; cat "$work/idle.out" >&2; exit 1
  fi
  sleep 0.1
done
sleep 1
set -- $(grep '^ready' "$work/idle.out")
echo "RSS with $2 idle keep-alive connections ($3 failed): $(rss_kb "$ours_pid") KiB (limit 16384 KiB)"
exec 3>&-
wait "$idle_pid" 2>/dev/null || true
idle_pid=
