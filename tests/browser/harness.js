// Test harness of the browser suite: starts the real binary with its fake outside world (fake
// X on plain HTTP so the browser can follow its redirects, fake Azure AD and Event API over
// HTTPS with the test PKI, Azurite for the blobs), every server on 127.0.0.1 port 0, all
// stopped by stopAll() or when this process exits. Also a tiny runner that prints GoogleTest's
// result lines, so tests/run.sh counts these tests like the C++ ones. Built-in modules only.
'use strict';
const {spawn, execFileSync} = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const build = path.resolve(root, process.env.TC_BUILD || process.env.BUILD || 'build');
const children = [];

function tempDir(prefix) { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }

// Spawns a server and resolves with the first output line matching re (its port in group 1).
function startServer(name, cmd, args, re, opts) {
  opts = opts || {};
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {env: Object.assign({}, process.env, opts.env || {}),
      stdio: ['ignore', 'pipe', 'pipe']});
    children.push(child);
    let out = '', done = false;
    const timer = setTimeout(() => finish(new Error(`${name} did not start within ${opts.timeoutMs || 20000} ms:\n${out.slice(-2000)}`)),
      opts.timeoutMs || 20000);
    function finish(err, m) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err); else resolve({child, port: Number(m[1]), match: m, output: () => out});
    }
    const onData = (d) => {
      out += d.toString();
      if (out.length > 1 << 20) out = out.slice(-(1 << 19));
      const m = re.exec(out);
      if (m) finish(null, m);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, sig) => finish(new Error(`${name} exited (${code === null ? sig : code}) before it was ready:\n${out.slice(-2000)}`)));
  });
}

function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}
process.on('exit', stopAll);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { stopAll(); process.exit(130); });

// HTTP(S) request; resolves {status, headers, body}. opt: {method, headers, body, ca}.
function request(url, opt) {
  opt = opt || {};
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, {method: opt.method || 'GET', headers: opt.headers || {}, ca: opt.ca}, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8')}));
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error('timeout: ' + url)));
    if (opt.body !== undefined) req.write(opt.body);
    req.end();
  });
}

// ---- Azurite: the container and its SAS, signed as tests/support/azurite.cc does.
const AZ_ACCOUNT = 'devstoreaccount1';
const AZ_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const AZ_VERSION = '2021-08-06';
function storageSignature(text) {
  return crypto.createHmac('sha256', Buffer.from(AZ_KEY, 'base64')).update(text, 'utf8').digest('base64');
}
async function createContainer(base, name, ca) {
  const date = new Date().toUTCString();
  const sts = `PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:${date}\nx-ms-version:${AZ_VERSION}\n/${AZ_ACCOUNT}/${AZ_ACCOUNT}/${name}\nrestype:container`;
  const r = await request(`${base}/${name}?restype=container`, {method: 'PUT', ca,
    headers: {'Content-Length': '0', 'x-ms-date': date, 'x-ms-version': AZ_VERSION,
      'Authorization': `SharedKey ${AZ_ACCOUNT}:${storageSignature(sts)}`}});
  if (r.status !== 201) throw new Error(`create container ${name}: ${r.status} ${r.body}`);
}
function containerSas(base, name, permissions) {
  const se = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const sts = `${permissions}\n\n${se}\n/blob/${AZ_ACCOUNT}/${name}\n\n\nhttps\n${AZ_VERSION}\nc\n\n\n\n\n\n\n`;
  return `${base}/${name}?sv=${AZ_VERSION}&sr=c&sp=${permissions}&se=${encodeURIComponent(se)}&spr=https&sig=${encodeURIComponent(storageSignature(sts))}`;
}

// Starts everything. Azurite (slow to load) is started in the background: await env.azurite.
async function startWorld() {
  const dir = tempDir('tc-browser-');
  const pki = path.join(dir, 'pki');
  execFileSync('sh', [path.join(root, 'tests/support/make_test_pki.sh'), pki], {stdio: 'ignore'});
  const ca = fs.readFileSync(path.join(pki, 'ca.crt'));
  const env = {dir, pki, ca, tenantId: 'c2b5a0f4-7a3e-4d5b-9d67-2f1e8a6b4c11', secret: 'browser-test-secret-' + crypto.randomBytes(6).toString('hex'),
    aadClientId: '6f0b4a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', aadClientSecret: 'aad-secret-' + crypto.randomBytes(6).toString('hex'),
    twitter: {consumerKey: 'fake-consumer-key', consumerSecret: 'fake-consumer-secret', token: 'fake-access-token',
      tokenSecret: 'fake-access-secret', screenName: 'twitter_testaccount', userId: '4113725063'}};
  const support = path.join(root, 'tests/support');
  const node = process.execPath;
  const azuriteMain = path.join(root, 'tests/node_modules/azurite/dist/src/blob/main.js');
  fs.mkdirSync(path.join(dir, 'azurite'));
  env.azurite = startServer('azurite', node, [azuriteMain, '--blobHost', '127.0.0.1', '--blobPort', '0',
    '--location', path.join(dir, 'azurite'), '--cert', path.join(pki, 'good.crt'), '--key', path.join(pki, 'good.key'),
    '--disableTelemetry', '--skipApiVersionCheck', '--silent'], /successfully listens on https:\/\/127\.0\.0\.1:(\d+)/, {timeoutMs: 120000})
    .then((s) => Object.assign(s, {base: `https://127.0.0.1:${s.port}/${AZ_ACCOUNT}`}));
  env.azurite.catch(() => {});  // awaited (and reported) by the test that needs it
  // Four synthetic posts on 2024-01-01 (media only on every fifth, so none here: its URLs
  // would name X's real media host).
  env.fakeTwitter = await startServer('fake_twitter', node, [path.join(support, 'fake_twitter.js'), '--synthetic', '4',
    '--max-lifetime', '600'], /listening on 127\.0\.0\.1:(\d+)/);
  const keys = path.join(dir, 'keys');
  fs.mkdirSync(keys);
  env.fakeAad = await startServer('fake_aad', node, [path.join(support, 'fake_aad.js'), '--cert', path.join(pki, 'good.crt'),
    '--key', path.join(pki, 'good.key'), '--keys-dir', keys, '--tenant', env.tenantId, '--client-id', env.aadClientId,
    '--client-secret', env.aadClientSecret], /listening on 127\.0\.0\.1:(\d+)/);
  // The fake AAD numbers its tokens: the worker's first (and cached) one is fake-access-token-1.
  env.fakeEvents = await startServer('fake_event_api', node, [path.join(support, 'fake_event_api.js'), '--cert',
    path.join(pki, 'good.crt'), '--key', path.join(pki, 'good.key'), '--token', 'fake-access-token-1'], /listening on 127\.0\.0\.1:(\d+)/);
  const binary = path.join(build, 'twitter-connector');
  env.service = await startServer('twitter-connector', binary, ['serve'], /"msg":"listening".*"port":(\d+)/, {env: {
    CONNECTOR_LISTEN: '127.0.0.1:0', CONNECTOR_DATA_DIR: path.join(dir, 'data'), CONNECTOR_TENANT_ID: env.tenantId,
    CONNECTOR_API_SECRET_KEY: env.secret, CONNECTOR_TWITTER_API_BASE: `http://127.0.0.1:${env.fakeTwitter.port}`,
    CONNECTOR_AAD_AUTHORITY: `https://127.0.0.1:${env.fakeAad.port}`, CONNECTOR_EVENT_API_BASE: `https://127.0.0.1:${env.fakeEvents.port}`,
    CONNECTOR_CA_FILE: path.join(pki, 'ca.crt'), CONNECTOR_LOG_LEVEL: 'info'}});
  env.base = `http://127.0.0.1:${env.service.port}`;
  env.basic = 'Basic ' + Buffer.from(`${env.tenantId}:${env.secret}`).toString('base64');
  env.api = (method, p, body) => request(env.base + p, {method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: Object.assign({Authorization: env.basic}, body === undefined ? {} : {'Content-Type': 'application/json'})});
  env.createContainer = (name) => env.azurite.then((a) => createContainer(a.base, name, ca));
  env.containerSas = (a, name) => containerSas(a.base, name, 'rcwl');
  env.cleanup = () => { stopAll(); fs.rmSync(dir, {recursive: true, force: true}); };
  return env;
}

// ---- runner: "[ RUN      ] Suite.Name", then "[       OK ] …" or "[  FAILED  ] … (N ms)".
async function run(suite, tests, {before, after, beforeEach}) {
  let failed = 0, passed = 0;
  let ctx;
  try {
    ctx = await before();
  } catch (e) {
    console.log(`[ RUN      ] ${suite}.SetUp`);
    console.log(String(e && e.stack || e));
    console.log(`[  FAILED  ] ${suite}.SetUp (0 ms)`);
    return 1;
  }
  for (const [name, fn] of tests) {
    const t0 = Date.now();
    console.log(`[ RUN      ] ${suite}.${name}`);
    try {
      if (beforeEach) await beforeEach(ctx);
      await fn(ctx);
      passed++;
      console.log(`[       OK ] ${suite}.${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(String(e && e.stack || e));
      console.log(`[  FAILED  ] ${suite}.${name} (${Date.now() - t0} ms)`);
    }
  }
  try { await after(ctx); } catch (e) { console.log('teardown: ' + (e && e.stack || e)); }
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

module.exports = {root, build, startWorld, request, run, tempDir, stopAll};
