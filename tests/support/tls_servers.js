// Test HTTPS/HTTP server for the client tests (Node built-ins only). Listens on 127.0.0.1
// port 0, prints "listening on 127.0.0.1:PORT", exits on SIGTERM or after 3 minutes.
//   node tls_servers.js [--cert F --key F] [--min TLSv1.2] [--max TLSv1.3] [--plain]
// Routes (the path decides the behaviour):
//   /json                 small JSON body (keep-alive)
//   /echo                 JSON {method, url, authorization, host, bodyLength, bodySha}
//   /stats                JSON {connections, requests}: keep-alive reuse counted here
//   /big?bytes=N          N bytes of a fixed pattern with Content-Length, streamed in 64 KiB writes
//   /chunked-odd          hand-written chunked body split at awkward places, small delays
//   /chunked-node         chunked body from Node's own encoder (keep-alive)
//   /close-delimited      HTTP/1.0-style body ended by closing the connection
//   /reset-mid-body       announces 100000 bytes, sends 1000, then resets the connection
//   /stall                sends the head and then nothing
//   /status/NNN?retry-after=V&reset=EPOCH   that status with optional headers
//   /flaky/KEY?fail=N&status=S              first N hits of KEY answer S (default 503)
//   /redirect?to=URL&status=S               redirect (default 302)
//   /die-next             answers, then destroys the socket when its next request arrives
//   /huge-head            a response head larger than 64 KiB
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const crypto = require('crypto');

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--plain') args.plain = true;
  else args[a.replace(/^--/, '')] = process.argv[++i];
}

let connections = 0;
let requests = 0;
const flaky = new Map();
const doomed = new WeakSet();

function handler(req, res) {
  requests++;
  if (doomed.has(req.socket)) { req.socket.destroy(); return; }
  const u = new URL(req.url, 'http://x');
  const p = u.pathname;
  let body = [];
  req.on('data', (d) => body.push(d));
  req.on('end', () => {
    body = Buffer.concat(body);
    if (p === '/json') {
      res.writeHead(200, {'Content-Type': 'application/json'});
      res.end('{"ok":true,"data":[1,2,3],"text":"hello"}');
    } else if (p === '/echo') {
      res.writeHead(200, {'Content-Type': 'application/json'});
      res.end(JSON.stringify({method: req.method, url: req.url, host: req.headers.host,
        authorization: req.headers.authorization || null, bodyLength: body.length,
        contentLength: req.headers['content-length'] || null,
        bodySha: crypto.createHash('sha256').update(body).digest('hex')}));
    } else if (p === '/stats') {
      res.writeHead(200, {'Content-Type': 'application/json'});
      res.end(JSON.stringify({connections, requests}));
    } else if (p === '/big') {
      const total = Number(u.searchParams.get('bytes'));
      res.writeHead(200, {'Content-Length': String(total), 'Content-Type': 'application/octet-stream'});
      const chunk = Buffer.alloc(65536);
      for (let i = 0; i < chunk.length; i++) chunk[i] = i & 0xff;
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const n = Math.min(chunk.length, total - sent);
          sent += n;
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { res.once('drain', pump); return; }
        }
        res.end();
      };
      pump();
    } else if (p === '/chunked-odd') {
      const s = res.socket;
      s.setNoDelay(true);
      const parts = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n',
        '5\r\nhel', 'lo\r\n1', '\r\n,\r\n', '1', '0\r\n world 123456789\r\n', 'a;ext=1\r\n 123456789\r\n',
        '0\r', '\n', 'X-Trailer: t\r\n', '\r\n'];
      let i = 0;
      // Written under Node's HTTP layer, so the socket cannot serve another request.
      const next = () => { if (i < parts.length) { s.write(parts[i++]); setTimeout(next, 5); } else s.end(); };
      next();
    } else if (p === '/chunked-node') {
      res.writeHead(200, {'Content-Type': 'text/plain'});
      const parts = ['a', 'bc', 'def', 'ghij'];
      let i = 0;
      const next = () => { if (i < parts.length) { res.write(parts[i++]); setTimeout(next, 5); } else res.end(); };
      next();
    } else if (p === '/close-delimited') {
      const s = res.socket;
      s.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n');
      s.write('part one;');
      setTimeout(() => { s.end('part two'); }, 20);
    } else if (p === '/reset-mid-body') {
      const s = res.socket;
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
      setTimeout(() => s.resetAndDestroy ? s.resetAndDestroy() : s.destroy(), 30);
    } else if (p === '/stall') {
      res.writeHead(200, {'Content-Length': '10'});
      res.write('12345');
    } else if (p.startsWith('/status/')) {
      const headers = {};
      if (u.searchParams.get('retry-after')) headers['Retry-After'] = u.searchParams.get('retry-after');
      if (u.searchParams.get('reset')) headers['x-rate-limit-reset'] = u.searchParams.get('reset');
      res.writeHead(Number(p.slice(8)), headers);
      res.end('status body');
    } else if (p.startsWith('/flaky/')) {
      const n = (flaky.get(p) || 0) + 1;
      flaky.set(p, n);
      if (n <= Number(u.searchParams.get('fail') || 1)) {
        res.writeHead(Number(u.searchParams.get('status') || 503), {'Retry-After': '0'});
        res.end('try again');
      } else {
        res.writeHead(200);
        res.end('ok after ' + n);
      }
    } else if (p === '/redirect') {
      res.writeHead(Number(u.searchParams.get('status') || 302), {'Location': u.searchParams.get('to')});
      res.end();
    } else if (p === '/die-next') {
      doomed.add(req.socket);
      res.writeHead(200, {'Content-Type': 'text/plain'});
      res.end('first');
    } else if (p === '/loop') {
      res.writeHead(302, {'Location': '/loop'});
      res.end();
    } else if (p === '/huge-head') {
      res.writeHead(200, {'X-Big': 'a'.repeat(70000)});
      res.end('x');
    } else {
      res.writeHead(404);
      res.end('no route');
    }
  });
}

let server;
if (args.plain) {
  server = http.createServer(handler);
  server.on('connection', () => connections++);
} else {
  const opts = {cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key)};
  if (args.min) opts.minVersion = args.min;
  if (args.max) opts.maxVersion = args.max;
  server = https.createServer(opts, handler);
  server.on('secureConnection', () => connections++);
  server.on('tlsClientError', () => {});
}
server.maxHeaderSize = 65536;
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => {
  console.log('listening on 127.0.0.1:' + server.address().port);
});
// Stop by ourselves if the test runner forgets us.
setTimeout(() => process.exit(0), 180000).unref();
process.on('SIGTERM', () => process.exit(0));
