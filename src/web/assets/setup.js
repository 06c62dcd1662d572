// The setup page the Microsoft 365 "Add connector" wizard opens (?jobId=…&tenantId=…):
// APISecretKey, then "Login with Twitter" in a popup (/Views/TwitterOAuth?loginUrl=…, which
// ends on /Views/TwitterOAuthDone), then the connected account and SavePage.
// Job context travels in the page and on the service, never in cookies set by script.
'use strict';
(function () {
  var $ = TC.$, creds = null, jobId = '', tenantId = '', oauth = null, popupTimer = 0;
  var POLL_MS = 500;

  function param(name) {  // ASP.NET binds query names case-insensitively
    var found = '';
    new URLSearchParams(location.search).forEach(function (v, k) {
      if (!found && k.toLowerCase() === name.toLowerCase()) found = v.trim();
    });
    return found;
  }
  function q(s) { return encodeURIComponent(s); }

  async function checkSecret(e) {
    e.preventDefault();
    var msg = $('secret-msg'), secret = $('secret').value;
    if (!secret) return TC.show(msg, 'Enter the APISecretKey.', 'error');
    $('secret').value = '';
    TC.show(msg, 'Checking…', 'info');
    var c = {tenantId: tenantId, secret: secret};
    var r = await TC.call('GET', '/setup/Validate', {creds: c});
    if (r.status !== 200 || !r.data || r.data.Status !== true)
      return TC.show(msg, r.message || 'The service did not accept the APISecretKey.', 'error');
    creds = c;
    TC.save(c);
    TC.show(msg, '', 'info');
    $('step-secret').hidden = true;
    $('step-login').hidden = false;
    TC.focusHeading('login-h');
  }

  async function login() {
    var msg = $('login-msg'), button = $('login');
    // Opened now, inside the click, so no pop-up blocker stops it; it gets its address below.
    var popup = window.open('', 'tc-twitter-login', 'popup,width=800,height=640');
    if (!popup) return TC.show(msg, 'The sign-in window was blocked. Allow pop-ups for this site, then press Login with Twitter again.', 'error');
    button.disabled = true;
    oauth = null;
    TC.show(msg, 'Waiting for the sign-in on Twitter…', 'info');
    var redirect = location.origin + '/Views/TwitterOAuth';
    var r = await TC.call('GET', '/api/ConnectorSetup/OAuthUrl?jobType=Twitter&jobId=' + q(jobId) +
      '&redirectUrl=' + q(redirect), {creds: creds, cookies: true});
    if (r.status !== 200 || typeof r.data !== 'string') {
      popup.close();
      button.disabled = false;
      if (r.status === 401) return backToSecret(r.message);
      return TC.show(msg, 'Login with Twitter cannot start. ' + r.message, 'error');
    }
    popup.location.href = '/Views/TwitterOAuth?loginUrl=' + q(r.data);
    clearInterval(popupTimer);
    popupTimer = setInterval(function () {
      if (!popup.closed) return;
      clearInterval(popupTimer);
      afterLogin();
    }, POLL_MS);
  }

  function backToSecret(message) {
    creds = null;
    TC.forget();
    $('step-login').hidden = true;
    $('step-done').hidden = true;
    $('step-secret').hidden = false;
    TC.show($('secret-msg'), message, 'error');
  }

  async function afterLogin() {
    var msg = $('login-msg'), button = $('login');
    if (oauth && oauth.status !== 'connected') {
      button.disabled = false;
      var why = {denied: 'The sign-in was cancelled on Twitter.',
        expired: 'The sign-in expired or was started in another browser.',
        failed: 'Twitter refused the sign-in or could not be reached: check the Twitter API key and secret key on the Configure page.'};
      return TC.show(msg, (why[oauth.status] || 'The sign-in did not finish.') + ' Press Login with Twitter to try again.', 'error');
    }
    TC.show(msg, 'Checking the connected account…', 'info');
    var r = await TC.call('GET', '/api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=' + q(jobId), {creds: creds, cookies: true});
    button.disabled = false;
    if (r.status === 401) return backToSecret(r.message);
    if (r.status !== 200 || !Array.isArray(r.data) || !r.data.length || !r.data[0].Name)
      return TC.show(msg, 'No Twitter account is connected yet. ' + (r.message || 'Press Login with Twitter and finish the sign-in on Twitter.'), 'error');
    var entity = r.data[0];
    TC.show(msg, '', 'info');
    $('step-done').hidden = false;
    $('account').textContent = 'Connected account: @' + entity.Name;
    var s = await TC.call('POST', '/api/ConnectorSetup/SavePage?jobId=' + q(jobId) + '&tenantId=' + q(tenantId),
      {creds: creds, cookies: true, body: {Name: entity.Name, Id: entity.Id}});
    if (s.status === 401) return backToSecret(s.message);
    var result = $('result');
    if (s.status === 200 && s.data === true) TC.show(result, 'Twitter Connector Job Successfully set up.', 'ok');
    else if (s.status === 200) TC.show(result, 'Twitter Connector Job Setup Failed: the account is connected but the job could not be registered. Press Login with Twitter to try again.', 'error');
    else TC.show(result, 'Twitter Connector Job Setup Failed. ' + s.message, 'error');
    TC.focusHeading('done-h');
  }

  async function finish() {
    $('continue').disabled = true;
    await TC.call('GET', '/api/ConnectorSetup/DeleteToken?jobType=Twitter&jobId=' + q(jobId), {creds: creds, cookies: true});
    window.close();
    // Still here: the window was not opened by script (e.g. typed in), so it cannot close itself.
    $('close-msg').hidden = false;
  }

  document.addEventListener('DOMContentLoaded', function () {
    jobId = param('jobId');
    tenantId = param('tenantId');
    if (!jobId || !tenantId) {
      TC.show($('ctx-msg'), 'This page needs the jobId and tenantId of the connector job in its address. Open it from the Microsoft 365 compliance center (Data connectors, Add connector, Twitter).', 'error');
      return;
    }
    $('ctx-job').textContent = jobId;
    $('ctx-tenant').textContent = tenantId;
    $('context').hidden = false;
    window.addEventListener('message', function (e) {
      if (e.origin !== location.origin || !e.data || e.data.type !== 'tc-twitter-oauth') return;
      oauth = {status: String(e.data.status || ''), account: String(e.data.account || '')};
    });
    $('secret-form').addEventListener('submit', checkSecret);
    $('login').addEventListener('click', login);
    $('continue').addEventListener('click', finish);
    var saved = TC.saved();
    if (saved && saved.tenantId === tenantId) {
      creds = saved;
      $('step-login').hidden = false;
    } else {
      $('step-secret').hidden = false;
    }
  });
})();
