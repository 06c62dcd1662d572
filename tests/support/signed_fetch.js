#!/usr/bin/env node
// One OAuth 1.0a-signed HTTP(S) request for integration tests that drive the C++ pagers and
// parsers against fake_twitter.js before the connector's own HTTPS client is wired in. Signs
// with the self-test's independent signer. Output: "status: N", the x-rate-limit-* headers,
// an empty line, then the body. A connection that dies mid-response prints "error: CODE"
// after whatever arrived and exits 3.
//   node signed_fetch.js --url URL [--ca FILE] [--method GET] [--consumer-key K --consumer-secret S]
//     [--token T --token-secret TS] [--json BODY (unsigned POST, for /__control)]
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const { sign } = require('./fake_twitter_selftest.js');

const a = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) a[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const method = a.method || (a.json ? 'POST' : 'GET');
const headers = {};
if (a.json) {
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(a.json);
} else {
  headers.authorization = sign({ method, url: a.url, consumerKey: a['consumer-key'], consumerSecret: a['consumer-secret'],
    token: a.token, tokenSecret: a['token-secret'] }).header;
}
const lib = a.url.startsWith('https:') ? https : http;
const chunks = [];
let done = false;
const fail = (e) => {
  if (done) return;
  done = true;
  process.stdout.write(Buffer.concat(chunks));
  process.stdout.write(`\nerror: ${e.code || e.message}\n`);
  process.exit(3);
};
const req = lib.request(a.url, { method, headers, ca: a.ca ? fs.readFileSync(a.ca) : undefined, agent: false }, (res) => {
  let head = `status: ${res.statusCode}\n`;
  for (const h of ['x-rate-limit-limit', 'x-rate-limit-remaining', 'x-rate-limit-reset'])
    if (res.headers[h] !== undefined) head += `${h}: ${res.headers[h]}\n`;
  process.stdout.write(head + '\n');
  res.on('data', (c) => chunks.push(c));
  res.on('error', fail);
  res.on('aborted', () => fail(new Error('aborted')));
  res.on('end', () => {
    if (done) return;
    done = true;
    process.stdout.write(Buffer.concat(chunks), () => process.exit(0));
  });
});
req.on('error', fail);
req.end(a.json);
