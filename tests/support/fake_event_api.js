// Fake Microsoft 365 Event API for the completion tests (Node built-ins only, HTTPS).
// Listens on 127.0.0.1 port 0, prints "listening on 127.0.0.1:PORT" (with --control:
// "listening on 127.0.0.1:PORT control CPORT"), then one line per request unless --quiet:
// "REQUEST {json}" with method, path, jobId, authorization, contentType, body, shapeOk (the body
// is exactly the §9.1 shape, keys in order) and the status it answered.
// Exits on SIGTERM or after --max-lifetime seconds (default 180).
//   node fake_event_api.js --cert F --key F (--token T | --token-prefix P) [--fail N]
//     [--fail-status S] [--control] [--quiet] [--max-lifetime S]
// A bearer other than T (or not starting with P) is answered 401. The first N well-authorised
// requests are answered S (default 500); after that 200 with an empty body.
// With --control, a plain-HTTP control port (the end-to-end "platform" reads what the
// connector reported through it):
//   GET  /requests                 every request so far, oldest first: the REQUEST objects
//                                  plus "seq" (1, 2, ...) and "ms" (arrival, unix ms)
//   POST /fail?count=N&status=S    the next N well-authorised requests are answered S
//   POST /delay?ms=N               wait N ms before answering each request
//   POST /clear                    forget the recorded requests
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

const args = {fail: '0', 'fail-status': '500', 'max-lifetime': '180'};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i].replace(/^--/, '');
  if (a === 'control' || a === 'quiet') args[a] = true;
  else args[a] = process.argv[++i];
}
let failLeft = parseInt(args.fail, 10);
let failStatus = parseInt(args['fail-status'], 10);
let delayMs = 0;
let seq = 0;
const records = [];

// True when body is {"taskId":str,"status":0|1|2,"itemMetadata":[{"id","modificationTimestampUtc","fileName"}...]}
// compact and in this key order.
function shapeOk(text) {
  let v;
  try { v = JSON.parse(text); } catch (e) { return false; }
  if (JSON.stringify(v) !== text) return false;  // compact, no extra whitespace
  const keys = (o) => Object.keys(o).join(',');
  if (keys(v) !== 'taskId,status,itemMetadata') return false;
  if (typeof v.taskId !== 'string' || ![0, 1, 2].includes(v.status) || !Array.isArray(v.itemMetadata)) return false;
  return v.itemMetadata.every((m) => keys(m) === 'id,modificationTimestampUtc,fileName' &&
    typeof m.id === 'string' && typeof m.fileName === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(m.modificationTimestampUtc));
}

function authorised(auth) {
  if (args.token !== undefined) return auth === 'Bearer ' + args.token;
  if (args['token-prefix'] !== undefined) {
    return auth.startsWith('Bearer ' + args['token-prefix']) && auth.length > 7 + args['token-prefix'].length;
  }
  return false;
}

const server = https.createServer({cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key)}, (req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url, 'https://x');
    const auth = req.headers['authorization'] || '';
    let status = 200;
    if (req.method !== 'POST' || u.pathname !== '/api/data/ondownloadcomplete/') status = 404;
    else if (!authorised(auth)) status = 401;
    else if (failLeft > 0) { failLeft--; status = failStatus; }
    const rec = {method: req.method, path: u.pathname, jobId: u.searchParams.get('jobId'),
      authorization: auth, contentType: req.headers['content-type'] || '', body, shapeOk: shapeOk(body), status};
    if (!args.quiet) console.log('REQUEST ' + JSON.stringify(rec));
    const answer = () => {
      // Recorded when answered: a request whose connection died during the delay is kept too,
      // with "answered": false, since the connector cannot know it was accepted.
      rec.seq = ++seq;
      rec.ms = Date.now();
      rec.answered = !res.destroyed && !req.socket.destroyed;
      records.push(rec);
      res.writeHead(status, {'Content-Type': 'application/json'});
      res.end(status === 200 ? '' : '{"error":"fake ' + status + '"}');
    };
    if (delayMs > 0) setTimeout(answer, delayMs); else answer();
  });
});
server.on('tlsClientError', () => {});

function control(req, res) {
  const u = new URL(req.url, 'http://x');
  const json = (code, obj) => {
    const text = JSON.stringify(obj);
    res.writeHead(code, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)});
    res.end(text);
  };
  req.resume();
  req.on('end', () => {
    if (req.method === 'GET' && u.pathname === '/requests') return json(200, records);
    if (req.method === 'POST' && u.pathname === '/fail') {
      failLeft = Number(u.searchParams.get('count') || '1');
      failStatus = Number(u.searchParams.get('status') || '500');
      return json(200, {failLeft, failStatus});
    }
    if (req.method === 'POST' && u.pathname === '/delay') { delayMs = Number(u.searchParams.get('ms') || '0'); return json(200, {delayMs}); }
    if (req.method === 'POST' && u.pathname === '/clear') { records.length = 0; return json(200, {ok: true}); }
    json(404, {error: 'unknown control ' + req.method + ' ' + u.pathname});
  });
}

server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  if (!args.control) return console.log('listening on 127.0.0.1:' + port);
  const c = http.createServer(control);
  c.listen(0, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + port + ' control ' + c.address().port));
});
setTimeout(() => process.exit(0), Number(args['max-lifetime']) * 1000).unref();
process.on('SIGTERM', () => process.exit(0));
