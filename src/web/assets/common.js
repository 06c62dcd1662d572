// Shared by the admin pages: the admin's credentials (this tab's sessionStorage only, never a
// cookie or a URL), calls to the service's /api/… routes with HTTP Basic auth, messages that
// say what went wrong and what to do, and the sign-in form of the Configure and Jobs pages.
'use strict';
var TC = (function () {
  var KEY = 'tc.credentials';

  function basic(c) {
    var bytes = new TextEncoder().encode(c.tenantId + ':' + c.secret);
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return 'Basic ' + btoa(s);
  }
  function saved() {
    try {
      var c = JSON.parse(sessionStorage.getItem(KEY) || 'null');
      return c && c.tenantId && c.secret ? c : null;
    } catch (e) { return null; }
  }
  function save(c) { sessionStorage.setItem(KEY, JSON.stringify(c)); }
  function forget() { sessionStorage.removeItem(KEY); }

  // One call to the service. opt: {creds, body (JSON-encoded), cookies (send and keep the
  // service's cookies: only the setup flow needs them)}. Resolves (never rejects) with
  // {status (0 when the service could not be reached), data (parsed JSON or null), message}.
  // Credentials travel in the Authorization header only; with cookies off the browser is also
  // told not to prompt for a password when a 401 comes back.
  async function call(method, path, opt) {
    opt = opt || {};
    var headers = {'Accept': 'application/json'};
    if (opt.creds) headers['Authorization'] = basic(opt.creds);
    var init = {method: method, headers: headers, cache: 'no-store',
      credentials: opt.cookies ? 'same-origin' : 'omit'};
    if (opt.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opt.body);
    }
    var r;
    try {
      r = await fetch(path, init);
    } catch (e) {
      return {status: 0, data: null, message: 'The service could not be reached. Check the network connection and try again.'};
    }
    var text = await r.text().catch(function () { return ''; });
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    return {status: r.status, data: data, message: explain(r, data)};
  }

  function explain(r, data) {
    if (r.ok) return '';
    if (r.status === 401) return 'Wrong tenant ID or APISecretKey: use the values the service was started with (CONNECTOR_TENANT_ID and CONNECTOR_API_SECRET_KEY).';
    if (r.status === 429) {
      var wait = r.headers.get('Retry-After');
      return 'Too many failed sign-ins from this address. Wait ' + (wait ? wait + ' seconds' : 'a minute') + ' and try again.';
    }
    var said = data && (data.Message || data.message || data.error);
    if (typeof said === 'string' && said) return said.charAt(0).toUpperCase() + said.slice(1);
    return 'The service answered ' + r.status + ' ' + r.statusText + '. Try again; if it persists, check the service log.';
  }

  // Shows text in a message element: kind 'ok', 'error' or 'info'. Errors take the focus so a
  // screen reader reads them and a keyboard user is where the problem is.
  function show(el, text, kind) {
    el.textContent = text;
    el.className = 'msg ' + (kind || 'info');
    el.hidden = !text;
    if (text && kind === 'error') el.focus();
  }
  function $(id) { return document.getElementById(id); }
  function focusHeading(id) { var h = $(id); if (h) h.focus(); }

  // Wires the sign-in section of a page (ids signin, signin-form, tenant, secret, signin-msg).
  // onSignedIn(creds) runs after GET /setup/Validate accepted them, also on a later load of
  // any page in this tab while they are kept. Returns signOut(message).
  function signIn(onSignedIn) {
    var section = $('signin'), form = $('signin-form'), msg = $('signin-msg');
    var button = form.querySelector('button[type=submit]');
    function signOut(message) {
      forget();
      section.hidden = false;
      show(msg, message || '', message ? 'error' : 'info');
      if (!message) $('tenant').focus();
    }
    async function attempt(c, quiet) {
      button.disabled = true;
      if (!quiet) show(msg, 'Checking…', 'info');
      var r = await call('GET', '/setup/Validate', {creds: c});
      button.disabled = false;
      if (r.status === 200 && r.data && r.data.Status === true) {
        save(c);
        show(msg, '', 'info');
        section.hidden = true;
        onSignedIn(c);
        return;
      }
      forget();
      section.hidden = false;
      show(msg, r.message || 'The service did not accept the sign-in.', 'error');
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var c = {tenantId: $('tenant').value.trim(), secret: $('secret').value};
      if (!c.tenantId || !c.secret) {
        show(msg, 'Enter both the tenant ID and the APISecretKey.', 'error');
        return;
      }
      $('secret').value = '';
      attempt(c, false);
    });
    var c = saved();
    if (c) attempt(c, true); else section.hidden = false;
    return signOut;
  }

  return {call: call, show: show, $: $, focusHeading: focusHeading, signIn: signIn,
    saved: saved, save: save, forget: forget};
})();
