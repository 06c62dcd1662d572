// End-to-end import benchmark (`make bench`): the real `twitter-connector serve`
// driven as the Microsoft 365 platform drives it — configuration through POST
// /api/Configuration, the account connected through the setup flow (OAuthUrl → popup →
// X's authorize step → callback), then POST /data/OnDownloadRequest tasks with a container
// SAS into Azurite over TLS, each waited for at the fake Event API. The timeline is the shared
// v1.1 fixtures replicated (fixed seed) to N posts with fresh ids and times, every media URL
// moved to the fake X server (one distinct path per copy) so the connector downloads real
// bytes and embeds them as base64. Each configuration runs twice in one invocation: with
// CONNECTOR_UPLOAD_CONCURRENCY=8 (the default) and =1 (the reference's sequential model, the
// peer), optionally again behind a TCP proxy adding a storage round trip (latency_proxy.js).
// Figures are of the connector process only (/proc/PID/stat, /proc/PID/status); the uploaded
// bytes are summed from Azurite's own blob listing and cross-checked against /metrics.
//   node tests/bench/import_bench.js --bin build/twitter-connector [--tweets N] [--tasks T]
//     [--latency-ms MS] [--concurrency 8,1] [--seed S] [--deadline-s S] [--keep 1 (logs)]
'use strict';
const { spawn, execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const net = require('net');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '../..');
let tmp = null;
const children = new Set();
const opt = { bin: 'build/twitter-connector', tweets: 10000, tasks: 4, latencyMs: 10,
  concurrency: '8,1', seed: 20261204, deadlineS: 480, keep: 0 };
{
  const map = { '--bin': 'bin', '--tweets': 'tweets', '--tasks': 'tasks', '--latency-ms': 'latencyMs',
    '--concurrency': 'concurrency', '--seed': 'seed', '--deadline-s': 'deadlineS', '--keep': 'keep' };
  for (let i = 2; i < process.argv.length; i += 2) {
    const k = map[process.argv[i]];
    if (!k || i + 1 >= process.argv.length) die(`bad argument ${process.argv[i]} (see the header of ${__filename})`);
    opt[k] = k === 'bin' || k === 'concurrency' ? process.argv[i + 1] : Number(process.argv[i + 1]);
  }
  for (const k of ['tweets', 'tasks', 'latencyMs', 'seed', 'deadlineS', 'keep']) {
    if (!Number.isInteger(opt[k]) || opt[k] < 0) die(`--${k} must be a whole number, got ${opt[k]}`);
  }
  if (opt.tasks < 1 || opt.tweets < opt.tasks) die('need at least one task and one post per task');
  opt.bin = path.resolve(root, opt.bin);
  opt.concurrency = opt.concurrency.split(',').map(Number);
  if (opt.concurrency.some((c) => !Number.isInteger(c) || c < 1)) die('--concurrency: a list such as 8,1');
}

const TENANT = '7a1f3c52-0d4e-4b8a-9c61-5e2f8d0b9a17';
const API_SECRET = 'bench-api-secret-' + 'k3Jd9sPq';
const CONSUMER_KEY = 'bench-consumer-key';
const CONSUMER_SECRET = 'bench consumer secret';
const AAD_APP_ID = '0b8e3a0c-aaaa-bbbb-cccc-123456789abc';
const AAD_APP_SECRET = 'bench-aad-secret';
const ACCOUNT = { id: '4113725063', screen: 'twitter_testaccount', name: 'Contoso Media' };
const AZ_ACCOUNT = 'devstoreaccount1';
// Azurite's published development key (not a secret).
const AZ_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const AZ_VERSION = '2021-08-06';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-importbench-'));

function die(msg) {
  console.error('import_bench: ' + msg);
  cleanup();
  process.exit(1);
}
function cleanup() {
  for (const c of children) { try { c.kill('SIGKILL'); } catch (e) { /* already gone */ } }
  children.clear();
  if (tmp && opt.keep) console.error(`import_bench: logs kept in ${tmp}`);
  else if (tmp && fs.existsSync(tmp)) fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => die('interrupted'));
process.on('SIGTERM', () => die('terminated'));
setTimeout(() => die(`still running after ${opt.deadlineS} s (--deadline-s): stopped`), opt.deadlineS * 1000).unref();

// ---------------------------------------------------------------- processes
// Starts a process; its stdout+stderr go to LOG (a file). Resolves {proc, log, line} once a
// line matching re appears, rejects if it exits first or after timeoutMs.
function start(name, cmd, args, env, re, timeoutMs) {
  const log = path.join(tmp, name + '.log');
  const fd = fs.openSync(log, 'w');
  const proc = spawn(cmd, args, { env: Object.assign({}, process.env, env || {}), stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = () => {
      const text = fs.readFileSync(log, 'utf8');
      const m = re.exec(text);
      if (m) return resolve({ proc, log, match: m });
      if (proc.exitCode !== null || proc.signalCode !== null) return reject(new Error(`${name} exited: ${text.slice(-2000)}`));
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`${name} did not start within ${timeoutMs} ms: ${text.slice(-2000)}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}
function stop(proc, timeoutMs = 5000) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', () => { clearTimeout(t); resolve(); });
    proc.kill('SIGTERM');
  });
}
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}
// utime+stime in seconds, and the memory lines of /proc/PID/status in KiB.
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;  // fields 14 and 15 of proc(5)
}
function memKiB(pid, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// ---------------------------------------------------------------- HTTP
let ca;
function request(url, { method = 'GET', headers = {}, body = null, timeoutMs = 60000 } = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const data = body === null ? null : Buffer.from(body);
  const h = Object.assign({}, headers);
  if (data) h['content-length'] = data.length;
  return new Promise((resolve, reject) => {
    const req = mod.request({ method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: h,
      ca: u.protocol === 'https:' ? ca : undefined, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${u.origin}${u.pathname}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}
function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} (expected ${status}): ${res.body.slice(0, 500)}`);
  return res;
}

// ---------------------------------------------------------------- Azure Storage (Shared Key, SAS)
function hmac(stringToSign) {
  return crypto.createHmac('sha256', Buffer.from(AZ_KEY, 'base64')).update(stringToSign, 'utf8').digest('base64');
}
async function createContainer(port, name) {
  const date = new Date().toUTCString();
  const sts = `PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:${date}\nx-ms-version:${AZ_VERSION}\n/${AZ_ACCOUNT}/${AZ_ACCOUNT}/${name}\nrestype:container`;
  const res = await request(`https://127.0.0.1:${port}/${AZ_ACCOUNT}/${name}?restype=container`, {
    method: 'PUT', body: '', headers: { 'x-ms-date': date, 'x-ms-version': AZ_VERSION,
      authorization: `SharedKey ${AZ_ACCOUNT}:${hmac(sts)}` } });
  expect(res, 201, `create container ${name}`);
}
// Container SAS (the query part), as the platform hands one out: read, create, write, list.
function containerSas(name) {
  const se = new Date(Date.now() + 3 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const sts = `rcwl\n\n${se}\n/blob/${AZ_ACCOUNT}/${name}\n\n\nhttps\n${AZ_VERSION}\nc\n\n\n\n\n\n\n`;
  return `sv=${AZ_VERSION}&sr=c&sp=rcwl&se=${encodeURIComponent(se)}&spr=https&sig=${encodeURIComponent(hmac(sts))}`;
}
// Every blob of the container: [{name, size}], through the listing API (5,000 per page).
async function listBlobs(port, name) {
  const out = [];
  let marker = '';
  do {
    const res = expect(await request(`https://127.0.0.1:${port}/${AZ_ACCOUNT}/${name}?restype=container&comp=list` +
      `&maxresults=5000${marker ? '&marker=' + encodeURIComponent(marker) : ''}&${containerSas(name)}`), 200, 'list blobs');
    for (const m of res.body.matchAll(/<Blob>.*?<Name>([^<]*)<\/Name>.*?<Content-Length>(\d+)<\/Content-Length>.*?<\/Blob>/gs)) {
      out.push({ name: m[1], size: Number(m[2]) });
    }
    const nm = /<NextMarker>([^<]*)<\/NextMarker>/.exec(res.body);
    marker = nm ? nm[1] : '';
  } while (marker);
  return out;
}

// ---------------------------------------------------------------- the timeline
// mulberry32: a small seeded generator, so every run replicates the same timeline.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const TWEPOCH = 1288834974657n;
function v1Date(ms) {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const mons = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${mons[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:` +
    `${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
}
function loadFixtures() {
  const dir = path.resolve(root, '../shared/fixtures/twitter');
  const fx = dir;
  const seen = new Set();
  const tweets = [];
  for (const f of fs.readdirSync(fx).sort()) {
    if (!/^v1_.*timeline.*\.json$/.test(f) || f.endsWith('.meta.json')) continue;
    for (const t of JSON.parse(fs.readFileSync(path.join(fx, f), 'utf8').replace(/^\uFEFF/, ''))) {
      if (!seen.has(t.id_str)) { seen.add(t.id_str); tweets.push(t); }
    }
  }
  if (!tweets.length) die(`no v1.1 timeline fixtures in ${fx}`);
  return tweets;
}
// Copy `r` of a fixture post: every pbs/video.twimg.com URL moved to the fake X server with a
// per-copy path (so no two copies share a media download), the author set to the account.
function replicate(t, r, origin) {
  const moved = JSON.parse(JSON.stringify(t), (k, v) => {
    if (typeof v !== 'string') return v;
    const m = /^https?:\/\/(?:pbs|video)\.twimg\.com(\/[^?]*)(\?.*)?$/.exec(v);
    if (!m) return v;
    const p = m[1];
    const dot = p.lastIndexOf('.');
    const copy = dot > p.lastIndexOf('/') ? `${p.slice(0, dot)}-r${r}${p.slice(dot)}` : `${p}-r${r}`;
    return origin + copy + (m[2] || '');
  });
  moved.user = Object.assign({}, moved.user, { id: Number(ACCOUNT.id), id_str: ACCOUNT.id,
    screen_name: ACCOUNT.screen, name: ACCOUNT.name });
  return moved;
}
// N posts, newest at 2024-01-01T00:00:00Z, 20–120 s apart (seeded); returns them newest first
// with the task windows (oldest first) that split them into `tasks` equal parts.
function buildTimeline(origin) {
  const fixtures = loadFixtures();
  const next = rng(opt.seed);
  const newest = Date.UTC(2024, 0, 1);
  const out = [];
  let ms = newest;
  let media = 0;
  const mediaIds = new Set();
  for (let i = 0; i < opt.tweets; i++) {
    const src = fixtures[i % fixtures.length];
    const t = replicate(src, Math.floor(i / fixtures.length), origin);
    const id = ((BigInt(ms) - TWEPOCH) << 22n) + BigInt(i % 4096);
    t.id_str = id.toString();
    t.id = Number(id);
    t.created_at = v1Date(ms);
    if (((t.extended_entities || t.entities || {}).media || []).length) { media++; mediaIds.add(t.id_str); }
    out.push({ t, ms });
    ms -= (20 + Math.floor(next() * 100)) * 1000;
  }
  const chrono = out.slice().reverse();
  const per = Math.ceil(opt.tweets / opt.tasks);
  const windows = [];
  const iso = (x) => new Date(x).toISOString().replace(/\.\d+Z$/, 'Z');
  // A boundary lies in the middle of the gap between two posts (gaps are whole seconds ≥ 20 s).
  const boundary = (i) => Math.floor((chrono[i - 1].ms + chrono[i].ms) / 2000) * 1000;
  for (let k = 0; k * per < chrono.length; k++) {
    const part = chrono.slice(k * per, (k + 1) * per);
    windows.push({ start: iso(k === 0 ? part[0].ms - 60000 : boundary(k * per)),
      end: iso((k + 1) * per < chrono.length ? boundary((k + 1) * per) : part[part.length - 1].ms + 60000),
      ids: new Set(part.map((x) => x.t.id_str)) });
  }
  return { tweets: out.map((x) => x.t), windows, media, mediaIds };
}

// ---------------------------------------------------------------- one run
function basic() { return 'Basic ' + Buffer.from(`${TENANT}:${API_SECRET}`).toString('base64'); }

async function connectAccount(cbase, jobId, twitterOrigin) {
  const auth = { authorization: basic() };
  const redirect = `${cbase}/Views/TwitterOAuth`;
  const r1 = expect(await request(`${cbase}/api/ConnectorSetup/OAuthUrl?jobType=Twitter&jobId=${jobId}` +
    `&redirectUrl=${encodeURIComponent(redirect)}`, { headers: auth }), 200, 'OAuthUrl');
  const authUrl = JSON.parse(r1.body);
  const cookies = [].concat(r1.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');
  const cookie = cookies ? { cookie: cookies } : {};
  // The setup page's popup: /Views/TwitterOAuth?loginUrl=… redirects to X's authenticate page.
  const r2 = expect(await request(`${cbase}/Views/TwitterOAuth?loginUrl=${encodeURIComponent(authUrl)}`,
    { headers: cookie }), 302, 'login redirect');
  if (!r2.headers.location.startsWith(twitterOrigin + '/oauth/')) throw new Error(`login redirect to ${r2.headers.location}`);
  // The user authorises the app: the fake X answers the authenticate page with its callback.
  const r3 = expect(await request(r2.headers.location), 302, 'X authorize');
  const cb = new URL(r3.headers.location);
  const r4 = expect(await request(`${cbase}${cb.pathname}${cb.search}`, { headers: cookie }), 302, 'OAuth callback');
  if (!/status=connected/.test(r4.headers.location)) throw new Error(`setup did not connect: ${r4.headers.location}`);
  const r5 = expect(await request(`${cbase}/api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=${jobId}`,
    { headers: auth }), 200, 'GetEntities');
  const entity = JSON.parse(r5.body)[0];
  if (!entity || entity.Id !== ACCOUNT.id) throw new Error(`GetEntities: ${r5.body}`);
  expect(await request(`${cbase}/api/ConnectorSetup/SavePage?jobId=${jobId}&tenantId=${TENANT}`,
    { method: 'POST', headers: Object.assign({ 'content-type': 'application/json' }, auth),
      body: JSON.stringify({ Name: entity.Name, Id: entity.Id }) }), 200, 'SavePage');
  const r6 = expect(await request(`${cbase}/job/IsCreated?jobId=${jobId}`, { headers: auth }), 200, 'IsCreated');
  if (!JSON.parse(r6.body).IsJobCreated) throw new Error(`IsCreated: ${r6.body}`);
}

// Waits for the fake Event API's line for taskId; returns the parsed request record.
function waitCompletion(log, taskId, proc, timeoutMs) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let offset = 0;
    let rest = '';
    const poll = () => {
      const fd = fs.openSync(log, 'r');
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      fs.closeSync(fd);
      offset = size;
      const lines = (rest + buf.toString('utf8')).split('\n');
      rest = lines.pop();
      for (const line of lines) {
        if (!line.startsWith('REQUEST ')) continue;
        const rec = JSON.parse(line.slice(8));
        let body = null;
        try { body = JSON.parse(rec.body); } catch (e) { /* reported below */ }
        if (body && body.taskId === taskId && rec.status === 200) return resolve(Object.assign(rec, { parsed: body }));
        if (rec.status !== 200) return reject(new Error(`the Event API answered ${rec.status} to ${line.slice(0, 300)}`));
      }
      if (proc.exitCode !== null || proc.signalCode !== null) return reject(new Error('the connector exited during the import'));
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`no completion for task ${taskId} within ${timeoutMs} ms`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

// A fresh Azurite (in memory: the emulator's disk layer is not what is measured) for each run,
// so no run pays for the blobs of the one before; with latencyMs, the proxy in front of it.
async function startStorage(ctx, label, latencyMs) {
  const lifetime = String(opt.deadlineS + 60);
  const azMain = path.join(root, 'tests/node_modules/azurite/dist/src/blob/main.js');
  const azurite = await start(`azurite-${label}`, 'node', [azMain, '--blobHost', '127.0.0.1', '--blobPort', '0',
    '--inMemoryPersistence', '--cert', ctx.cert, '--key', ctx.key, '--disableTelemetry', '--skipApiVersionCheck',
    '--silent'], {}, /successfully listens on https:\/\/127\.0\.0\.1:(\d+)/, 90000);
  const st = { azurite, port: Number(azurite.match[1]), proxy: null };
  st.storagePort = st.port;
  if (latencyMs > 0) {
    st.proxy = await start(`latency-proxy-${label}`, 'node', [path.join(__dirname, 'latency_proxy.js'), '--target',
      String(st.port), '--delay-ms', String(latencyMs), '--max-lifetime', lifetime], {},
    /listening on 127\.0\.0\.1:(\d+)/, 20000);
    st.storagePort = Number(st.proxy.match[1]);
  }
  return st;
}

async function run(ctx, concurrency, latencyMs, index) {
  const label = `c${concurrency}-l${latencyMs}`;
  const storage = await startStorage(ctx, label, latencyMs);
  const storagePort = storage.storagePort;
  ctx.azuritePort = storage.port;
  ctx.azurite = storage.azurite;
  const dir = path.join(tmp, label);
  fs.mkdirSync(path.join(dir, 'aad-keys'), { recursive: true, mode: 0o700 });
  // --max-lifetime: copies of the two fakes without that option stop after a fixed 180 s,
  // shorter than one run here; for them, ctx.lift (a --require module) drops that timer.
  const lifetime = String(opt.deadlineS + 60);
  const aad = await start(`aad-${label}`, 'node', ['--require', ctx.lift, path.join(root, 'tests/support/fake_aad.js'), '--cert', ctx.cert,
    '--key', ctx.key, '--keys-dir', path.join(dir, 'aad-keys'), '--tenant', TENANT, '--client-id', AAD_APP_ID,
    '--client-secret', AAD_APP_SECRET, '--max-lifetime', lifetime], {}, /listening on 127\.0\.0\.1:(\d+)/, 20000);
  // One connector process per run asks the fresh fake AAD for one token (then cached): token 1.
  const ev = await start(`event-${label}`, 'node', ['--require', ctx.lift, path.join(root, 'tests/support/fake_event_api.js'), '--cert', ctx.cert,
    '--key', ctx.key, '--token', 'fake-access-token-1', '--max-lifetime', lifetime], {},
    /listening on 127\.0\.0\.1:(\d+)/, 20000);
  const env = { CONNECTOR_LISTEN: '127.0.0.1:0', CONNECTOR_DATA_DIR: path.join(dir, 'data'),
    CONNECTOR_TENANT_ID: TENANT, CONNECTOR_API_SECRET_KEY: API_SECRET, CONNECTOR_TWITTER_API_BASE: ctx.twitterOrigin,
    CONNECTOR_AAD_AUTHORITY: `https://127.0.0.1:${aad.match[1]}`, CONNECTOR_EVENT_API_BASE: `https://127.0.0.1:${ev.match[1]}/`,
    CONNECTOR_CA_FILE: ctx.caFile, CONNECTOR_UPLOAD_CONCURRENCY: String(concurrency), CONNECTOR_LOG_LEVEL: 'info',
    HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '' };
  const conn = await start(`connector-${label}`, opt.bin, ['serve'], env, /"msg":"listening".*"port":(\d+)/, 20000);
  const pid = conn.proc.pid;
  const cbase = `http://127.0.0.1:${conn.match[1]}`;
  const auth = { authorization: basic() };
  expect(await request(`${cbase}/api/Configuration`, { method: 'POST', headers: Object.assign({ 'content-type': 'application/json' }, auth),
    body: JSON.stringify({ TwitterApiKeyValue: CONSUMER_KEY, TwitterApiSecretKeyValue: CONSUMER_SECRET,
      TwitterAccessTokenValue: '', TwitterAccessTokenSecretValue: '', AADAppIdValue: AAD_APP_ID,
      AADAppSecretValue: AAD_APP_SECRET }) }), 200, 'POST /api/Configuration');
  const jobId = crypto.createHash('sha256').update(`job-${opt.seed}-${index}`).digest('hex').slice(0, 32);
  await connectAccount(cbase, jobId, ctx.twitterOrigin);
  const container = `bench-${label}-${index}`;
  await createContainer(ctx.azuritePort, container);
  const sasUri = `https://127.0.0.1:${storagePort}/${AZ_ACCOUNT}/${container}?${containerSas(container)}`;

  const az0 = cpuSeconds(ctx.azurite.proc.pid);
  const tw0 = cpuSeconds(ctx.twitter.proc.pid);
  const cpu0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  const items = [];
  for (let k = 0; k < ctx.windows.length; k++) {
    const w = ctx.windows[k];
    const taskId = crypto.createHash('sha256').update(`task-${opt.seed}-${index}-${k}`).digest('hex').slice(0, 32);
    expect(await request(`${cbase}/data/OnDownloadRequest`, { method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json' }, auth),
      body: JSON.stringify({ JobId: jobId, TaskId: taskId, StartTime: w.start, EndTime: w.end, DirtyEntities: null,
        BlobSasUri: sasUri }) }), 200, `OnDownloadRequest task ${k + 1}`);
    const done = await waitCompletion(ev.log, taskId, conn.proc, opt.deadlineS * 1000);
    if (done.parsed.status !== 0) {
      throw new Error(`task ${k + 1} reported status ${done.parsed.status} (0 = Success); connector log: ${conn.log}\n` +
        fs.readFileSync(conn.log, 'utf8').split('\n').filter((l) => /"level":"(warn|error)"/.test(l)).slice(-5).join('\n'));
    }
    items.push({ taskId, window: w, meta: done.parsed.itemMetadata });
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(pid) - cpu0;
  const azCpu = cpuSeconds(ctx.azurite.proc.pid) - az0;
  const twCpu = cpuSeconds(ctx.twitter.proc.pid) - tw0;
  const hwm = memKiB(pid, 'VmHWM');
  const metrics = (await request(`${cbase}/metrics`)).body;
  const metric = (name) => { const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)`, 'm').exec(metrics); return m ? Number(m[1]) : NaN; };

  // What Azurite holds: every post of every window exactly once, under {jobId}/{taskId}/.
  const blobs = await listBlobs(ctx.azuritePort, container);
  const bytes = blobs.reduce((s, b) => s + b.size, 0);
  const problems = [];
  let expected = 0;
  for (const it of items) {
    expected += it.window.ids.size;
    const prefix = `${jobId}/${it.taskId}/`;
    const names = new Set(blobs.filter((b) => b.name.startsWith(prefix)).map((b) => b.name.slice(prefix.length)));
    const want = [...it.window.ids].map((id) => `${id}.json`);
    const missing = want.filter((n) => !names.has(n)).length;
    if (missing) problems.push(`task ${it.taskId}: ${missing} of ${want.length} posts have no blob`);
    if (names.size !== want.length) problems.push(`task ${it.taskId}: ${names.size} blobs for ${want.length} posts`);
    if (it.meta.length !== want.length) problems.push(`task ${it.taskId}: itemMetadata lists ${it.meta.length} of ${want.length}`);
  }
  if (blobs.length !== expected) problems.push(`${blobs.length} blobs in the container, ${expected} expected`);
  // A sample of posts with media: each attachment's Content must carry the downloaded bytes.
  let sampled = 0;
  let embedded = 0;
  const last = items[items.length - 1];
  for (const id of [...last.window.ids].filter((i) => ctx.mediaIds.has(i)).slice(0, 5)) {
    const res = await request(`https://127.0.0.1:${ctx.azuritePort}/${AZ_ACCOUNT}/${container}/${jobId}/${last.taskId}/` +
      `${id}.json?${containerSas(container)}`);
    if (res.status !== 200) continue;
    const atts = JSON.parse(res.body).ContentAttachments || [];
    sampled++;
    if (atts.length && atts.every((a) => typeof a.Content === 'string' && a.Content.length > 0)) embedded++;
  }
  if (embedded !== sampled || !sampled) problems.push(`media embedded in ${embedded} of ${sampled} sampled items with media`);
  await stop(conn.proc);
  await stop(aad.proc);
  await stop(ev.proc);
  if (storage.proxy) await stop(storage.proxy.proc);
  await stop(storage.azurite.proc);
  const r = { concurrency, latencyMs, tweets: expected, wall, rate: expected / wall, cpuPer1k: cpu / expected * 1000,
    cpu, hwm, bytes, blobs: blobs.length, metricBytes: metric('connector_upload_bytes_total'), azCpu, twCpu, problems };
  console.log(`import concurrency=${concurrency} storage_latency=${latencyMs}ms tweets=${expected} tasks=${items.length} ` +
    `wall=${wall.toFixed(2)}s tweets/s=${r.rate.toFixed(0)} cpu=${cpu.toFixed(2)}s cpu/1k_tweets=${r.cpuPer1k.toFixed(3)}s ` +
    `peak_rss=${hwm}KiB uploaded=${bytes}B blobs=${blobs.length} metrics_upload_bytes=${r.metricBytes} ` +
    `media_sampled=${embedded}/${sampled} azurite_cpu=${azCpu.toFixed(2)}s fake_x_cpu=${twCpu.toFixed(2)}s`);
  for (const p of problems) console.log(`  PROBLEM: ${p}`);
  return r;
}

// ---------------------------------------------------------------- main
async function main() {
  if (!fs.existsSync(opt.bin)) die(`${opt.bin} is missing: run make first`);
  const azMain = path.join(root, 'tests/node_modules/azurite/dist/src/blob/main.js');
  if (!fs.existsSync(azMain)) die(`Azurite is not installed (${azMain} is missing): run \`npm ci --prefix tests\``);
  execFileSync('sh', [path.join(root, 'tests/support/make_test_pki.sh'), path.join(tmp, 'pki')], { stdio: 'ignore' });
  const ctx = { cert: path.join(tmp, 'pki/good.crt'), key: path.join(tmp, 'pki/good.key'), caFile: path.join(tmp, 'pki/ca.crt') };
  ca = fs.readFileSync(ctx.caFile);
  ctx.lift = path.join(tmp, 'lift_lifetime.js');
  fs.writeFileSync(ctx.lift, "'use strict';\nconst t = global.setTimeout;\n" +
    `global.setTimeout = (f, ms, ...a) => t(f, ms === 180000 ? ${(opt.deadlineS + 60) * 1000} : ms, ...a);\n`);
  const xPort = await freePort();
  ctx.twitterOrigin = `https://127.0.0.1:${xPort}`;
  const tl = buildTimeline(ctx.twitterOrigin);
  ctx.windows = tl.windows;
  ctx.mediaIds = tl.mediaIds;
  fs.writeFileSync(path.join(tmp, 'timeline.json'), JSON.stringify(tl.tweets));
  const lifetime = String(opt.deadlineS + 60);
  ctx.twitter = await start('fake-x', 'node', [path.join(root, 'tests/support/fake_twitter.js'), '--timeline',
    path.join(tmp, 'timeline.json'), '--port', String(xPort), '--cert', ctx.cert, '--key', ctx.key,
    '--consumer-key', CONSUMER_KEY, '--consumer-secret', CONSUMER_SECRET, '--user-id', ACCOUNT.id,
    '--screen-name', ACCOUNT.screen, '--rate-limit', '1000000', '--max-lifetime', lifetime], {},
  /listening on 127\.0\.0\.1:(\d+)/, 30000);
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`--- ${opt.tweets} posts (${tl.media} with photos/videos/GIFs, ${loadFixtures().length} fixture posts replicated, ` +
    `seed ${opt.seed}) in ${tl.windows.length} download tasks; ${os.cpus().length} cores, load average ${load}`);
  const results = [];
  const latencies = opt.latencyMs > 0 ? [0, opt.latencyMs] : [0];
  let index = 0;
  for (const lat of latencies) {
    const row = [];
    for (const c of opt.concurrency) row.push(await run(ctx, c, lat, index++));
    if (row.length >= 2) {
      const [a, b] = row;
      console.log(`ratio storage_latency=${lat}ms: concurrency ${a.concurrency} vs ${b.concurrency}: ` +
        `${(a.rate / b.rate).toFixed(2)}x tweets/s, ${(a.cpuPer1k / b.cpuPer1k).toFixed(2)}x CPU per tweet`);
    }
    results.push(...row);
  }
  const bad = results.some((r) => r.problems.length);
  cleanup();
  process.exit(bad ? 1 : 0);
}
if (require.main === module) main().catch((e) => die(e.stack || String(e)));
else module.exports = { buildTimeline, createContainer, containerSas, listBlobs, request, start, stop, cleanup,
  setCa: (c) => { ca = c; }, tmp: () => tmp };
