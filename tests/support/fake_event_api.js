// Fake Microsoft 365 Event API for the completion tests (Node built-ins only, HTTPS).
// Listens on 127.0.0.1 port 0, prints "listening on 127.0.0.1:PORT", then one line per
// request: "REQUEST {json}" with method, path, jobId, authorization, contentType, body,
// shapeOk (the body is exactly the §9.1 shape, keys in order) and the status it answered.
// Exits on SIGTERM or after 3 minutes.
//   node fake_event_api.js --cert F --key F (--token T | --token-prefix P) [--fail N] [--fail-status S]
// A bearer other than T (or not starting with P, e.g. the fake AAD's "fake-access-token-") is
// answered 401. The first N well-authorised requests are answered
// S (default 500); after that 200 with an empty body.
'use strict';
const fs = require('fs');
const https = require('https');

const args = {fail: '0', 'fail-status': '500'};
for (let i = 2; i < process.argv.length; i++) args[process.argv[i].replace(/^--/, '')] = process.argv[++i];
let failLeft = parseInt(args.fail, 10);

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

const server = https.createServer({cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key)}, (req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url, 'https://x');
    const auth = req.headers['authorization'] || '';
    let status = 200;
    if (req.method !== 'POST' || u.pathname !== '/api/data/ondownloadcomplete/') status = 404;
    else if (args['token-prefix'] !== undefined ? !auth.startsWith('Bearer ' + args['token-prefix']) :
             auth !== 'Bearer ' + args.token) status = 401;
    else if (failLeft > 0) { failLeft--; status = parseInt(args['fail-status'], 10); }
    console.log('REQUEST ' + JSON.stringify({method: req.method, path: u.pathname, jobId: u.searchParams.get('jobId'),
      authorization: auth, contentType: req.headers['content-type'] || '', body, shapeOk: shapeOk(body), status}));
    res.writeHead(status, {'Content-Type': 'application/json'});
    res.end(status === 200 ? '' : '{"error":"fake ' + status + '"}');
  });
});
server.on('tlsClientError', () => {});
server.listen(0, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + server.address().port));
setTimeout(() => process.exit(0), 180000).unref();
process.on('SIGTERM', () => process.exit(0));
