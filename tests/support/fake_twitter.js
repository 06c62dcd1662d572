#!/usr/bin/env node
// Fake X (Twitter) API for integration tests: replays the shared fixtures (or N synthetic
// tweets) with X's real paging semantics, verifies the OAuth 1.0a HMAC-SHA1 signature of every
// API request with its own RFC 5849 implementation, runs the three-legged OAuth flow, serves
// deterministic media bytes, and lets a test inject 429s, 503s and resets in the middle of a
// body through POST /__control. Built-in modules only. Listens on 127.0.0.1, port 0 by default,
// and prints "listening on 127.0.0.1:PORT". Exits on SIGTERM/SIGINT or after --max-lifetime s.
//
//   node fake_twitter.js [--cert FILE --key FILE] [--config FILE] [--consumer-key K]
//     [--consumer-secret S] [--token T --token-secret TS] [--user-id ID] [--screen-name NAME]
//     [--synthetic N] [--fixtures DIR] [--timeline FILE] [--port P] [--max-lifetime S]
//     [--timestamp-skew S] [--rate-limit N] [--callback-urls URL,URL] [--media-base URL|self]
//     [--media-self true] (= --media-base self)
//
// --config FILE: a JSON object with any option above in camelCase (consumerKey, consumerSecret,
// token, tokenSecret, userId, screenName, name, synthetic, timeline, rateLimit, ...).
// Without --timeline/--synthetic the timeline is every tweet of the shared v1.1 fixtures.
// --media-base: media (and profile image) URLs point there instead of pbs.twimg.com and
// video.twimg.com; "self" means this server (its own https://127.0.0.1:PORT), so a client that
// may reach 127.0.0.1 only can download every attachment.
// Control (no OAuth): POST /__control {"inject":[{"status":429,"reset_in":S,"match":"/2/users"},
// {"status":503},{"reset_mid_body":true}], "add_tweets":N|[tweets], "media_size":{"path","bytes"},
// "revoke_token":T, "clear_log":true, "deny_next_authorize":true,
// "delay":{"timeline_ms":N,"media_ms":N}}; GET /__control/state (ids newest first; "tweets":
// [{id, created_at (ISO), media: [urls]}] in the same order), /__control/log, /__control/counts
// ({"requests","timeline","media"} served so far: a cheap progress measure).
//
// Sign-in (3-legged): GET /oauth/authenticate|authorize?oauth_token=T answers the consent step
// at once with a 302 to the request token's callback, `?oauth_token=T&oauth_verifier=V` (the
// user approved) or, after "deny_next_authorize", `?denied=T` (the user cancelled; the request
// token is gone). With --callback-urls (the X app's approved list), request_token with any
// other oauth_callback is refused as X does: 403, XML error code 415.
//
// Media bytes of a path P (no query): byte[i] = (seed + i * 131 + (i >> 11)) & 0xff where seed
// is the first byte of SHA-256(P); default length 1024 + (second byte of the hash) * 16 bytes,
// overridable per path through the control endpoint. Media are served without OAuth, as
// pbs.twimg.com and video.twimg.com do.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');

// ---------------------------------------------------------------- options
function parseArgs(argv) {
  const o = {
    consumerKey: 'fake-consumer-key', consumerSecret: 'fake-consumer-secret',
    token: 'fake-access-token', tokenSecret: 'fake-access-secret',
    userId: '4113725063', screenName: 'twitter_testaccount', name: 'Contoso Media',
    port: 0, maxLifetime: 300, timestampSkew: 300, rateLimit: 900, synthetic: 0,
    fixtures: path.resolve(__dirname, '../../../shared/fixtures/twitter'),
  };
  const map = {
    '--cert': 'cert', '--key': 'key', '--config': 'config', '--consumer-key': 'consumerKey',
    '--consumer-secret': 'consumerSecret', '--token': 'token', '--token-secret': 'tokenSecret',
    '--user-id': 'userId', '--screen-name': 'screenName', '--synthetic': 'synthetic',
    '--fixtures': 'fixtures', '--timeline': 'timeline', '--port': 'port',
    '--max-lifetime': 'maxLifetime', '--timestamp-skew': 'timestampSkew', '--rate-limit': 'rateLimit',
    '--media-base': 'mediaBase',
    '--callback-urls': 'callbackUrls',
    '--media-self': 'mediaSelf',
  };
  for (let i = 2; i < argv.length; i++) {
    const k = map[argv[i]];
    if (!k || i + 1 >= argv.length) { console.error(`fake_twitter: bad argument ${argv[i]}`); process.exit(2); }
    o[k] = argv[++i];
  }
  if (o.config) Object.assign(o, JSON.parse(fs.readFileSync(o.config, 'utf8')));
  for (const k of ['port', 'maxLifetime', 'timestampSkew', 'rateLimit', 'synthetic']) o[k] = Number(o[k]);
  if (typeof o.callbackUrls === 'string') o.callbackUrls = o.callbackUrls.split(',').filter((u) => u);
  return o;
}
const opt = parseArgs(process.argv);
if (opt.mediaSelf === 'true' || opt.mediaSelf === true) opt.mediaBase = 'self';  // older spelling

// ---------------------------------------------------------------- RFC 5849 (server side)
// Percent-encoding of RFC 3986 §2.1 with the unreserved set only (RFC 5849 §3.6).
function enc(s) {
  return Buffer.from(String(s), 'utf8').toString('latin1').replace(/[^A-Za-z0-9\-._~]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}
function dec(s, plusIsSpace) {
  if (plusIsSpace) s = s.replace(/\+/g, ' ');
  return decodeURIComponent(s);
}
function parsePairs(s, plusIsSpace) {
  const out = [];
  if (!s) return out;
  for (const part of s.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push([dec(k, plusIsSpace), dec(v, plusIsSpace)]);
  }
  return out;
}
// Authorization: OAuth k="v", k2="v2" → {k: v}. Returns null when not an OAuth header.
function parseAuthHeader(h) {
  if (!h || !/^OAuth\s/i.test(h)) return null;
  const out = {};
  const re = /([A-Za-z0-9_\-.]+)\s*=\s*"([^"]*)"/g;
  let m;
  while ((m = re.exec(h.slice(6))) !== null) out[dec(m[1])] = dec(m[2]);
  return out;
}
function signatureBaseString(method, baseUri, params) {
  const pairs = params.map(([k, v]) => [enc(k), enc(v)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const norm = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  return `${method.toUpperCase()}&${enc(baseUri)}&${enc(norm)}`;
}
function hmacSha1(key, text) {
  return crypto.createHmac('sha1', key).update(text).digest('base64');
}

// ---------------------------------------------------------------- state
const state = {
  tweets: [],            // v1.1 tweet objects, newest first (BigInt-sorted by id_str)
  accessTokens: new Map([[opt.token, { secret: opt.tokenSecret, userId: opt.userId, screenName: opt.screenName }]]),
  requestTokens: new Map(), // token -> {secret, callback, verifier}
  nonces: new Map(),     // nonce|timestamp -> expiry ms
  faults: [],            // [{match, status, resetIn, resetMidBody, ...}]
  mediaSizes: new Map(),
  rate: new Map(),       // endpoint -> {remaining, reset}
  log: [],
  delay: { timeline_ms: 0, media_ms: 0 },
  counts: { requests: 0, timeline: 0, media: 0 },
  denyNextAuthorize: false,
};
// Where media URLs point (see --media-base); resolved once the port is known for "self".
let selfBase = null;
function mediaBase() { return opt.mediaBase === 'self' ? selfBase : opt.mediaBase; }
function rebaseMedia(t) {
  if (!opt.mediaBase) return t;
  return JSON.parse(JSON.stringify(t).replace(/https:\/\/(pbs|video)\.twimg\.com\//g, mediaBase() + '/'));
}
const user = {
  id: Number(opt.userId), id_str: String(opt.userId), name: opt.name, screen_name: opt.screenName,
  profile_image_url_https: 'https://pbs.twimg.com/profile_images/928570623042846720/WiUGM2ZJ_normal.jpg',
};

const TWEPOCH = 1288834974657n;
function snowflake(ms, seq) { return ((BigInt(ms) - TWEPOCH) << 22n) + BigInt(seq); }
function v1Date(ms) {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const mons = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${mons[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:` +
    `${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
}
function syntheticTweet(ms, seq, n) {
  const id = snowflake(ms, seq).toString();
  const text = `synthetic post ${n} &amp; more \u{1F440}`;
  const t = {
    created_at: v1Date(ms), id: Number(id), id_str: id, full_text: text,
    display_text_range: [0, [...text].length], truncated: false,
    entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
    in_reply_to_status_id_str: null, in_reply_to_user_id_str: null, is_quote_status: false,
    user, favorite_count: n % 7, retweet_count: 0,
  };
  if (n % 5 === 0) {
    const media = [{ id_str: String(snowflake(ms, seq + 1)), type: 'photo',
      media_url_https: `${mediaBase() || 'https://pbs.twimg.com'}/media/synthetic${n}.jpg` }];
    t.entities.media = media;
    t.extended_entities = { media };
  }
  return t;
}
function sortTweets() {
  state.tweets.sort((a, b) => (BigInt(b.id_str) > BigInt(a.id_str) ? 1 : BigInt(b.id_str) < BigInt(a.id_str) ? -1 : 0));
}
// N synthetic tweets one minute apart going back from `newestMs`: ids strictly decrease.
function addSynthetic(n, newestMs) {
  for (let i = 0; i < n; i++) state.tweets.push(syntheticTweet(newestMs - i * 60000, i % 4096, state.tweets.length + 1));
  sortTweets();
}
function loadFixtures() {
  const seen = new Set();
  for (const f of fs.readdirSync(opt.fixtures).sort()) {
    if (!/^v1_.*timeline.*\.json$/.test(f) || f.endsWith('.meta.json')) continue;
    for (const t of JSON.parse(fs.readFileSync(path.join(opt.fixtures, f), 'utf8'))) {
      if (seen.has(t.id_str)) continue;
      seen.add(t.id_str);
      state.tweets.push(rebaseMedia(t));
    }
  }
  sortTweets();
}
function loadTimeline() {
  if (opt.timeline) {
    state.tweets = JSON.parse(fs.readFileSync(opt.timeline, 'utf8').replace(/^\uFEFF/, '')).map(rebaseMedia);
    sortTweets();
  } else if (opt.synthetic > 0) {
    addSynthetic(opt.synthetic, Date.UTC(2024, 0, 1));
  } else {
    loadFixtures();
  }
}
// With --media-base self the URLs need the port: the timeline is made once listening.
if (opt.mediaBase !== 'self') loadTimeline();

// ---------------------------------------------------------------- responses
const BODY_V1_401 = '{"errors":[{"code":32,"message":"Could not authenticate you."}]}';
const BODY_V2_401 = '{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}';
const BODY_V1_429 = '{"errors":[{"message":"Rate limit exceeded","code":88}]}';
const BODY_V2_429 = '{"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"}';
const BODY_V1_404 = '{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}';
const BODY_VERIFIER_401 = 'Error processing your OAuth request: Invalid oauth_verifier parameter';

function send(res, status, body, type, extra) {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, Object.assign({ 'content-type': type || 'application/json;charset=utf-8',
    'content-length': buf.length }, extra || {}));
  res.end(buf);
}
function rateHeaders(endpoint) {
  const now = Math.floor(Date.now() / 1000);
  let r = state.rate.get(endpoint);
  if (!r || r.reset <= now) { r = { remaining: opt.rateLimit, reset: now + 900 }; state.rate.set(endpoint, r); }
  if (r.remaining > 0) r.remaining--;
  return { 'x-rate-limit-limit': String(opt.rateLimit), 'x-rate-limit-remaining': String(r.remaining),
    'x-rate-limit-reset': String(r.reset) };
}
function unauthorized(res, route, why) {
  state.log[state.log.length - 1].auth = 'rejected: ' + why;
  if (route.startsWith('/2/')) return send(res, 401, BODY_V2_401);
  return send(res, 401, BODY_V1_401, null, { 'www-authenticate': 'OAuth realm="https://api.twitter.com", api_error_code=32' });
}

// Verifies the request's OAuth 1.0a signature. kind: 'request_token' (no token, callback
// required), 'access_token' (request token + verifier) or 'resource' (access token).
function verifyOAuth(req, url, body, kind) {
  const p = parseAuthHeader(req.headers.authorization);
  if (!p) return { error: 'no OAuth Authorization header' };
  if (p.oauth_consumer_key !== opt.consumerKey) return { error: 'unknown consumer key' };
  if (p.oauth_signature_method !== 'HMAC-SHA1') return { error: 'signature method is not HMAC-SHA1' };
  if (p.oauth_version !== undefined && p.oauth_version !== '1.0') return { error: 'oauth_version is not 1.0' };
  if (!p.oauth_nonce || !p.oauth_timestamp || !p.oauth_signature) return { error: 'nonce, timestamp or signature missing' };
  const ts = Number(p.oauth_timestamp);
  if (!/^[0-9]+$/.test(p.oauth_timestamp) ||
      (opt.timestampSkew > 0 && Math.abs(ts - Date.now() / 1000) > opt.timestampSkew)) return { error: 'timestamp out of bounds' };
  let tokenSecret = '';
  let tokenInfo = null;
  if (kind === 'request_token') {
    if (p.oauth_token) return { error: 'request_token must not carry oauth_token' };
  } else if (kind === 'access_token') {
    tokenInfo = state.requestTokens.get(p.oauth_token);
    if (!tokenInfo) return { error: 'unknown request token' };
    tokenSecret = tokenInfo.secret;
  } else {
    tokenInfo = state.accessTokens.get(p.oauth_token);
    if (!tokenInfo) return { error: 'unknown or revoked access token' };
    tokenSecret = tokenInfo.secret;
  }
  const params = parsePairs(url.search.slice(1), true);
  for (const [k, v] of Object.entries(p)) if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
  const ctype = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  if (ctype === 'application/x-www-form-urlencoded' && body.length) params.push(...parsePairs(body.toString('utf8'), true));
  const scheme = req.socket.encrypted ? 'https' : 'http';
  const host = (req.headers.host || '').toLowerCase();
  const defPort = scheme === 'https' ? ':443' : ':80';
  const baseUri = `${scheme}://${host.endsWith(defPort) ? host.slice(0, -defPort.length) : host}${url.pathname}`;
  const base = signatureBaseString(req.method, baseUri, params);
  const expected = hmacSha1(`${enc(opt.consumerSecret)}&${enc(tokenSecret)}`, base);
  const want = Buffer.from(expected), got = Buffer.from(p.oauth_signature);
  if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) {
    return { error: `bad signature (base string ${base})` };
  }
  const nonceKey = `${p.oauth_nonce}|${p.oauth_timestamp}|${p.oauth_token || ''}`;
  if (state.nonces.has(nonceKey)) return { error: 'nonce reused' };
  state.nonces.set(nonceKey, Date.now() + 900000);
  return { params: p, tokenInfo };
}

// ---------------------------------------------------------------- timelines
function big(s) { return BigInt(s); }
function classic(t) {
  // Classic mode (no tweet_mode=extended): `text`, cut at 140 code points with "…".
  const c = Object.assign({}, t);
  const full = [...(t.full_text !== undefined ? t.full_text : t.text)];
  delete c.full_text; delete c.display_text_range;
  c.truncated = full.length > 140;
  c.text = c.truncated ? full.slice(0, 139).join('') + '\u2026' : full.join('');
  return c;
}
function extended(t) {
  if (t.full_text !== undefined) return t;
  const c = Object.assign({}, t);
  c.full_text = t.text;
  delete c.text;
  c.display_text_range = [0, [...t.text].length];
  return c;
}
function v1Timeline(url, res, route) {
  const q = url.searchParams;
  const count = q.has('count') ? Number(q.get('count')) : 20;
  if (!Number.isInteger(count) || count < 1) return send(res, 400, '{"errors":[{"code":44,"message":"count parameter is invalid."}]}');
  if ((q.has('user_id') && q.get('user_id') !== user.id_str) ||
      (q.has('screen_name') && q.get('screen_name').toLowerCase() !== user.screen_name.toLowerCase())) {
    return send(res, 404, BODY_V1_404, null, rateHeaders(route));
  }
  const maxId = q.has('max_id') ? big(q.get('max_id')) : null;
  const sinceId = q.has('since_id') ? big(q.get('since_id')) : null;
  const includeRts = !['0', 'false'].includes(q.get('include_rts') || '1');
  const ext = q.get('tweet_mode') === 'extended';
  const out = [];
  // count is applied before retweets are dropped (X's documented behaviour).
  let taken = 0;
  for (const t of state.tweets) {
    const id = big(t.id_str);
    if (maxId !== null && id > maxId) continue;      // max_id inclusive
    if (sinceId !== null && id <= sinceId) continue; // since_id exclusive
    if (taken++ >= Math.min(count, 200)) break;
    if (!includeRts && t.retweeted_status) continue;
    out.push(ext ? extended(t) : classic(t));
  }
  return send(res, 200, JSON.stringify(out), null, rateHeaders(route));
}

function iso(v1date) { return new Date(Date.parse(v1date.replace(/\+0000/, 'GMT'))).toISOString(); }
function v2Media(m, fields) {
  const key = `${m.type === 'photo' ? 3 : m.type === 'animated_gif' ? 16 : 7}_${m.id_str}`;
  const o = { media_key: key, type: m.type };
  if (m.type === 'photo') o.url = m.media_url_https;
  else o.preview_image_url = m.media_url_https;
  if (fields.has('variants') && m.video_info) {
    o.variants = m.video_info.variants.map((v) => {
      const x = { content_type: v.content_type, url: v.url };
      if (v.bitrate !== undefined) x.bit_rate = v.bitrate;
      return x;
    });
  }
  if (fields.has('duration_ms') && m.video_info && m.video_info.duration_millis) o.duration_ms = m.video_info.duration_millis;
  return o;
}
function v2Tweet(t, f) {
  const o = { id: t.id_str, text: t.full_text !== undefined ? t.full_text : t.text, edit_history_tweet_ids: [t.id_str] };
  const refs = [];
  if (t.retweeted_status) refs.push({ type: 'retweeted', id: t.retweeted_status.id_str });
  if (t.quoted_status_id_str) refs.push({ type: 'quoted', id: t.quoted_status_id_str });
  if (t.in_reply_to_status_id_str) refs.push({ type: 'replied_to', id: t.in_reply_to_status_id_str });
  const media = ((t.extended_entities || t.entities || {}).media || []);
  const all = {
    created_at: iso(t.created_at), author_id: t.user && t.user.id_str, conversation_id: t.id_str,
    in_reply_to_user_id: t.in_reply_to_user_id_str || undefined,
    referenced_tweets: refs.length ? refs : undefined,
    attachments: media.length ? { media_keys: media.map((m) => v2Media(m, new Set()).media_key) } : undefined,
    public_metrics: { retweet_count: t.retweet_count || 0, reply_count: 0, like_count: t.favorite_count || 0, quote_count: t.quote_count || 0 },
  };
  for (const [k, v] of Object.entries(all)) if (f.has(k) && v !== undefined) o[k] = v;
  return o;
}
function v2Includes(list, q) {
  const exp = new Set((q.get('expansions') || '').split(',').filter(Boolean));
  const tf = new Set((q.get('tweet.fields') || '').split(',').filter(Boolean));
  const mf = new Set((q.get('media.fields') || '').split(',').filter(Boolean));
  const users = new Map(), tweets = new Map(), media = new Map();
  const addUser = (u) => { if (u && !users.has(u.id_str)) users.set(u.id_str, { id: u.id_str, name: u.name, username: u.screen_name, profile_image_url: u.profile_image_url_https }); };
  const addMedia = (t) => { for (const m of ((t.extended_entities || t.entities || {}).media || [])) { const x = v2Media(m, mf); media.set(x.media_key, x); } };
  for (const t of list) {
    if (exp.has('author_id')) addUser(t.user);
    if (exp.has('attachments.media_keys')) addMedia(t);
    if (exp.has('referenced_tweets.id')) {
      for (const r of [t.retweeted_status, t.quoted_status]) {
        if (!r) continue;
        tweets.set(r.id_str, v2Tweet(r, tf));
        if (exp.has('referenced_tweets.id.author_id')) addUser(r.user);
        if (exp.has('referenced_tweets.id.attachments.media_keys')) addMedia(r);
      }
    }
  }
  const inc = {};
  if (users.size) inc.users = [...users.values()];
  if (tweets.size) inc.tweets = [...tweets.values()];
  if (media.size) inc.media = [...media.values()];
  return inc;
}
function v2Invalid(res, msg, name, value) {
  return send(res, 400, JSON.stringify({ errors: [{ parameters: { [name]: [value] }, message: msg }],
    title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request' }));
}
function v2Timeline(url, res, route, id) {
  const q = url.searchParams;
  if (id !== user.id_str) {
    return send(res, 200, JSON.stringify({ errors: [{ value: id, detail: `Could not find user with id: [${id}].`,
      title: 'Not Found Error', resource_type: 'user', parameter: 'id', resource_id: id,
      type: 'https://api.twitter.com/2/problems/resource-not-found' }] }), null, rateHeaders(route));
  }
  const max = q.has('max_results') ? Number(q.get('max_results')) : 10;
  if (!Number.isInteger(max) || max < 5 || max > 100) return v2Invalid(res, `The \`max_results\` query parameter value [${q.get('max_results')}] is not between 5 and 100`, 'max_results', q.get('max_results'));
  const sinceId = q.has('since_id') ? big(q.get('since_id')) : null;
  const untilId = q.has('until_id') ? big(q.get('until_id')) : null;
  const timeOk = (name) => !q.has(name) || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(q.get(name));
  if (!timeOk('start_time')) return v2Invalid(res, 'Invalid start_time', 'start_time', q.get('start_time'));
  if (!timeOk('end_time')) return v2Invalid(res, 'Invalid end_time', 'end_time', q.get('end_time'));
  // since_id takes precedence over start_time, until_id over end_time (twitter-api.md §5.2).
  const start = q.has('start_time') && sinceId === null ? Date.parse(q.get('start_time')) : null;
  const end = q.has('end_time') && untilId === null ? Date.parse(q.get('end_time')) : null;
  let below = null;
  if (q.has('pagination_token')) {
    const tok = Buffer.from(q.get('pagination_token'), 'base64url').toString('utf8');
    if (!/^below:\d+$/.test(tok)) return v2Invalid(res, 'Invalid pagination_token', 'pagination_token', q.get('pagination_token'));
    below = big(tok.slice(6));
  }
  const sel = [];
  for (const t of state.tweets) {
    const tid = big(t.id_str);
    if (below !== null && tid >= below) continue;
    if (sinceId !== null && tid <= sinceId) continue;
    if (untilId !== null && tid >= untilId) continue;
    const ms = Date.parse(iso(t.created_at));
    if (start !== null && ms < start) continue;
    if (end !== null && ms > end) continue;
    sel.push(t);
    if (sel.length > max) break;
  }
  const page = sel.slice(0, max);
  if (!page.length) return send(res, 200, '{"meta":{"result_count":0}}', null, rateHeaders(route));
  const tf = new Set((q.get('tweet.fields') || '').split(',').filter(Boolean));
  const body = { data: page.map((t) => v2Tweet(t, tf)) };
  const inc = v2Includes(page, q);
  if (Object.keys(inc).length) body.includes = inc;
  body.meta = { result_count: page.length, newest_id: page[0].id_str, oldest_id: page[page.length - 1].id_str };
  if (sel.length > max) body.meta.next_token = Buffer.from('below:' + page[page.length - 1].id_str).toString('base64url');
  if (below !== null) body.meta.previous_token = Buffer.from('above:' + page[0].id_str).toString('base64url');
  return send(res, 200, JSON.stringify(body), null, rateHeaders(route));
}

// ---------------------------------------------------------------- media
function mediaBytes(p, n) {
  const h = crypto.createHash('sha256').update(p).digest();
  const size = n !== undefined ? n : 1024 + h[1] * 16;
  const seed = h[0];
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = (seed + i * 131 + (i >> 11)) & 0xff;
  return buf;
}
const MEDIA_RE = /^\/(media|profile_images|ext_tw_video|ext_tw_video_thumb|amplify_video|amplify_video_thumb|tweet_video|tweet_video_thumb)\//;
// The bytes repeat every 2048 * 256 (i * 131 and i >> 11 both wrap mod 256 there), so one
// period per path is built once and large media (hundreds of MB) are streamed from it with
// the socket's back-pressure instead of being held whole.
const MEDIA_PERIOD = 2048 * 256;
const mediaPeriods = new Map();
function serveMedia(url, res) {
  const p = url.pathname;
  const h = crypto.createHash('sha256').update(p).digest();
  const size = state.mediaSizes.has(p) ? state.mediaSizes.get(p) : 1024 + h[1] * 16;
  if (!mediaPeriods.has(p)) {
    if (mediaPeriods.size > 64) mediaPeriods.clear();
    mediaPeriods.set(p, mediaBytes(p, MEDIA_PERIOD));
  }
  const period = mediaPeriods.get(p);
  const ext = path.extname(p).toLowerCase();
  const type = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.mp4': 'video/mp4' }[ext] || 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, 'content-length': size });
  let sent = 0;
  const pump = () => {
    while (sent < size) {
      const off = sent % MEDIA_PERIOD;
      const n = Math.min(MEDIA_PERIOD - off, size - sent, 65536);
      sent += n;
      if (!res.write(period.subarray(off, off + n))) { res.once('drain', pump); return; }
    }
    res.end();
  };
  pump();
}

// ---------------------------------------------------------------- control
function control(req, url, body, res) {
  if (req.method === 'GET' && url.pathname === '/__control/log') return send(res, 200, JSON.stringify(state.log));
  if (req.method === 'GET' && url.pathname === '/__control/counts') return send(res, 200, JSON.stringify(state.counts));
  if (req.method === 'GET' && url.pathname === '/__control/state') {
    const mediaOf = (t) => {
      const urls = [];
      for (const m of [...((t.entities || {}).media || []), ...((t.extended_entities || {}).media || [])]) {
        if (m.media_url_https && !urls.includes(m.media_url_https)) urls.push(m.media_url_https);
      }
      return urls;
    };
    return send(res, 200, JSON.stringify({ ids: state.tweets.map((t) => t.id_str), users: { id: user.id_str },
      tweets: state.tweets.map((t) => ({ id: t.id_str, created_at: iso(t.created_at), media: mediaOf(t) })) }));
  }
  if (req.method !== 'POST' || url.pathname !== '/__control') return send(res, 404, '{"error":"unknown control path"}');
  let c;
  try { c = JSON.parse(body.toString('utf8') || '{}'); } catch (e) { return send(res, 400, '{"error":"control body is not JSON"}'); }
  // inject: [{status: 429|503|..., reset_in: s, reset_mid_body: true, match: "/2/users"}]
  for (const f of c.inject || []) state.faults.push(f);
  if (typeof c.add_tweets === 'number') {
    const newest = state.tweets.length ? Date.parse(iso(state.tweets[0].created_at)) : Date.UTC(2024, 0, 1);
    const start = Math.max(newest + 60000 * c.add_tweets, Date.now() - 86400000);
    for (let i = 0; i < c.add_tweets; i++) state.tweets.push(syntheticTweet(start - i * 60000, 7 + (i % 4000), state.tweets.length + 1));
    sortTweets();
  } else if (Array.isArray(c.add_tweets)) {
    for (const t of c.add_tweets) state.tweets.push(rebaseMedia(t));
    sortTweets();
  }
  if (c.media_size) state.mediaSizes.set(c.media_size.path, Number(c.media_size.bytes));
  if (c.revoke_token) state.accessTokens.delete(c.revoke_token);
  if (c.clear_log) state.log = [];
  if (c.delay) Object.assign(state.delay, c.delay);
  if (c.deny_next_authorize !== undefined) state.denyNextAuthorize = !!c.deny_next_authorize;
  return send(res, 200, JSON.stringify({ ok: true, tweets: state.tweets.length, pending_faults: state.faults.length }));
}
// Kills a connection mid-response: a TCP RST on plain sockets; on TLS sockets (whose handle
// cannot be reset from JavaScript) the connection is dropped without close_notify.
function abort(socket) {
  if (!socket || socket.destroyed) return;
  try { socket.resetAndDestroy(); } catch (e) { socket.destroy(); }
}
function takeFault(route) {
  const i = state.faults.findIndex((f) => !f.match || route.startsWith(f.match));
  return i < 0 ? null : state.faults.splice(i, 1)[0];
}
// Applies an injected fault; returns true when the response was handled.
function applyFault(f, route, res, realBody) {
  if (f.reset_mid_body) {
    const body = Buffer.from(realBody());
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'content-length': body.length });
    res.write(body.subarray(0, Math.max(1, body.length >> 1)), () => setTimeout(() => abort(res.socket), 20));
    return true;
  }
  const status = f.status || 503;
  if (status === 429) {
    const reset = Math.floor(Date.now() / 1000) + (f.reset_in !== undefined ? f.reset_in : 900);
    const headers = f.no_reset_header ? {} : { 'x-rate-limit-limit': String(opt.rateLimit), 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) };
    send(res, 429, route.startsWith('/2/') ? BODY_V2_429 : BODY_V1_429, null, headers);
    return true;
  }
  send(res, status, f.body || `{"errors":[{"message":"Over capacity","code":130}]}`);
  return true;
}

// ---------------------------------------------------------------- routing
function handle(req, res, body) {
  const url = new URL(req.url, 'http://placeholder');
  const route = url.pathname;
  if (route.startsWith('/__control')) return control(req, url, body, res);
  // A scripted slow service (control "delay"): the request is handled after the wait.
  const isTimeline = /^\/2\/users\/[^/]+\/tweets$/.test(route) || route === '/1.1/statuses/user_timeline.json';
  const wait = req.method !== 'GET' ? 0 : MEDIA_RE.test(route) ? state.delay.media_ms : isTimeline ? state.delay.timeline_ms : 0;
  if (!req.counted) {
    req.counted = true;
    state.counts.requests++;
    if (req.method === 'GET' && MEDIA_RE.test(route)) state.counts.media++;
    if (isTimeline) state.counts.timeline++;
  }
  if (wait > 0 && !req.delayed) {
    req.delayed = true;
    return setTimeout(() => { if (!res.destroyed && !res.socket?.destroyed) handle(req, res, body); }, wait);
  }
  state.log.push({ method: req.method, path: req.url, auth: 'none' });
  if (state.log.length > 10000) state.log.shift();
  if (req.method === 'GET' && MEDIA_RE.test(route)) {
    const f = takeFault(route);
    if (f) return applyFault(f, route, res, () => mediaBytes(route, state.mediaSizes.get(route)));
    return serveMedia(url, res);
  }
  if (req.method === 'GET' && (route === '/oauth/authenticate' || route === '/oauth/authorize')) {
    const t = state.requestTokens.get(url.searchParams.get('oauth_token') || '');
    if (!t) return send(res, 401, 'Invalid request token.', 'text/html;charset=utf-8');
    if (state.denyNextAuthorize) {
      state.denyNextAuthorize = false;
      state.requestTokens.delete(url.searchParams.get('oauth_token'));
      const denied = t.callback + (t.callback.includes('?') ? '&' : '?') + `denied=${enc(url.searchParams.get('oauth_token'))}`;
      res.writeHead(302, { location: denied, 'content-length': 0 });
      return res.end();
    }
    t.verifier = crypto.randomBytes(16).toString('hex');
    const loc = t.callback + (t.callback.includes('?') ? '&' : '?') +
      `oauth_token=${enc(url.searchParams.get('oauth_token'))}&oauth_verifier=${enc(t.verifier)}`;
    res.writeHead(302, { location: loc, 'content-length': 0 });
    return res.end();
  }
  const kind = route === '/oauth/request_token' ? 'request_token' : route === '/oauth/access_token' ? 'access_token' : 'resource';
  let v;
  try { v = verifyOAuth(req, url, body, kind); } catch (e) { v = { error: 'malformed OAuth data: ' + e.message }; }
  if (v.error) {
    if (route === '/oauth/access_token' && v.error === 'unknown request token') {
      state.log[state.log.length - 1].auth = 'rejected: ' + v.error;
      return send(res, 401, 'Invalid request token.', 'text/html;charset=utf-8');
    }
    return unauthorized(res, route, v.error);
  }
  state.log[state.log.length - 1].auth = 'ok';
  const f = takeFault(route);
  if (f && !f.reset_mid_body) return applyFault(f, route, res);
  const respond = (status, text, type, headers) => {
    if (f) return applyFault(f, route, res, () => text);
    return send(res, status, text, type, headers);
  };
  if (req.method === 'POST' && route === '/oauth/request_token') {
    const cb = v.params.oauth_callback;
    if (!cb) return unauthorized(res, route, 'oauth_callback missing');
    if (Array.isArray(opt.callbackUrls) && opt.callbackUrls.length && !opt.callbackUrls.includes(cb)) {
      state.log[state.log.length - 1].auth = 'rejected: callback not approved';
      return send(res, 403, '<?xml version="1.0" encoding="UTF-8"?><errors><error code="415">Callback URL not approved for this client application. Approved callback URLs can be adjusted in your application settings</error></errors>', 'application/xml;charset=utf-8');
    }
    const token = crypto.randomBytes(12).toString('hex'), secret = crypto.randomBytes(20).toString('hex');
    state.requestTokens.set(token, { secret, callback: cb });
    return respond(200, `oauth_token=${token}&oauth_token_secret=${secret}&oauth_callback_confirmed=true`, 'text/html;charset=utf-8');
  }
  if (req.method === 'POST' && route === '/oauth/access_token') {
    const t = v.tokenInfo;
    const form = (req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded') ? parsePairs(body.toString('utf8'), true) : [];
    const verifier = v.params.oauth_verifier || url.searchParams.get('oauth_verifier') || (form.find(([k]) => k === 'oauth_verifier') || [])[1];
    if (!t.verifier || verifier !== t.verifier) return send(res, 401, BODY_VERIFIER_401, 'text/html;charset=utf-8');
    state.requestTokens.delete(v.params.oauth_token); // single use
    const token = `${user.id_str}-${crypto.randomBytes(16).toString('hex')}`, secret = crypto.randomBytes(20).toString('hex');
    state.accessTokens.set(token, { secret, userId: user.id_str, screenName: user.screen_name });
    return respond(200, `oauth_token=${token}&oauth_token_secret=${secret}&user_id=${user.id_str}&screen_name=${user.screen_name}&x_auth_expires=0`, 'text/html;charset=utf-8');
  }
  if (req.method === 'GET' && route === '/2/users/me') {
    return respond(200, JSON.stringify({ data: { id: user.id_str, name: user.name, username: user.screen_name } }), null, rateHeaders(route));
  }
  if (req.method === 'GET' && route === '/1.1/account/verify_credentials.json') {
    return respond(200, JSON.stringify(Object.assign({}, user, { protected: false, statuses_count: state.tweets.length })), null, rateHeaders(route));
  }
  if (req.method === 'GET' && route === '/1.1/statuses/user_timeline.json') {
    if (f) return applyFault(f, route, res, () => { const cap = { body: '' }; v1Timeline(url, fakeRes(cap), route); return cap.body; });
    return v1Timeline(url, res, route);
  }
  const m = /^\/2\/users\/([^/]+)\/tweets$/.exec(route);
  if (req.method === 'GET' && m) {
    if (f) return applyFault(f, route, res, () => { const cap = { body: '' }; v2Timeline(url, fakeRes(cap), route, m[1]); return cap.body; });
    return v2Timeline(url, res, route, m[1]);
  }
  if (route.startsWith('/2/')) return send(res, 404, '<!DOCTYPE html><html><body>Page not found</body></html>', 'text/html;charset=utf-8');
  return send(res, 404, BODY_V1_404);
}
// A stand-in response that captures a body, for cutting a real page in half.
function fakeRes(cap) {
  return { writeHead() {}, end(b) { cap.body = Buffer.isBuffer(b) ? b.toString('utf8') : String(b); } };
}

function onRequest(req, res) {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => { size += c.length; if (size <= 1 << 20) chunks.push(c); });
  req.on('end', () => {
    try { handle(req, res, Buffer.concat(chunks)); } catch (e) {
      console.error('fake_twitter: handler error', e);
      if (!res.headersSent) send(res, 500, '{"errors":[{"code":131,"message":"Internal error"}]}');
    }
  });
}

const server = opt.cert
  ? https.createServer({ cert: fs.readFileSync(opt.cert), key: fs.readFileSync(opt.key) }, onRequest)
  : http.createServer(onRequest);
server.keepAliveTimeout = 5000;
server.listen(opt.port, '127.0.0.1', () => {
  if (opt.mediaBase === 'self') {
    selfBase = `${opt.cert ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;
    loadTimeline();
  }
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
const stop = () => { server.close(); server.closeAllConnections(); setTimeout(() => process.exit(0), 200).unref(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (opt.maxLifetime > 0) setTimeout(() => { console.error('fake_twitter: max lifetime reached, exiting'); process.exit(0); }, opt.maxLifetime * 1000).unref();
// The lifetime timer is unref'd; the listening server keeps the process alive until stopped.
