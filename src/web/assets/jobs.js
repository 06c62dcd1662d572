// The Jobs page: every job from GET /api/Jobs as a table (cards on a phone),
// asked for again every data-refresh-seconds. Text only goes in through textContent.
'use strict';
(function () {
  var $ = TC.$, creds = null, timer = 0, signOut;
  var RESULTS = {Success: 'Success', TemporaryFailure: 'Temporary failure (will be retried)',
    PermanentFailure: 'Permanent failure'};

  function when(iso) {
    return iso ? String(iso).replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '';
  }
  function cell(tr, label, main, detail, cls) {
    var td = document.createElement('td');
    td.setAttribute('data-label', label);
    var m = document.createElement('span');
    m.textContent = main;
    if (cls) m.className = cls;
    td.appendChild(m);
    (detail || []).forEach(function (d) {
      if (!d) return;
      var s = document.createElement('span');
      s.className = 'small';
      s.textContent = d;
      td.appendChild(s);
    });
    tr.appendChild(td);
  }
  function n(v) { return typeof v === 'number' ? v : 0; }

  function row(j) {
    var tr = document.createElement('tr');
    cell(tr, 'Account', j.AccountName ? '@' + j.AccountName : '(no account connected)',
      ['Job ' + j.JobId, j.AccountId ? 'Twitter id ' + j.AccountId : '']);
    var window_ = j.LastWindowStartUtc || j.LastWindowEndUtc
      ? when(j.LastWindowStartUtc) + ' to ' + when(j.LastWindowEndUtc) : 'No task yet';
    cell(tr, 'Last task window', window_, [j.LastTaskId ? 'Task ' + j.LastTaskId : '']);
    var failed = j.LastResult && j.LastResult !== 'Success';
    cell(tr, 'Last result', j.LastResult ? RESULTS[j.LastResult] || j.LastResult : 'None yet',
      [j.LastMessage ? (failed ? 'Last error: ' : '') + j.LastMessage : ''],
      j.LastResult ? 'result-' + j.LastResult : '');
    cell(tr, 'Items imported', String(n(j.ItemsImported)), []);
    cell(tr, 'Tasks', n(j.TasksSucceeded) + ' succeeded', [
      n(j.TasksTemporaryFailed) + ' temporary, ' + n(j.TasksPermanentFailed) + ' permanent failures',
      n(j.QueuedTasks) + ' queued, ' + n(j.ParkedTasks) + ' parked']);
    cell(tr, 'Next expected run', j.NextExpectedRunUtc ? when(j.NextExpectedRunUtc) : 'Not known yet', []);
    return tr;
  }

  async function load() {
    var r = await TC.call('GET', '/api/Jobs', {creds: creds});
    if (!creds) return;
    if (r.status === 401) return signOut(r.message);
    var msg = $('jobs-msg');
    if (r.status !== 200 || !r.data || !Array.isArray(r.data.Jobs))
      return TC.show(msg, 'Cannot read the jobs: ' + r.message, 'error');
    TC.show(msg, '', 'info');
    var body = $('jobs-body');
    while (body.firstChild) body.removeChild(body.firstChild);
    r.data.Jobs.forEach(function (j) { body.appendChild(row(j)); });
    $('jobs-table').hidden = !r.data.Jobs.length;
    $('jobs-empty').hidden = !!r.data.Jobs.length;
    $('updated').textContent = 'Updated at ' + new Date().toISOString().slice(11, 19) + ' UTC.';
  }

  document.addEventListener('DOMContentLoaded', function () {
    var seconds = Number($('jobs').getAttribute('data-refresh-seconds')) || 10;
    var inner = TC.signIn(function (c) {
      creds = c;
      $('jobs').hidden = false;
      TC.focusHeading('jobs-h');
      load();
      clearInterval(timer);
      timer = setInterval(load, seconds * 1000);
    });
    signOut = function (message) {
      creds = null;
      clearInterval(timer);
      $('jobs').hidden = true;
      inner(message);
    };
    $('refresh').addEventListener('click', load);
    $('signout').addEventListener('click', function () { signOut(); });
  });
})();
