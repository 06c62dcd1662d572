#!/usr/bin/env node
// Self-test of fake_twitter.js: starts it over plain HTTP and over HTTPS (with a throwaway CA made
// by openssl), signs every request with an OAuth 1.0a implementation written separately from the
// server's (checked first against the published vectors of twitter-api.md §2), and checks the
// paging semantics (v2 next_token, v1.1 count / inclusive max_id / exclusive since_id), the
// OAuth flow, error bodies, injected faults and media bytes. Prints "selftest: N passed, M failed"
// and exits non-zero on any failure. Run from anywhere: node tests/support/fake_twitter_selftest.js
'use strict';

const { spawn, execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const os = require('os');
const path = require('path');

const SERVER = path.join(__dirname, 'fake_twitter.js');
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/twitter');
const CK = 'selftest-consumer', CS = 'selftest consumer secret/+=';
const TK = 'selftest-token', TS = 'selftest token secret&more';

// ---------------------------------------------------------------- independent OAuth 1.0a signer
// Encoding through encodeURIComponent plus the five characters it leaves alone (RFC 3986 §2.3).
function pct(s) {
  return encodeURIComponent(String(s)).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
function sign({ method, url, consumerKey, consumerSecret, token, tokenSecret, nonce, timestamp, extra, form, version }) {
  const u = new URL(url);
  const oauth = {
    oauth_consumer_key: consumerKey, oauth_nonce: nonce || crypto.randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1', oauth_timestamp: String(timestamp || Math.floor(Date.now() / 1000)),
  };
  if (version !== false) oauth.oauth_version = '1.0';
  if (token) oauth.oauth_token = token;
  Object.assign(oauth, extra || {});
  const all = [];
  for (const [k, v] of u.searchParams) all.push([pct(k), pct(v)]);
  for (const k of Object.keys(oauth)) all.push([pct(k), pct(oauth[k])]);
  for (const [k, v] of form || []) all.push([pct(k), pct(v)]);
  all.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])) || Buffer.compare(Buffer.from(a[1]), Buffer.from(b[1])));
  const port = u.port && !((u.protocol === 'https:' && u.port === '443') || (u.protocol === 'http:' && u.port === '80')) ? ':' + u.port : '';
  const baseUri = `${u.protocol}//${u.hostname.toLowerCase()}${port}${u.pathname}`;
  const base = [method.toUpperCase(), pct(baseUri), pct(all.map((p) => p.join('=')).join('&'))].join('&');
  const key = pct(consumerSecret) + '&' + pct(tokenSecret || '');
  oauth.oauth_signature = crypto.createHmac('sha1', key).update(base).digest('base64');
  const header = 'OAuth ' + Object.keys(oauth).sort().map((k) => `${pct(k)}="${pct(oauth[k])}"`).join(', ');
  return { header, base, signature: oauth.oauth_signature };
}

// ---------------------------------------------------------------- harness
let passed = 0, failed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
function eq(a, b, what) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${what || 'value'}: expected ${sb}, got ${sa}`);
}
function ok(c, what) { if (!c) throw new Error(what || 'assertion failed'); }

function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER, '--max-lifetime', '120', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
    setTimeout(() => reject(new Error('server did not start')), 10000).unref();
  });
}

function request(srv, method, pathAndQuery, { auth = true, token = TK, tokenSecret = TS, extra, form, headers, nonce, timestamp, rawAuth, consumerSecret = CS } = {}) {
  const url = `${srv.scheme}://127.0.0.1:${srv.port}${pathAndQuery}`;
  const h = Object.assign({}, headers || {});
  let body = null;
  if (form) {
    body = form.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
    h['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (auth) h.authorization = rawAuth || sign({ method, url, consumerKey: CK, consumerSecret, token, tokenSecret, extra, form, nonce, timestamp }).header;
  return new Promise((resolve, reject) => {
    const lib = srv.scheme === 'https' ? https : http;
    const chunks = [];  // shared: a reset may surface on the request or on the response
    const req = lib.request(url, { method, headers: h, ca: srv.ca, agent: false }, (res) => {
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => reject(Object.assign(e, { partial: Buffer.concat(chunks) })));
      res.on('aborted', () => reject(Object.assign(new Error('aborted'), { partial: Buffer.concat(chunks) })));
    });
    req.on('error', (e) => reject(Object.assign(e, { partial: Buffer.concat(chunks) })));
    if (body) req.write(body);
    req.end();
  });
}
const json = (r) => JSON.parse(r.body.toString('utf8'));
const control = (srv, obj) => new Promise((resolve, reject) => {
    const lib = srv.scheme === 'https' ? https : http;
    const data = JSON.stringify(obj);
    const req = lib.request(`${srv.scheme}://127.0.0.1:${srv.port}/__control`, { method: 'POST', ca: srv.ca, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const c = [];
      res.on('data', (d) => c.push(d));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(c).toString())));
    });
    req.on('error', reject);
    req.end(data);
  });

function makeCerts(dir) {
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=fake twitter test CA']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  run(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '1', '-extfile', 'ext.cnf']);
  return { ca: fs.readFileSync(path.join(dir, 'ca.pem')), cert: path.join(dir, 'srv.pem'), key: path.join(dir, 'srv.key') };
}

function mediaExpected(p, n) {
  const h = crypto.createHash('sha256').update(p).digest();
  const size = n !== undefined ? n : 1024 + h[1] * 16;
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (h[0] + i * 131 + (i >> 11)) & 0xff;
  return b;
}

// ---------------------------------------------------------------- tests
async function main() {
  const common = ['--consumer-key', CK, '--consumer-secret', CS, '--token', TK, '--token-secret', TS];

  await test('signer reproduces the published X example (TV-1)', () => {
    const s = sign({ method: 'POST', url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
      consumerKey: 'xvz1evFS4wEEPTGEFPHBog', consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
      token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb', tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg', timestamp: 1318622958,
      form: [['status', 'Hello Ladies + Gentlemen, a signed OAuth request!']] });
    eq(s.signature, 'hCtSmYh+iHYCEqBWrE7C7hYmtUk=', 'TV-1 signature');
    ok(s.header.includes('oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"'), 'header encoding');
  });
  await test('signer reproduces OAuth Core 1.0 Appendix A (TV-4) and RFC 5849 §1.2 (TV-3)', () => {
    const a = sign({ method: 'GET', url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      consumerKey: 'dpf43f3p2l4k3l03', consumerSecret: 'kd94hf93k423kf44', token: 'nnch734d00sl2jdk',
      tokenSecret: 'pfkkdhi9sl3r4s00', nonce: 'kllo9940pd9333jh', timestamp: 1191242096 });
    eq(a.signature, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=', 'TV-4');
    const b = sign({ method: 'POST', url: 'https://photos.example.net/initiate', consumerKey: 'dpf43f3p2l4k3l03',
      consumerSecret: 'kd94hf93k423kf44', nonce: 'wIjqoS', timestamp: 137131200, version: false,
      extra: { oauth_callback: 'http://printer.example.com/ready' } });
    eq(b.signature, '74KNZJeDHnMBp0EMJ9ZHt/XKycU=', 'TV-3 step 1');
  });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-twitter-selftest-'));
  const servers = [];
  try {
    const certs = makeCerts(tmp);
    const fx = await startServer(common);
    servers.push(fx.child);
    const plain = { scheme: 'http', port: fx.port };
    const syn = await startServer([...common, '--synthetic', '450', '--cert', certs.cert, '--key', certs.key]);
    servers.push(syn.child);
    const tls = { scheme: 'https', port: syn.port, ca: certs.ca };

    await test('signed requests pass, over HTTP and HTTPS', async () => {
      const r = await request(plain, 'GET', '/2/users/me');
      eq(r.status, 200, 'status');
      eq(json(r).data.id, '4113725063', 'user id');
      ok(r.headers['x-rate-limit-limit'] && r.headers['x-rate-limit-remaining'] && r.headers['x-rate-limit-reset'], 'rate headers');
      const t = await request(tls, 'GET', '/1.1/account/verify_credentials.json?include_entities=false&skip_status=true');
      eq(t.status, 200, 'https status');
      eq(json(t).id_str, '4113725063', 'verify_credentials id_str');
    });

    await test('wrong signatures are refused with X\'s real 401 bodies', async () => {
      const v2 = fs.readFileSync(path.join(FIXTURES, 'error_v2_401_unauthorized.json'), 'utf8');
      const v1 = fs.readFileSync(path.join(FIXTURES, 'error_v1_401_could_not_authenticate.json'), 'utf8');
      const bad = await request(plain, 'GET', '/2/users/me', { consumerSecret: 'wrong' });
      eq(bad.status, 401, 'bad consumer secret');
      eq(bad.body.toString(), v2.trim(), 'v2 401 body');
      const badTok = await request(plain, 'GET', '/1.1/account/verify_credentials.json', { tokenSecret: 'wrong' });
      eq(badTok.status, 401, 'bad token secret');
      eq(badTok.body.toString(), v1.trim(), 'v1 401 body');
      eq((await request(plain, 'GET', '/2/users/me', { auth: false })).status, 401, 'no header');
      eq((await request(plain, 'GET', '/2/users/me', { token: 'unknown' })).status, 401, 'unknown token');
      eq((await request(plain, 'GET', '/2/users/me', { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status, 401, 'old timestamp');
      // A query parameter changed after signing breaks the signature.
      const url = `http://127.0.0.1:${plain.port}/2/users/4113725063/tweets?max_results=10`;
      const hdr = sign({ method: 'GET', url, consumerKey: CK, consumerSecret: CS, token: TK, tokenSecret: TS }).header;
      eq((await request(plain, 'GET', '/2/users/4113725063/tweets?max_results=11', { rawAuth: hdr })).status, 401, 'tampered query');
      const nonce = crypto.randomBytes(8).toString('hex');
      eq((await request(plain, 'GET', '/2/users/me', { nonce })).status, 200, 'first use of nonce');
      eq((await request(plain, 'GET', '/2/users/me', { nonce })).status, 401, 'replayed nonce');
    });

    await test('three-legged OAuth flow', async () => {
      const cb = 'https://connector.example/Views/TwitterOAuth?job=1';
      const rt = await request(plain, 'POST', '/oauth/request_token', { token: null, tokenSecret: '', extra: { oauth_callback: cb } });
      eq(rt.status, 200, 'request_token status');
      const f = new URLSearchParams(rt.body.toString());
      eq(f.get('oauth_callback_confirmed'), 'true', 'callback confirmed');
      const noCb = await request(plain, 'POST', '/oauth/request_token', { token: null, tokenSecret: '' });
      eq(noCb.status, 401, 'request_token without callback');
      const auth = await request(plain, 'GET', `/oauth/authenticate?oauth_token=${f.get('oauth_token')}`, { auth: false });
      eq(auth.status, 302, 'authenticate redirects');
      const loc = new URL(auth.headers.location);
      eq(loc.origin + loc.pathname, 'https://connector.example/Views/TwitterOAuth', 'callback');
      eq(loc.searchParams.get('job'), '1', 'callback query kept');
      eq(loc.searchParams.get('oauth_token'), f.get('oauth_token'), 'token echoed');
      const verifier = loc.searchParams.get('oauth_verifier');
      const wrong = await request(plain, 'POST', '/oauth/access_token', { token: f.get('oauth_token'), tokenSecret: f.get('oauth_token_secret'), extra: { oauth_verifier: 'nope' } });
      eq(wrong.status, 401, 'wrong verifier');
      eq(wrong.body.toString(), fs.readFileSync(path.join(FIXTURES, 'error_oauth_access_token_401_invalid_verifier.txt'), 'utf8').trim(), 'verifier 401 body');
      const badSig = await request(plain, 'POST', '/oauth/access_token', { token: f.get('oauth_token'), tokenSecret: 'not-the-request-secret', extra: { oauth_verifier: verifier } });
      eq(badSig.status, 401, 'access_token must be signed with the request token secret');
      const at = await request(plain, 'POST', '/oauth/access_token', { token: f.get('oauth_token'), tokenSecret: f.get('oauth_token_secret'), extra: { oauth_verifier: verifier } });
      eq(at.status, 200, 'access_token');
      const a = new URLSearchParams(at.body.toString());
      eq(a.get('user_id'), '4113725063', 'user_id');
      const me = await request(plain, 'GET', '/2/users/me', { token: a.get('oauth_token'), tokenSecret: a.get('oauth_token_secret') });
      eq(me.status, 200, 'new token works');
      const again = await request(plain, 'POST', '/oauth/access_token', { token: f.get('oauth_token'), tokenSecret: f.get('oauth_token_secret'), extra: { oauth_verifier: verifier } });
      eq(again.status, 401, 'request token is single use');
    });

    await test('three-legged OAuth flow: the user cancels', async () => {
      const cb = 'https://connector.example/Views/TwitterOAuth';
      const rt = await request(plain, 'POST', '/oauth/request_token', { token: null, tokenSecret: '', extra: { oauth_callback: cb } });
      eq(rt.status, 200, 'request_token status');
      const f = new URLSearchParams(rt.body.toString());
      await control(plain, { deny_next_authorize: true });
      const auth = await request(plain, 'GET', `/oauth/authenticate?oauth_token=${f.get('oauth_token')}`, { auth: false });
      eq(auth.status, 302, 'authenticate redirects');
      const loc = new URL(auth.headers.location);
      eq(loc.origin + loc.pathname, cb, 'back to the callback');
      eq(loc.searchParams.get('denied'), f.get('oauth_token'), 'denied carries the request token');
      eq(loc.searchParams.get('oauth_verifier'), null, 'no verifier when denied');
      const again = await request(plain, 'GET', `/oauth/authenticate?oauth_token=${f.get('oauth_token')}`, { auth: false });
      eq(again.status, 401, 'a cancelled request token is gone');
    });

    await test('v2 paging: next_token walks everything once; since_id is exclusive', async () => {
      const all = JSON.parse((await request(tls, 'GET', '/__control/state', { auth: false })).body).ids;
      eq(all.length, 450, 'synthetic size');
      for (let i = 1; i < all.length; i++) ok(BigInt(all[i]) < BigInt(all[i - 1]), 'ids strictly decrease');
      const walk = async (extraQuery) => {
        const got = [];
        let token = null, pages = 0;
        do {
          const q = `/2/users/4113725063/tweets?max_results=100${extraQuery}&tweet.fields=created_at,author_id,referenced_tweets,attachments&expansions=author_id,attachments.media_keys` +
            (token ? `&pagination_token=${encodeURIComponent(token)}` : '');
          const r = await request(tls, 'GET', q);
          eq(r.status, 200, 'page status');
          const b = json(r);
          pages++;
          for (const t of b.data || []) got.push(t.id);
          if (b.data) {
            eq(b.meta.result_count, b.data.length, 'result_count');
            eq(b.meta.newest_id, b.data[0].id, 'newest_id');
            ok(b.includes && b.includes.users, 'includes.users');
          }
          token = b.meta.next_token || null;
        } while (token && pages < 20);
        return { got, pages };
      };
      const w = await walk('');
      eq(w.got, all, 'every post once, newest first');
      eq(w.pages, 5, 'pages of 100');
      const s = await walk(`&since_id=${all[230]}`);
      eq(s.got, all.slice(0, 230), 'since_id exclusive');
      const bad = await request(tls, 'GET', '/2/users/4113725063/tweets?max_results=101');
      eq(bad.status, 400, 'max_results > 100');
      const gone = json(await request(tls, 'GET', '/2/users/1/tweets?max_results=10'));
      eq(gone.errors[0].title, 'Not Found Error', 'unknown user');
    });

    await test('v2 time window is inclusive and since_id wins over start_time', async () => {
      const all = JSON.parse((await request(tls, 'GET', '/__control/state', { auth: false })).body).ids;
      const page = async (q) => json(await request(tls, 'GET', `/2/users/4113725063/tweets?max_results=100&tweet.fields=created_at${q}`));
      const first = await page('');
      const t5 = first.data[5].created_at.replace('.000Z', 'Z'), t9 = first.data[9].created_at.replace('.000Z', 'Z');
      const w = await page(`&start_time=${t9}&end_time=${t5}`);
      eq(w.data.map((t) => t.id), all.slice(5, 10), 'inclusive window');
      const s = await page(`&since_id=${all[3]}&start_time=${t9}`);
      eq(s.data.map((t) => t.id), all.slice(0, 3), 'since_id takes precedence');
    });

    await test('v1.1 paging: count, inclusive max_id, exclusive since_id', async () => {
      const all = JSON.parse((await request(tls, 'GET', '/__control/state', { auth: false })).body).ids;
      const page = async (q) => json(await request(tls, 'GET', `/1.1/statuses/user_timeline.json?tweet_mode=extended&include_rts=1${q}`));
      const got = [];
      let maxId = null, pages = 0;
      for (;;) {
        const p = await page(`&count=200&since_id=${all[420]}` + (maxId !== null ? `&max_id=${maxId}` : ''));
        pages++;
        if (!p.length) break;
        for (const t of p) { got.push(t.id_str); ok(t.full_text !== undefined && t.text === undefined, 'extended mode'); }
        maxId = (BigInt(p[p.length - 1].id_str) - 1n).toString();
      }
      eq(got, all.slice(0, 420), 'max_id walk down to since_id');
      eq(pages, 4, 'three pages and the empty one');
      const incl = await page(`&count=2&max_id=${all[10]}`);
      eq(incl.map((t) => t.id_str), [all[10], all[11]], 'max_id inclusive');
      const classic = await request(tls, 'GET', '/1.1/statuses/user_timeline.json?count=1');
      ok(json(classic)[0].text !== undefined, 'classic mode has text');
      eq((await request(tls, 'GET', '/1.1/statuses/user_timeline.json?count=abc')).status, 400, 'bad count');
      eq((await request(tls, 'GET', '/1.1/statuses/user_timeline.json?user_id=12')).status, 404, 'other user');
    });

    await test('fixture timeline: real tweets with 64-bit ids, v2 view with media variants', async () => {
      const v1 = json(await request(plain, 'GET', '/1.1/statuses/user_timeline.json?count=200&tweet_mode=extended&max_id=1149868110373171201'));
      eq(v1[0].id_str, '1149868110373171201', 'count1 page1 tweet present and max_id inclusive');
      eq(v1[1].id_str, '1149867886946783232', 'next older tweet');
      const v2 = json(await request(plain, 'GET', '/2/users/4113725063/tweets?max_results=5&until_id=1590090589248393217&tweet.fields=attachments&expansions=attachments.media_keys&media.fields=variants,preview_image_url,type,url'));
      eq(v2.data[0].id, '1590090589248393216', 'cnn video tweet');
      const media = v2.includes.media.find((m) => m.media_key === v2.data[0].attachments.media_keys[0]);
      eq(media.type, 'video', 'media type');
      ok(media.variants.some((v) => v.bit_rate === 2176000), 'variants with bit_rate');
    });

    await test('injected 429 with reset headers, 503, and a reset in the middle of a body', async () => {
      await control(tls, { inject: [{ status: 429, reset_in: 7, match: '/2/users' }] });
      const r = await request(tls, 'GET', '/2/users/4113725063/tweets?max_results=5');
      eq(r.status, 429, '429');
      eq(r.headers['x-rate-limit-remaining'], '0', 'remaining 0');
      const reset = Number(r.headers['x-rate-limit-reset']);
      ok(Math.abs(reset - (Math.floor(Date.now() / 1000) + 7)) <= 2, 'reset about 7 s ahead');
      eq(json(r).title, 'Too Many Requests', 'v2 429 body');
      eq((await request(tls, 'GET', '/2/users/4113725063/tweets?max_results=5')).status, 200, 'next request served');
      await control(tls, { inject: [{ status: 429, reset_in: 3 }] });
      eq(json(await request(tls, 'GET', '/1.1/statuses/user_timeline.json?count=5')).errors[0].code, 88, 'v1 429 body');
      await control(tls, { inject: [{ status: 503 }] });
      eq((await request(tls, 'GET', '/2/users/me')).status, 503, '503');
      await control(tls, { inject: [{ reset_mid_body: true, match: '/1.1/statuses' }] });
      let threw = null;
      try { await request(tls, 'GET', '/1.1/statuses/user_timeline.json?count=200&tweet_mode=extended'); } catch (e) { threw = e; }
      ok(threw, 'the client must see the connection die');
      ok(threw.partial && threw.partial.length > 0, 'part of the body arrived first');
      await control(plain, { inject: [{ reset_mid_body: true, match: '/2/users' }] });
      let plainErr = null;
      try { await request(plain, 'GET', '/2/users/4113725063/tweets?max_results=100'); } catch (e) { plainErr = e; }
      ok(plainErr && plainErr.partial && plainErr.partial.length > 0, 'plain HTTP: reset after part of the body: ' + (plainErr && plainErr.message) + ' ' + (plainErr && plainErr.partial && plainErr.partial.length));
      eq((await request(tls, 'GET', '/2/users/me')).status, 200, 'server still serving');
      const log = JSON.parse((await request(tls, 'GET', '/__control/log', { auth: false })).body);
      ok(log.every((e) => e.auth === 'ok' || e.auth.startsWith('rejected') || e.path.startsWith('/media')), 'every request checked');
    });

    await test('new tweets added through the control endpoint appear newest first', async () => {
      const before = JSON.parse((await request(tls, 'GET', '/__control/state', { auth: false })).body).ids;
      await control(tls, { add_tweets: 3 });
      const after = JSON.parse((await request(tls, 'GET', '/__control/state', { auth: false })).body).ids;
      eq(after.length, before.length + 3, 'three more');
      ok(BigInt(after[2]) > BigInt(before[0]), 'added above the old newest');
      const p = json(await request(tls, 'GET', `/2/users/4113725063/tweets?max_results=10&since_id=${before[0]}`));
      eq(p.data.map((t) => t.id), after.slice(0, 3), 'since_id picks exactly the new ones');
    });

    await test('a JSON config sets the secrets; a revoked token is refused', async () => {
      const cfg = path.join(tmp, 'cfg.json');
      fs.writeFileSync(cfg, JSON.stringify({ consumerKey: CK, consumerSecret: CS, token: 'cfg-token', tokenSecret: 'cfg-secret', userId: '42', screenName: 'cfg' }));
      const s = await startServer(['--config', cfg]);
      servers.push(s.child);
      const srv = { scheme: 'http', port: s.port };
      const me = await request(srv, 'GET', '/2/users/me', { token: 'cfg-token', tokenSecret: 'cfg-secret' });
      eq(json(me).data, { id: '42', name: 'Contoso Media', username: 'cfg' }, 'users/me from config');
      eq((await request(srv, 'GET', '/2/users/me')).status, 401, 'command-line default token is not configured');
      await control(srv, { revoke_token: 'cfg-token' });
      eq((await request(srv, 'GET', '/2/users/me', { token: 'cfg-token', tokenSecret: 'cfg-secret' })).status, 401, 'revoked');
    });

    await test('media bytes are deterministic; large sizes on request', async () => {
      const p = '/media/D1hP7ksWkAIqMjZ.jpg';
      const r = await request(tls, 'GET', p + '?name=orig', { auth: false });
      eq(r.status, 200, 'media status');
      eq(r.headers['content-type'], 'image/jpeg', 'content type');
      ok(r.body.equals(mediaExpected(p)), 'bytes follow the documented formula');
      await control(tls, { media_size: { path: '/tweet_video/big.mp4', bytes: 3 * 1024 * 1024 + 5 } });
      const big = await request(tls, 'GET', '/tweet_video/big.mp4', { auth: false });
      eq(big.body.length, 3 * 1024 * 1024 + 5, 'large size');
      ok(big.body.equals(mediaExpected('/tweet_video/big.mp4', 3 * 1024 * 1024 + 5)), 'large bytes');
    });
  } finally {
    for (const c of servers) c.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`selftest: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

module.exports = { sign, pct };
if (require.main === module) {
  main().catch((e) => { console.log(`FAIL harness: ${e.stack || e}`); console.log(`selftest: ${passed} passed, ${failed + 1} failed`); process.exit(1); });
}
