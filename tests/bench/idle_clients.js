// Opens N keep-alive connections to HOST:PORT, sends one request on each, waits for every
// response, prints "ready N" and keeps the connections open until stdin closes or SIGTERM.
// At most 256 connections are being set up at once so the listen backlog never overflows.
//   node tests/bench/idle_clients.js PORT N [PATH]
'use strict';
const net = require('net');

const port = Number(process.argv[2]);
const total = Number(process.argv[3] || 10000);
const path = process.argv[4] || '/healthz';
const kInFlight = 256;
const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
const sockets = [];
let started = 0;
let answered = 0;
let failed = 0;

function openOne() {
  if (started >= total) return;
  started++;
  const s = net.connect({ host: '127.0.0.1', port });
  sockets.push(s);
  let buf = '';
  let done = false;
  s.setNoDelay(true);
  s.on('connect', () => s.write(request));
  s.on('data', (d) => {
    if (done) return;
    buf += d.toString('latin1');
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const m = /content-length:\s*(\d+)/i.exec(buf.slice(0, end));
    if (buf.length < end + 4 + (m ? Number(m[1]) : 0)) return;
    done = true;
    if (!buf.startsWith('HTTP/1.1 200')) failed++;
    answered++;
    finishOne();
  });
  s.on('error', () => {
    if (!done) { done = true; failed++; answered++; finishOne(); }
  });
}

function finishOne() {
  if (answered === total) {
    console.log(`ready ${total - failed} ${failed}`);
    return;
  }
  openOne();
}

for (let i = 0; i < Math.min(kInFlight, total); i++) openOne();
const stop = () => { for (const s of sockets) s.destroy(); process.exit(0); };
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
