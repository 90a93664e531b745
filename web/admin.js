// admin.js: /admin, the admin console.  Admins sign in with a passkey
// (the same flow as /login); the admin APIs authenticate with the session
// cookie.  Shows users by role and their devices, revokes a device with a
// reason after a confirmation step, creates enrollment links and shows the
// audit log.
import { api, errorMessage } from './api.js';
import { setupSignIn, signOut, whoAmI } from './session.js';
import { $, busy, fmtDate, focusOn, h, show, status, timeEl } from './ui.js';

const ROLE_NAMES = { courier: 'Courier', customer: 'Customer', admin: 'Administrator' };
const USERNAME = /^[a-z0-9.\-_@]{1,64}$/;
const AUDIT_SHOWN = 10;

const pageStatus = $('#page-status');
const usersStatus = $('#users-status');
const dialog = $('#revoke-dialog');
let revoking = null;	// {cred, user, reload} while the dialog is open

// --- who is signed in ------------------------------------------------------

function showOnly(id) {
  for (const s of ['#signin', '#not-admin', '#console']) show($(s), s === id);
}

function signedOut(message) {
  showOnly('#signin');
  status($('#signin-status'), message ? 'error' : 'ok', message || '');
}

function notAdmin(user) {
  showOnly('#not-admin');
  $('#not-admin-text').textContent = 'You are signed in as ' + (user.display_name || user.username) +
    ' (' + (ROLE_NAMES[user.role] || user.role) + '). The admin console needs an administrator\'s passkey. ' +
    'Sign out, then sign in as an administrator.';
  focusOn($('#not-admin-title'));
}

function showConsole(user, sessionExpiresAt) {
  status(pageStatus, 'ok', '');
  if (user.role !== 'admin') {
    notAdmin(user);
    return;
  }
  $('#admin-name').textContent = (user.display_name || user.username) + ' (' + user.username + ')';
  $('#admin-session').textContent = 'Session runs until ' + fmtDate(sessionExpiresAt);
  showOnly('#console');
  loadUsers();
  loadAudit();
}

// An admin API call; an ended session goes back to the sign-in form.
async function adminApi(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (err) {
    if (err.status === 401) {
      signedOut(errorMessage(err));
      focusOn($('#signin-title'));
    } else if (err.status === 403 && err.code === 'forbidden') {
      status(pageStatus, 'error', errorMessage(err));
    }
    throw err;
  }
}

async function doSignOut(ev) {
  await busy(ev.currentTarget, 'Signing out…', async () => {
    try {
      await signOut();
    } catch (err) {
      if (err.status !== 401) {
        status(pageStatus, 'error', errorMessage(err, 'Sign-out failed.'));
        return;
      }
    }
    signedOut();
    status(pageStatus, 'ok', 'You are signed out.');
    focusOn($('#signin-title'));
  });
}

// --- users and devices -----------------------------------------------------

function currentRole() {
  return document.querySelector('input[name="role-filter"]:checked').value;
}

function plural(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}

async function loadUsers() {
  const role = currentRole();
  const list = $('#users');
  status(usersStatus, 'busy', 'Loading users…');
  let res;
  try {
    res = await adminApi('GET', '/v1/admin/users?role=' + encodeURIComponent(role));
  } catch (err) {
    status(usersStatus, 'error', errorMessage(err, 'The users could not be loaded.'));
    return;
  }
  if (role !== currentRole()) return;	// the filter changed meanwhile
  list.replaceChildren(...res.users.map(userItem));
  status(usersStatus, 'info', res.users.length === 0
    ? 'No ' + (ROLE_NAMES[role] || role).toLowerCase() + 's yet. Create an enrollment link below.'
    : plural(res.users.length, ROLE_NAMES[role].toLowerCase(), ROLE_NAMES[role].toLowerCase() + 's') + '.');
}

function userItem(u) {
  const panel = h('div', { class: 'devices', id: 'devices-' + u.username.replace(/[^a-z0-9_-]/g, '_'), hidden: true });
  // The visible words start the accessible name (WCAG 2.5.3, for voice
  // control); the user's name follows for screen readers only.
  const toggleWord = h('span', { text: 'Devices' });
  const toggle = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': panel.id },
    toggleWord, h('span', { class: 'visually-hidden', text: ' of ' + u.username }));
  const summary = h('span', { text: u.username + ' · ' + plural(u.devices, 'active device', 'active devices') });
  const item = h('li', { dataset: { username: u.username } },
    h('div', { class: 'row' },
      h('div', { class: 'who' }, h('strong', { text: u.display_name || u.username }), summary),
      toggle),
    panel);

  async function reload() {
    panel.replaceChildren(h('p', { class: 'hint', role: 'status', text: 'Loading devices…' }));
    try {
      const res = await adminApi('GET', '/v1/admin/users/' + encodeURIComponent(u.username) + '/credentials');
      const live = res.credentials.filter((c) => c.state === 'active').length;
      summary.textContent = u.username + ' · ' + plural(live, 'active device', 'active devices');
      panel.replaceChildren(res.credentials.length === 0
        ? h('p', { class: 'hint', text: 'No devices: this user has not enrolled a passkey yet.' })
        : h('ul', { class: 'list', 'aria-label': 'Devices of ' + u.username },
          ...res.credentials.map((c) => deviceItem(c, u, reload))));
    } catch (err) {
      panel.replaceChildren(h('p', { class: 'status status-error', role: 'alert',
        text: errorMessage(err, 'The devices could not be loaded.') }));
    }
  }

  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggleWord.textContent = open ? 'Hide devices' : 'Devices';
    show(panel, open);
    if (open) reload();
  });
  return item;
}

function fact(label, value) {
  return h('div', {}, h('dt', { text: label }), h('dd', {}, value));
}

function deviceItem(c, u, reload) {
  const active = c.state === 'active';
  const name = c.label || 'Unnamed device';
  const facts = h('dl', { class: 'facts small' },
    fact('Authenticator', c.authenticator || 'Unknown model'),
    fact('AAGUID', h('span', { class: 'mono', text: c.aaguid || '—' })),
    fact('Created', timeEl(c.created)),
    fact('Last used', timeEl(c.last_used, 'Never')));
  if (!active) {
    facts.append(
      fact('Revoked', timeEl(c.revoked_at)),
      fact('Revoked by', c.revoked_by || '—'),
      fact('Reason', c.revoke_reason || '—'));
  }
  const li = h('li', { class: active ? 'device' : 'device device-revoked', dataset: { credentialId: c.credential_id } },
    h('div', { class: 'row' },
      h('h3', { text: name }),
      h('span', { class: 'badge ' + (active ? 'badge-active' : 'badge-revoked'), text: active ? 'Active' : 'Revoked' })),
    facts);
  if (active) {
    li.append(h('button', { type: 'button', class: 'danger-outline big', onclick: () => openRevoke(c, u, reload) },
      'Revoke this device…', h('span', { class: 'visually-hidden', text: ' ' + name + ' of ' + u.username })));
  }
  return li;
}

// --- revocation, with a confirmation step -----------------------------------

function openRevoke(cred, user, reload) {
  revoking = { cred, user, reload };
  $('#revoke-desc').textContent = '“' + (cred.label || 'Unnamed device') + '” of ' +
    (user.display_name || user.username) + ' (' + user.username + ') will no longer be able to sign in, ' +
    'and every session it started ends now. This cannot be undone.';
  const reason = $('#revoke-reason');
  reason.value = '';
  reason.removeAttribute('aria-invalid');
  status($('#revoke-status'), 'ok', '');
  dialog.showModal();
  reason.focus();
}

function closeRevoke() {
  revoking = null;
  if (dialog.open) dialog.close();
}

async function confirmRevoke(ev) {
  ev.preventDefault();
  if (!revoking) return;
  const reason = $('#revoke-reason');
  const out = $('#revoke-status');
  const text = reason.value.trim();
  if (!text) {
    reason.setAttribute('aria-invalid', 'true');
    status(out, 'error', 'Give a reason: it is recorded in the audit log.');
    reason.focus();
    return;
  }
  reason.removeAttribute('aria-invalid');
  const { cred, user, reload } = revoking;
  await busy($('#revoke-confirm'), 'Revoking…', async () => {
    try {
      await api('DELETE', '/v1/admin/credentials/' + encodeURIComponent(cred.credential_id), { reason: text });
    } catch (err) {
      status(out, 'error', errorMessage(err, 'The device could not be revoked.'));
      if (err.status === 401) {
        closeRevoke();
        signedOut(errorMessage(err));
      }
      return;
    }
    closeRevoke();
    status(usersStatus, 'ok', 'Revoked “' + (cred.label || 'Unnamed device') + '” of ' + user.username +
      '. Its sessions have ended and it can no longer sign in.');
    focusOn(usersStatus);
    reload();
    loadAudit();
  });
}

// --- enrollment links ---------------------------------------------------------

async function createEnrollment(ev) {
  ev.preventDefault();
  const out = $('#enroll-status');
  const input = $('#enroll-username');
  const username = input.value.trim().toLowerCase();
  const role = $('#enroll-role').value;
  const displayName = $('#enroll-display').value.trim();
  if (!USERNAME.test(username)) {
    input.setAttribute('aria-invalid', 'true');
    status(out, 'error', 'Enter a username of 1 to 64 characters: lower-case letters, digits and . - _ @');
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  show($('#enroll-result'), false);
  await busy($('#enroll-submit'), 'Creating link…', async () => {
    const body = { username, role };
    if (displayName) body.display_name = displayName;
    let res;
    try {
      res = await adminApi('POST', '/v1/enrollments', body);
    } catch (err) {
      status(out, 'error', err.status === 409 && err.code !== 'last_admin_device'
        ? 'The username ' + username + ' exists already with another role.'
        : errorMessage(err, 'The link could not be created.'));
      return;
    }
    $('#enroll-link').value = res.link;
    $('#enroll-expiry').textContent = 'For ' + username + ' (' + ROLE_NAMES[role] + '). Works once, until ' +
      fmtDate(res.expires_at) + '.';
    show($('#enroll-result'));
    status(out, 'ok', 'Enrollment link created. Send it to ' + username + ' only.');
    if (currentRole() === role) loadUsers();
    loadAudit();
  });
}

async function copyLink() {
  const input = $('#enroll-link');
  const out = $('#enroll-status');
  try {
    await navigator.clipboard.writeText(input.value);
    status(out, 'ok', 'Link copied.');
  } catch {
    input.select();
    status(out, 'info', 'The link is selected: copy it with your device\'s copy command.');
  }
}

// --- audit log ------------------------------------------------------------------

function detailText(d) {
  if (d === null || d === undefined || d === '') return '';
  if (typeof d === 'string') return d;
  return Object.entries(d).map(([k, v]) => k + ': ' + (typeof v === 'string' ? v : JSON.stringify(v))).join(' · ');
}

async function loadAudit() {
  const out = $('#audit-status');
  status(out, 'busy', 'Loading the audit log…');
  let res;
  try {
    res = await adminApi('GET', '/v1/admin/audit?limit=50');
  } catch (err) {
    status(out, 'error', errorMessage(err, 'The audit log could not be loaded.'));
    return;
  }
  const items = res.events.map((e) => {
    const detail = detailText(e.detail);
    return h('li', { dataset: { seq: e.seq, event: e.event } },
      h('div', { class: 'row' }, h('span', { class: 'event', text: e.event.replace(/_/g, ' ') }), timeEl(e.time)),
      h('div', { text: (e.actor || '—') + (e.subject ? ' → ' + e.subject : '') }),
      detail ? h('div', { class: 'detail', text: detail }) : null);
  });
  // The newest few; the rest on request, so the page stays short on a phone.
  items.slice(AUDIT_SHOWN).forEach((li) => { li.hidden = true; });
  $('#audit').replaceChildren(...items);
  const more = $('#audit-more');
  more.textContent = 'Show all ' + items.length + ' events';
  show(more, items.length > AUDIT_SHOWN);
  status(out, 'ok', res.events.length === 0 ? 'No events yet.' : '');
}

function showAllAudit(ev) {
  for (const li of $('#audit').children) li.hidden = false;
  show(ev.currentTarget, false);
  const next = $('#audit').children[AUDIT_SHOWN];
  if (next) focusOn(next);
}

// --- start ----------------------------------------------------------------------

async function init() {
  setupSignIn(async (result) => {
    const { me } = await whoAmI().catch(() => ({ me: null }));
    showConsole(me || result.user, me ? me.session_expires_at : result.session_expires_at);
    if (result.user.role === 'admin') focusOn($('#users-title'));
  });
  $('#signout').addEventListener('click', doSignOut);
  $('#not-admin-signout').addEventListener('click', doSignOut);
  for (const r of document.querySelectorAll('input[name="role-filter"]')) {
    r.addEventListener('change', loadUsers);
  }
  $('#enroll-form').addEventListener('submit', createEnrollment);
  $('#enroll-copy').addEventListener('click', copyLink);
  $('#audit-more').addEventListener('click', showAllAudit);
  $('#audit-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, 'Refreshing…', loadAudit));
  $('#revoke-form').addEventListener('submit', confirmRevoke);
  $('#revoke-cancel').addEventListener('click', closeRevoke);
  dialog.addEventListener('close', () => { revoking = null; });

  try {
    const { me, ended } = await whoAmI();
    if (me) showConsole(me, me.session_expires_at);
    else signedOut(ended ? errorMessage(ended) : '');
  } catch (err) {
    signedOut();
    status(pageStatus, 'error', errorMessage(err));
  }
}

init();
