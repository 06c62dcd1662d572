// The Configure page: sign in, see which of the six settings are set, change some of them.
// Values typed here go to POST /api/Configuration and are cleared from the form at once; the
// service never sends a secret back (GET answers only "<Name>Set").
'use strict';
(function () {
  var FIELDS = ['TwitterApiKey', 'TwitterApiSecretKey', 'TwitterAccessToken',
    'TwitterAccessTokenSecret', 'AADAppId', 'AADAppSecret'];
  var $ = TC.$, creds = null, signOut;

  async function loadState() {
    var r = await TC.call('GET', '/api/Configuration', {creds: creds});
    if (r.status === 401) return signOut(r.message);
    if (r.status !== 200 || !r.data) {
      TC.show($('save-msg'), 'Cannot read the current settings: ' + r.message, 'error');
      return;
    }
    FIELDS.forEach(function (k) {
      var set = r.data[k + 'Set'] === true, value = r.data[k + 'Value'], el = $('s-' + k);
      el.textContent = set ? (typeof value === 'string' ? 'Set: ' + value : 'Set')
        + ' (leave empty to keep it)' : 'Not set';
      el.className = 'state' + (set ? ' set' : '');
    });
  }

  async function save(e) {
    e.preventDefault();
    var body = {}, changed = 0, msg = $('save-msg');
    FIELDS.forEach(function (k) {
      var v = $('f-' + k).value.trim();
      body[k + 'Value'] = v;
      if (v) changed++;
    });
    if (!changed) return TC.show(msg, 'Nothing to save: type a new value in at least one field.', 'error');
    var button = $('settings-form').querySelector('button[type=submit]');
    button.disabled = true;
    TC.show(msg, 'Saving…', 'info');
    var r = await TC.call('POST', '/api/Configuration', {creds: creds, body: body});
    button.disabled = false;
    if (r.status === 401) return signOut(r.message);
    if (r.status !== 200 || r.data !== true)
      return TC.show(msg, 'The settings were not saved: ' + r.message, 'error');
    FIELDS.forEach(function (k) { $('f-' + k).value = ''; });
    TC.show(msg, 'Saved: ' + changed + (changed === 1 ? ' setting' : ' settings') + ' changed.', 'ok');
    loadState();
  }

  document.addEventListener('DOMContentLoaded', function () {
    signOut = TC.signIn(function (c) {
      creds = c;
      $('settings').hidden = false;
      TC.focusHeading('settings-h');
      loadState();
    });
    var inner = signOut;
    signOut = function (message) {
      creds = null;
      $('settings').hidden = true;
      inner(message);
    };
    $('settings-form').addEventListener('submit', save);
    $('signout').addEventListener('click', function () { signOut(); });
  });
})();
