// Minimal HTTP CONNECT proxy for the client tests (Node built-ins only). Listens on
// 127.0.0.1 port 0 and prints "listening on 127.0.0.1:PORT".
//   node connect_proxy.js [--auth user:password] [--refuse] [--huge-head]
// With --auth, a CONNECT without the matching Proxy-Authorization gets 407. With --refuse
// every CONNECT gets 403; with --huge-head the CONNECT answer has a 20 KB head. Only
// 127.0.0.1/localhost targets are tunnelled. Plain
// absolute-form requests (http:// targets) are forwarded too. GET /proxy-stats on the proxy
// itself answers {tunnels, refused, forwarded}.
'use strict';
const http = require('http');
const net = require('net');

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--refuse') args.refuse = true;
  else if (a === '--huge-head') args.huge = true;
  else args[a.replace(/^--/, '')] = process.argv[++i];
}
const expected = args.auth ? 'Basic ' + Buffer.from(args.auth).toString('base64') : null;
const stats = {tunnels: 0, refused: 0, forwarded: 0};

const server = http.createServer((req, res) => {
  if (req.url === '/proxy-stats') {
    res.writeHead(200, {'Content-Type': 'application/json'});
    return res.end(JSON.stringify(stats));
  }
  if (expected && req.headers['proxy-authorization'] !== expected) {
    stats.refused++;
    res.writeHead(407, {'Proxy-Authenticate': 'Basic realm="test"'});
    return res.end();
  }
  const u = new URL(req.url);
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') { res.writeHead(403); return res.end(); }
  stats.forwarded++;
  const headers = Object.assign({}, req.headers);
  delete headers['proxy-authorization'];
  const up = http.request({host: '127.0.0.1', port: u.port, path: u.pathname + u.search, method: req.method, headers},
    (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
  up.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(up);
});
server.on('connect', (req, sock, head) => {
  const [host, port] = req.url.split(':');
  if (args.huge) {
    sock.end('HTTP/1.1 200 Connection Established\r\nX-Pad: ' + 'a'.repeat(20000) + '\r\n\r\n');
    return;
  }
  if (args.refuse) {
    stats.refused++;
    sock.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  if (expected && req.headers['proxy-authorization'] !== expected) {
    stats.refused++;
    sock.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  if (host !== '127.0.0.1' && host !== 'localhost') {
    sock.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const up = net.connect(Number(port), '127.0.0.1', () => {
    stats.tunnels++;
    sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head && head.length) up.write(head);
    up.pipe(sock);
    sock.pipe(up);
  });
  up.on('error', () => sock.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
  sock.on('error', () => up.destroy());
});
server.listen(0, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + server.address().port));
// Stop by ourselves if the test runner forgets us.
setTimeout(() => process.exit(0), 180000).unref();
process.on('SIGTERM', () => process.exit(0));
