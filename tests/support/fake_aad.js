// Fake Azure AD for the auth integration tests (Node built-ins only). HTTPS on 127.0.0.1
// port 0 with the test PKI's "good" certificate, plus a plain-HTTP control port. Prints
// "listening on 127.0.0.1:PORT control CPORT", exits on SIGTERM or after --max-lifetime seconds
// (default 180).
//   node fake_aad.js --cert F --key F --keys-dir DIR --tenant T --client-id ID --client-secret S
//     [--max-lifetime S]
// HTTPS routes:
//   GET  /{tenant}/v2.0/.well-known/openid-configuration   issuer + jwks_uri (this server)
//   GET  /discovery/keys                                    the JWKS (current signing key only)
//   POST /{tenant}/oauth2/token                             v1 client-credentials grant: checks
//        grant_type, client_id, client_secret, resource; answers numbers as strings like AAD v1,
//        or AAD's error JSON (AADSTS7000215 wrong secret, AADSTS700016 unknown app, ...)
// Control routes (plain HTTP):
//   POST /rotate          new signing key (written to DIR/<kid>.jwk.json), the old one retired
//   POST /down, /up       key endpoints answer 503 while down
//   POST /lifetime?s=N    lifetime of issued tokens (default 3600)
//   POST /delay?ms=N      delay before answering token requests (coalescing tests)
//   GET  /stats           {"tokenRequests":N,"jwksRequests":N,"configRequests":N,"kid":"..."}
//   GET  /kid             the current kid
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const crypto = require('crypto');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const RESOURCE = 'https://microsoft.onmicrosoft.com/4e476d41-2395-42be-89ff-34cb9186a1ac';

let keyCounter = 0;
let current = null;
let down = false;
let lifetime = 3600;
let delayMs = 0;
const stats = {tokenRequests: 0, jwksRequests: 0, configRequests: 0};
let port = 0;

function newKey() {
  keyCounter++;
  const kid = 'fake-key-' + keyCounter + '-' + crypto.randomBytes(4).toString('hex');
  const {privateKey} = crypto.generateKeyPairSync('rsa', {modulusLength: 2048});
  const jwk = privateKey.export({format: 'jwk'});
  jwk.kid = kid;
  fs.writeFileSync(args['keys-dir'] + '/' + kid + '.jwk.json', JSON.stringify(jwk), {mode: 0o600});
  current = {kid, jwk};
}
newKey();

function json(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body)});
  res.end(body);
}

function aadError(res, status, error, code, text) {
  json(res, status, {
    error, error_description: 'AADSTS' + code + ': ' + text + '\r\nTrace ID: 0000aaaa-11bb-cc22-dd33-444444eeeeee\r\n' +
      'Correlation ID: 5555ffff-66aa-bb77-cc88-999999dddddd\r\nTimestamp: 2026-12-04 12:00:00Z',
    error_codes: [code], timestamp: '2026-12-04 12:00:00Z', trace_id: '0000aaaa-11bb-cc22-dd33-444444eeeeee',
    correlation_id: '5555ffff-66aa-bb77-cc88-999999dddddd'});
}

function token(req, res, body, tenant) {
  stats.tokenRequests++;
  const form = new URLSearchParams(body);
  const answer = () => {
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded')
      return aadError(res, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (form.get('grant_type') !== 'client_credentials')
      return aadError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (tenant !== args.tenant)
      return aadError(res, 400, 'invalid_request', 90002, "Tenant '" + tenant + "' not found.");
    if (form.get('client_id') !== args['client-id'])
      return aadError(res, 400, 'unauthorized_client', 700016, "Application with identifier '" + form.get('client_id') +
        "' was not found in the directory.");
    if (form.get('client_secret') !== args['client-secret'])
      return aadError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent ' +
        'in the request is the client secret value, not the client secret ID.');
    if (form.get('resource') !== RESOURCE)
      return aadError(res, 400, 'invalid_resource', 500011, 'The resource principal named ' + form.get('resource') + ' was not found.');
    const now = Math.floor(Date.now() / 1000);
    json(res, 200, {token_type: 'Bearer', expires_in: String(lifetime), ext_expires_in: String(lifetime),
      expires_on: String(now + lifetime), not_before: String(now), resource: RESOURCE,
      access_token: 'fake-access-token-' + stats.tokenRequests});
  };
  if (delayMs > 0) setTimeout(answer, delayMs); else answer();
}

const server = https.createServer({cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key)}, (req, res) => {
  const u = new URL(req.url, 'https://x');
  const parts = u.pathname.split('/').filter(Boolean);
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    if (req.method === 'GET' && parts.length === 4 && parts[1] === 'v2.0' && parts[3] === 'openid-configuration') {
      stats.configRequests++;
      if (down) return json(res, 503, {error: 'temporarily_unavailable'});
      return json(res, 200, {issuer: 'https://login.microsoftonline.com/' + parts[0] + '/v2.0',
        jwks_uri: 'https://127.0.0.1:' + port + '/discovery/keys', token_endpoint: 'https://127.0.0.1:' + port + '/' + parts[0] + '/oauth2/token'});
    }
    if (req.method === 'GET' && u.pathname === '/discovery/keys') {
      stats.jwksRequests++;
      if (down) return json(res, 503, {error: 'temporarily_unavailable'});
      const j = current.jwk;
      return json(res, 200, {keys: [{kty: 'RSA', use: 'sig', kid: current.kid, x5t: current.kid, n: j.n, e: j.e}]});
    }
    if (req.method === 'POST' && parts.length === 3 && parts[1] === 'oauth2' && parts[2] === 'token')
      return token(req, res, body, parts[0]);
    json(res, 404, {error: 'not found: ' + req.method + ' ' + u.pathname});
  });
});

const control = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const p = u.pathname;
  if (p === '/rotate') { newKey(); return json(res, 200, {kid: current.kid}); }
  if (p === '/down') { down = true; return json(res, 200, {down}); }
  if (p === '/up') { down = false; return json(res, 200, {down}); }
  if (p === '/lifetime') { lifetime = Number(u.searchParams.get('s')); return json(res, 200, {lifetime}); }
  if (p === '/delay') { delayMs = Number(u.searchParams.get('ms')); return json(res, 200, {delayMs}); }
  if (p === '/stats') return json(res, 200, Object.assign({kid: current.kid}, stats));
  if (p === '/kid') { res.writeHead(200, {'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(current.kid)}); return res.end(current.kid); }
  json(res, 404, {error: 'unknown control ' + p});
});

server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  control.listen(0, '127.0.0.1', () => {
    console.log('listening on 127.0.0.1:' + port + ' control ' + control.address().port);
  });
});
process.on('SIGTERM', () => process.exit(0));
setTimeout(() => process.exit(0), Number(args['max-lifetime'] || 180) * 1000).unref();
