#!/usr/bin/env node
// The admin pages in a real browser (Debian's chromium driven by playwright-core) against the
// real binary: headers, HEAD/ETag/304, the size limit, then the whole admin flow — configure,
// a wrong secret refused with a visible message, the setup page with the Twitter sign-in in a
// popup, the job created, an import, and the jobs page showing it. Every test fails on a
// console error, an uncaught page error, a failed request or a request that leaves 127.0.0.1.
// Screenshots of each page go to $BUILD/screenshots/. Started by tests/run.sh.
'use strict';
const assert = require('assert/strict');
const fs = require('fs');
const path = require('path');
const {root, build, startWorld, request, run, tempDir} = require('./harness');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const PAGE_ROUTES = ['/', '/Views/Configure', '/Configure', '/Views/NativeConnectorSetup', '/NativeConnectorSetup',
  '/preview/OnJobCreating', '/Views/TwitterOAuthDone', '/Views/Jobs', '/Jobs'];
const JOB_ID = 'b7d2c1e0-5f4a-4c3b-9e8d-7a6f5e4d3c2b';
const TASK_ID = 'task-browser-1';
const shots = path.join(build, 'screenshots');

function limitBytes() {  // core::limits::web::kMaxPagesBytes, read from the header
  const m = /kMaxPagesBytes = (\d+) \* 1024;/.exec(fs.readFileSync(path.join(root, 'src/core/limits.h'), 'utf8'));
  assert.ok(m, 'kMaxPagesBytes not found in src/core/limits.h');
  return Number(m[1]) * 1024;
}
async function until(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

// Problems seen by the browser since the last check; `allowed` lists console errors a test
// provokes on purpose (e.g. the 401 of a wrong secret).
function watch(context, world) {
  const w = {problems: [], requests: [], allowed: []};
  context.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (w.allowed.some((re) => re.test(text))) return;
    w.problems.push(`console error on ${m.location().url || '?'}: ${text}`);
  });
  context.on('weberror', (e) => w.problems.push(`uncaught error: ${e.error().message}`));
  context.on('requestfailed', (r) => w.problems.push(`request failed: ${r.method()} ${r.url()}: ${r.failure() && r.failure().errorText}`));
  context.on('request', (r) => w.requests.push(r.url()));
  // A failed test may leave problems and pages behind (a jobs page that keeps refreshing):
  // each test starts from none.
  w.reset = async () => {
    for (const p of context.pages()) await p.close();
    w.problems.length = 0;
    w.allowed = [];
  };
  w.check = () => {
    const p = w.problems.splice(0);
    w.allowed = [];
    assert.deepEqual(p, [], 'the browser reported problems');
  };
  return w;
}
async function shot(page, name) {
  fs.mkdirSync(shots, {recursive: true});
  await page.screenshot({path: path.join(shots, name + '.png'), fullPage: true});
}
async function visibleText(locator, re, timeout) {
  await locator.waitFor({state: 'visible', timeout: timeout || 10000});
  await until(`${re} in ${await locator.evaluate((e) => e.id || e.tagName)}`, async () => re.test(await locator.innerText()), timeout || 10000);
}
async function everyInputLabelled(page) {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input,button,select,textarea')]
    .filter((e) => e.offsetParent !== null)
    .filter((e) => e.tagName === 'BUTTON' ? !e.textContent.trim() : !(e.labels && e.labels.length))
    .map((e) => e.id || e.outerHTML));
  assert.deepEqual(unlabelled, [], 'controls without a label');
}
// Reaches an element with the Tab key alone (keyboard access), then types into it.
async function tabTo(page, id, maxTabs) {
  for (let i = 0; i < (maxTabs || 15); i++) {
    if (await page.evaluate((x) => document.activeElement && document.activeElement.id === x, id)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`#${id} cannot be reached with the Tab key`);
}

// Opens the setup page the way the platform does (a window opened by another page, so it may
// close itself) and gets past the APISecretKey step. Returns {opener, page}.
async function openSetup(context, w, world, jobId) {
  const opener = await context.newPage();
  await opener.goto(w.base + '/');
  const url = `/Views/NativeConnectorSetup?jobId=${jobId}&tenantId=${world.tenantId}`;
  const [page] = await Promise.all([context.waitForEvent('page'), opener.evaluate((u) => { window.open(u, 'setup'); }, url)]);
  await page.waitForLoadState();
  await visibleText(page.locator('#ctx-job'), new RegExp(jobId));
  await everyInputLabelled(page);
  await page.getByLabel('APISecretKey').fill(world.secret);
  await page.getByRole('button', {name: 'Continue'}).click();
  await page.getByRole('button', {name: 'Login with Twitter'}).waitFor({state: 'visible'});
  return {opener, page};
}
// Clicks Login with Twitter and waits for the popup to be gone.
async function loginPopup(page) {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', {name: 'Login with Twitter'}).click()]);
  if (!popup.isClosed()) await popup.waitForEvent('close', {timeout: 30000});
  return popup;
}

const tests = [
  ['EveryPageHasStrictSecurityHeaders', async ({world}) => {
    for (const p of PAGE_ROUTES) {
      const r = await request(world.base + p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8', p);
      const csp = r.headers['content-security-policy'] || '';
      assert.match(csp, /default-src 'self'/, p);
      assert.match(csp, /frame-ancestors 'none'/, p);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, p);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', p);
      assert.equal(r.headers['x-frame-options'], 'DENY', p);
      assert.equal(r.headers['cache-control'], 'no-cache', p);
      assert.match(r.headers.etag || '', /^"[0-9a-f]{32}"$/, p);
      assert.equal(r.headers['set-cookie'], undefined, p);
    }
    // The pages are public; the data behind them is not.
    assert.equal((await request(world.base + '/api/Configuration')).status, 401);
  }],
  ['HeadETagAnd304', async ({world}) => {
    const get = await request(world.base + '/Views/Configure');
    const head = await request(world.base + '/Views/Configure', {method: 'HEAD'});
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
    assert.equal(head.headers.etag, get.headers.etag);
    const again = await request(world.base + '/Views/Configure', {headers: {'If-None-Match': get.headers.etag}});
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, get.headers.etag);
    assert.ok(again.headers['content-security-policy']);
    const link = /href="(\/assets\/style\.css\?v=([0-9a-f]{12}))"/.exec(get.body);
    assert.ok(link, 'the page links its stylesheet with a fingerprint');
    const css = await request(world.base + link[1]);
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(css.headers.etag.slice(1, 13), link[2]);
    const css304 = await request(world.base + link[1], {headers: {'If-None-Match': 'W/' + css.headers.etag}});
    assert.equal(css304.status, 304);
    assert.equal((await request(world.base + '/', {method: 'POST'})).status, 405);
  }],
  ['AllPagesTogetherFitTheSizeLimit', async ({world}) => {
    const seen = new Map();
    for (const p of PAGE_ROUTES) {
      const r = await request(world.base + p);
      seen.set(r.headers.etag, Buffer.byteLength(r.body));
      for (const m of r.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
        const a = await request(world.base + m[1]);
        assert.equal(a.status, 200, m[1]);
        seen.set(a.headers.etag, Buffer.byteLength(a.body));
      }
    }
    const total = [...seen.values()].reduce((a, b) => a + b, 0);
    assert.ok(total <= limitBytes(), `pages and assets weigh ${total} bytes, over ${limitBytes()}`);
    assert.ok(seen.size >= 8, 'every page and asset was counted');
  }],
  ['HomePageSaysWhatTheServiceIs', async ({context, w}) => {
    const page = await context.newPage();
    await page.goto(w.base + '/');
    await visibleText(page.locator('h1'), /up and running/);
    const version = fs.readFileSync(path.join(root, 'VERSION'), 'utf8').trim();
    assert.equal(await page.locator('#version').innerText(), version);
    assert.equal(await page.locator('main a[href="/Views/Configure"]').count(), 1);
    assert.equal(await page.locator('main a[href="/Views/Jobs"]').count(), 1);
    await shot(page, 'home');
    await page.close();
    w.check();
  }],
  ['ConfigureRefusesAWrongSecretVisibly', async ({context, w, world}) => {
    const page = await context.newPage();
    await page.goto(w.base + '/Views/Configure');
    await page.locator('#signin').waitFor({state: 'visible'});
    await everyInputLabelled(page);
    w.allowed = [/status of 401/];  // the refused /setup/Validate, which the page explains
    await tabTo(page, 'tenant');
    await page.keyboard.type(world.tenantId);
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-the-secret');
    await page.keyboard.press('Enter');
    await visibleText(page.locator('#signin-msg'), /Wrong tenant ID or APISecretKey/);
    assert.equal(await page.locator('#settings').isVisible(), false);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused secret is not kept');
    await shot(page, 'configure-wrong-secret');
    await page.close();
    w.check();
  }],
  ['SetupPageSaysWhichStepToFixBeforeTwitterIsConfigured', async ({context, w, world}) => {
    const {opener, page} = await openSetup(context, w, world, 'job-before-configure');
    w.allowed = [/status of 409/];  // OAuthUrl refuses: the Twitter app settings are missing
    await loginPopup(page);
    await visibleText(page.locator('#login-msg'), /Login with Twitter cannot start\. The Twitter app is not configured: .*Configure page/);
    await shot(page, 'setup-not-configured');
    await page.close();
    await opener.close();
    w.check();
  }],
  ['ConfigureSavesTheSixSettings', async ({context, w, world}) => {
    const page = await context.newPage();
    await page.goto(w.base + '/Configure');
    await page.getByLabel('Tenant ID').fill(world.tenantId);
    await page.getByLabel('APISecretKey').fill(world.secret);
    await page.getByRole('button', {name: 'Sign in'}).click();
    await page.locator('#settings').waitFor({state: 'visible'});
    await visibleText(page.locator('#s-TwitterApiKey'), /^Not set$/);
    await everyInputLabelled(page);
    const values = {TwitterApiKey: world.twitter.consumerKey, TwitterApiSecretKey: world.twitter.consumerSecret,
      TwitterAccessToken: world.twitter.token, TwitterAccessTokenSecret: world.twitter.tokenSecret,
      AADAppId: world.aadClientId, AADAppSecret: world.aadClientSecret};
    const labels = {TwitterApiKey: 'Twitter API key', TwitterApiSecretKey: 'Twitter API secret key',
      TwitterAccessToken: 'Twitter access token', TwitterAccessTokenSecret: 'Twitter access token secret',
      AADAppId: 'AAD application ID', AADAppSecret: 'AAD application secret'};
    for (const k of Object.keys(values)) await page.getByLabel(labels[k], {exact: true}).fill(values[k]);
    await page.getByRole('button', {name: 'Save'}).click();
    await visibleText(page.locator('#save-msg'), /^Saved: 6 settings changed\.$/);
    for (const k of Object.keys(values)) {
      await visibleText(page.locator('#s-' + k), /^Set/);
      assert.equal(await page.locator('#f-' + k).inputValue(), '', 'typed values are cleared');
    }
    const html = await page.content();
    for (const k of ['TwitterApiSecretKey', 'TwitterAccessTokenSecret', 'AADAppSecret'])
      assert.ok(!html.includes(values[k]), `the page does not hold ${k}`);
    await shot(page, 'configure');
    // An empty form saves nothing and says so; an empty field keeps its value.
    await page.getByRole('button', {name: 'Save'}).click();
    await visibleText(page.locator('#save-msg'), /Nothing to save/);
    // A save the service refuses (a value over its 4096-byte limit) says why; nothing changes.
    w.allowed = [/status of 413/];
    await page.getByLabel('Twitter API key', {exact: true}).fill('k'.repeat(5000));
    await page.getByRole('button', {name: 'Save'}).click();
    await visibleText(page.locator('#save-msg'), /^The settings were not saved: TwitterApiKeyValue is longer than 4096 bytes/);
    await page.getByLabel('Twitter API key', {exact: true}).fill('');
    const r = await world.api('GET', '/api/Configuration');
    const conf = JSON.parse(r.body);
    for (const k of Object.keys(values)) assert.equal(conf[k + 'Set'], true, k);
    assert.equal(conf.TwitterApiKeyValue, null);
    // Nothing about the admin is kept outside this tab: no cookie at all.
    assert.deepEqual(await context.cookies(), []);
    await page.close();
    w.check();
  }],
  ['SetupPageTellsACancelledSignIn', async ({context, w, world}) => {
    const {opener, page} = await openSetup(context, w, world, 'job-cancelled');
    const r = await request(`http://127.0.0.1:${world.fakeTwitter.port}/__control`, {method: 'POST',
      body: JSON.stringify({deny_next_authorize: true}), headers: {'Content-Type': 'application/json'}});
    assert.equal(r.status, 200, r.body);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', {name: 'Login with Twitter'}).click()]);
    // A cancelled sign-in stays on screen with what to do; the admin closes the window.
    await popup.waitForURL(/\/Views\/TwitterOAuthDone\?status=denied/);
    await visibleText(popup.locator('#result'), /cancelled on Twitter/);
    await shot(popup, 'oauth-denied');
    await popup.close();
    await visibleText(page.locator('#login-msg'), /^The sign-in was cancelled on Twitter\. Press Login with Twitter to try again\.$/);
    assert.equal(await page.locator('#step-done').isVisible(), false);
    await page.close();
    await opener.close();
    w.check();
  }],
  ['SetupPageConnectsTheAccountThroughThePopup', async ({context, w, world}) => {
    const {opener, page} = await openSetup(context, w, world, JOB_ID);
    await shot(page, 'setup-login');
    await loginPopup(page);
    // The popup went to X (the fake, on 127.0.0.1), came back to /Views/TwitterOAuth, ended on
    // /Views/TwitterOAuthDone?status=connected and closed itself.
    await visibleText(page.locator('#account'), /^Connected account: @twitter_testaccount$/, 20000)
      .catch(async (e) => { throw new Error(`${e.message}; the page says: ${await page.locator('main').innerText()}`); });
    await visibleText(page.locator('#result'), /^Twitter Connector Job Successfully set up\.$/, 20000);
    await shot(page, 'setup');
    const created = await world.api('GET', `/job/IsCreated?jobId=${JOB_ID}`);
    assert.equal(created.status, 200, created.body);
    assert.equal(JSON.parse(created.body).IsJobCreated, true, created.body);
    const visited = w.requests.map((u) => new URL(u).pathname);
    for (const p of ['/Views/TwitterOAuth', '/oauth/authenticate', '/Views/TwitterOAuthDone'])
      assert.ok(visited.includes(p), `the popup went through ${p}`);
    const [deleted] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/ConnectorSetup/DeleteToken')),
      page.waitForEvent('close'),
      page.getByRole('button', {name: 'Continue'}).click()]);
    assert.equal(deleted.status(), 200);
    await opener.close();
    w.check();
  }],
  ['OAuthDonePageExplainsEachResult', async ({context, w}) => {
    const page = await context.newPage();
    const expect = {denied: /cancelled on Twitter/, expired: /expired or was started in another browser/,
      failed: /Twitter API key and secret key on the Configure page/, bogus: /unknown result/};
    for (const [status, re] of Object.entries(expect)) {
      await page.goto(`${w.base}/Views/TwitterOAuthDone?status=${status}`);
      await visibleText(page.locator('#result'), re);
      if (status === 'failed') await shot(page, 'oauth-done');
    }
    // A name from the query is text, never markup.
    await page.goto(`${w.base}/Views/TwitterOAuthDone?status=denied&account=${encodeURIComponent('<img src=x>')}`);
    assert.equal(await page.locator('img').count(), 0);
    await page.close();
    w.check();
  }],
  ['JobsPageShowsTheImportAndRefreshesItself', async ({context, w, world}) => {
    const page = await context.newPage();
    await page.setViewportSize({width: 1100, height: 700});
    await page.goto(w.base + '/Views/Jobs');
    await page.getByLabel('Tenant ID').fill(world.tenantId);
    await page.getByLabel('APISecretKey').fill(world.secret);
    await page.getByRole('button', {name: 'Sign in'}).click();
    const row = page.locator('#jobs-body tr', {hasText: '@twitter_testaccount'});
    await row.waitFor({state: 'visible', timeout: 15000});
    assert.match(await row.innerText(), /No task yet/);
    const seconds = Number(await page.locator('#jobs').getAttribute('data-refresh-seconds'));
    assert.ok(seconds > 0 && seconds <= 30, `refresh every ${seconds} s`);
    // An import, as the platform asks for one: the posts of 2024-01-01 into an Azurite container.
    const azurite = await world.azurite;
    await world.createContainer('browser');
    const task = await world.api('POST', '/data/OnDownloadRequest', {JobId: JOB_ID, TaskId: TASK_ID,
      StartTime: '2023-12-31T00:00:00Z', EndTime: '2024-01-02T00:00:00Z', DirtyEntities: null,
      BlobSasUri: world.containerSas(azurite, 'browser')});
    assert.equal(task.status, 200, task.body);
    const job = await until('the import to finish (GET /api/Jobs)', async () => {
      const r = await world.api('GET', '/api/Jobs');
      const j = r.status === 200 && JSON.parse(r.body).Jobs.find((x) => x.JobId === JOB_ID);
      return j && j.LastResult ? j : null;
    }, 90000);
    assert.equal(job.LastResult, 'Success', JSON.stringify(job));
    assert.equal(job.ItemsImported, 4, JSON.stringify(job));
    // The page shows it by itself (no reload, no click) within one refresh period.
    await until('the jobs page to show the import', async () => /Success/.test(await row.innerText()), (seconds + 5) * 1000);
    const text = await row.innerText();
    assert.match(text, /2023-12-31 00:00:00 UTC to 2024-01-02 00:00:00 UTC/);
    assert.match(text, new RegExp(`Task ${TASK_ID}`));
    assert.match(await row.locator('td[data-label="Items imported"]').innerText(), /^4$/);
    await shot(page, 'jobs');
    // On a phone: cards, nothing wider than the screen.
    await page.setViewportSize({width: 390, height: 844});
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone screen`);
    await shot(page, 'jobs-phone');
    await page.close();
    w.check();
  }],
  ['NoRequestLeftTheMachine', async ({w}) => {
    assert.ok(w.requests.length > 20, `only ${w.requests.length} requests were seen`);
    const away = w.requests.filter((u) => !/^(about:|data:)/.test(u) && new URL(u).hostname !== '127.0.0.1');
    assert.deepEqual(away, [], 'requests to other hosts');
    w.check();
  }],
];

async function before() {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`);
  let pw;
  try { pw = require(path.join(root, 'tests/node_modules/playwright-core')); } catch (e) {
    throw new Error('playwright-core is missing: run `npm ci --prefix tests` (make test does it)');
  }
  const world = await startWorld();
  const profile = tempDir('tc-chromium-');
  const context = await pw.chromium.launchPersistentContext(profile, {executablePath: CHROMIUM, headless: true,
    args: LAUNCH_ARGS, viewport: {width: 900, height: 700}});
  context.setDefaultTimeout(15000);
  const w = watch(context, world);
  w.base = world.base;
  return {world, context, w, profile};
}
async function after({world, context, profile}) {
  await context.close();
  fs.rmSync(profile, {recursive: true, force: true});
  world.cleanup();
}

run('AdminPagesBrowser', tests, {before, after, beforeEach: ({w}) => w.reset()}).then((failed) => process.exit(failed ? 1 : 0));
