// TCP proxy that adds a fixed network delay in front of a local server (Node built-ins only),
// for benchmarks against local emulators that answer far faster than the real service: Azure
// Blob Storage takes about 5–20 ms per PUT from an App Service in the same region, local
// Azurite well under 1 ms of network time. Every chunk is forwarded --delay-ms / 2 after it
// arrived, in each direction and in order, so a request/response round trip (and each TLS
// handshake flight) costs --delay-ms more; bytes are passed through untouched (TLS stays end
// to end). Listens on 127.0.0.1 port 0, prints "listening on 127.0.0.1:PORT", exits on
// SIGTERM/SIGINT or after --max-lifetime seconds (default 900).
//   node latency_proxy.js --target PORT --delay-ms MS [--max-lifetime S]
'use strict';
const net = require('net');

const args = { 'delay-ms': '10', 'max-lifetime': '900' };
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in args) && k !== 'target') { console.error(`latency_proxy: unknown option ${process.argv[i]}`); process.exit(2); }
  args[k] = process.argv[++i];
}
const target = Number(args.target);
const oneWay = Number(args['delay-ms']) / 2;
if (!Number.isInteger(target) || target <= 0 || !(oneWay >= 0)) {
  console.error('latency_proxy: usage: --target PORT --delay-ms MS (MS >= 0)');
  process.exit(2);
}

// Forwards from -> to, each chunk oneWay ms after its arrival, keeping order; honours the
// receiver's back-pressure by pausing the sender.
function delayedPipe(from, to) {
  const queue = [];
  let timer = null;
  let ended = false;
  const flush = () => {
    timer = null;
    const now = Date.now();
    while (queue.length && queue[0].due <= now) {
      const c = queue.shift();
      if (!to.destroyed && !to.write(c.buf)) from.pause();
    }
    if (queue.length) timer = setTimeout(flush, Math.max(0, queue[0].due - now));
    else if (ended && !to.destroyed) to.end();
  };
  to.on('drain', () => from.resume());
  from.on('data', (buf) => {
    queue.push({ buf, due: Date.now() + oneWay });
    if (!timer) timer = setTimeout(flush, oneWay);
  });
  from.on('end', () => {
    ended = true;
    if (!timer) flush();
  });
}

let connections = 0;
const server = net.createServer((client) => {
  connections++;
  const upstream = net.connect(target, '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  delayedPipe(client, upstream);
  delayedPipe(upstream, client);
  const kill = () => { client.destroy(); upstream.destroy(); };
  client.on('error', kill);
  upstream.on('error', kill);
  client.on('close', () => setTimeout(() => upstream.destroy(), oneWay + 1));
  upstream.on('close', () => setTimeout(() => client.destroy(), oneWay + 1));
});
server.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
const stop = () => { console.log(`connections ${connections}`); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(() => { console.error('latency_proxy: max lifetime reached, exiting'); process.exit(0); },
  Number(args['max-lifetime']) * 1000).unref();
