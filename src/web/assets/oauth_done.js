// The page X's sign-in ends on (/Views/TwitterOAuthDone?status=S[&account=NAME]):
// says what happened, tells the setup page that opened this window, and closes itself when
// the account is connected. Any other result stays on screen with what to do next.
'use strict';
(function () {
  var SENTENCES = {
    connected: function (a) { return 'Connected to Twitter' + (a ? ' as @' + a : '') + '. This window closes itself; continue on the setup page.'; },
    denied: function () { return 'The sign-in was cancelled on Twitter, so no account was connected. Close this window and press Login with Twitter again to connect one.'; },
    expired: function () { return 'This sign-in expired or was started in another browser. Close this window and start again from the setup page with Login with Twitter.'; },
    failed: function () { return 'Twitter refused the sign-in or could not be reached. Check the Twitter API key and secret key on the Configure page (step 1 of the setup), then press Login with Twitter again.'; }
  };
  document.addEventListener('DOMContentLoaded', function () {
    var q = new URLSearchParams(location.search);
    var status = q.get('status') || '', account = q.get('account') || '';
    var say = SENTENCES[status];
    var el = document.getElementById('result');
    el.textContent = say ? say(account) : 'The sign-in ended with an unknown result. Close this window and try again from the setup page.';
    el.className = 'msg ' + (status === 'connected' ? 'ok' : 'error');
    el.hidden = false;
    el.focus();
    var opener = null;
    try { opener = window.opener && !window.opener.closed ? window.opener : null; } catch (e) { opener = null; }
    if (opener) {
      try {
        opener.postMessage({type: 'tc-twitter-oauth', status: status, account: account}, location.origin);
      } catch (e) { /* the opener went elsewhere: it will ask the service instead */ }
    }
    if (status === 'connected') setTimeout(function () { window.close(); }, 600);
  });
})();
