// login.js: /login.  Passkey sign-in for couriers and admins; then who is
// signed in, until when the session (the courier's shift) runs, token
// refresh and sign-out.  The session is the HttpOnly cookie; the page
// never stores a token.
import { errorMessage } from './api.js';
import { refreshToken, setupSignIn, signOut, whoAmI } from './session.js';
import { $, busy, fmtDate, fmtTime, focusOn, show, status } from './ui.js';

const ROLE_NAMES = { courier: 'Courier', customer: 'Customer', admin: 'Administrator' };

const pageStatus = $('#page-status');
const sessionStatus = $('#session-status');
let renewTimer = 0;

function showSignIn(message) {
  clearTimeout(renewTimer);
  show($('#signed-in'), false);
  show($('#signin'));
  status($('#signin-status'), message ? 'error' : 'ok', message || '');
}

function showToken(expiresIn) {
  const until = new Date(Date.now() + expiresIn * 1000);
  $('#who-token').textContent = fmtTime(until);
  show($('#who-token-row'));
  // Keep the access token fresh during the shift, 30 s before it expires.
  clearTimeout(renewTimer);
  renewTimer = setTimeout(() => refresh(true), Math.max(5, expiresIn - 30) * 1000);
}

function showUser(user, sessionExpiresAt) {
  status(pageStatus, 'ok', '');
  $('#who-name').textContent = user.display_name || user.username;
  $('#who-username').textContent = user.username;
  $('#who-role').textContent = ROLE_NAMES[user.role] || user.role;
  $('#who-session-label').textContent = user.role === 'courier' ? 'Shift session runs until' : 'Session runs until';
  $('#who-session').textContent = fmtDate(sessionExpiresAt);
  show($('#admin-link'), user.role === 'admin');
  show($('#signin'), false);
  show($('#signed-in'));
}

async function refresh(automatic) {
  try {
    const t = await refreshToken();
    showUser(t.user, t.session_expires_at);
    showToken(t.expires_in);
    status(sessionStatus, 'ok', (automatic ? 'Access token renewed automatically at ' : 'Token refreshed at ') +
      fmtTime(new Date()) + '.');
  } catch (err) {
    if (err.status === 401) {
      showSignIn(errorMessage(err));
      focusOn($('#signin-title'));
    } else {
      status(sessionStatus, 'error', errorMessage(err, 'The token could not be refreshed.'));
      // Out of coverage on the route: try again shortly.
      if (automatic) renewTimer = setTimeout(() => refresh(true), 30000);
    }
  }
}

async function init() {
  setupSignIn(async (result) => {
    // Who the session cookie now says is signed in.
    const { me } = await whoAmI().catch(() => ({ me: null }));
    showUser(me || result.user, me ? me.session_expires_at : result.session_expires_at);
    showToken(result.expires_in);
    status(sessionStatus, 'ok', 'Signed in as ' + (result.user.display_name || result.user.username) + '.');
    focusOn($('#who-title'));
  });

  $('#refresh').addEventListener('click', (ev) =>
    busy(ev.currentTarget, 'Refreshing…', () => refresh(false)));
  $('#signout').addEventListener('click', (ev) =>
    busy(ev.currentTarget, 'Signing out…', async () => {
      try {
        await signOut();
      } catch (err) {
        // An ended or revoked session is signed out already.
        if (err.status !== 401) {
          status(sessionStatus, 'error', errorMessage(err, 'Sign-out failed.'));
          return;
        }
      }
      showSignIn();
      status(pageStatus, 'ok', 'You are signed out.');
      focusOn($('#signin-title'));
    }));

  try {
    const { me, ended } = await whoAmI();
    if (me) showUser(me, me.session_expires_at);
    else showSignIn(ended ? errorMessage(ended) : '');
  } catch (err) {
    showSignIn();
    status(pageStatus, 'error', errorMessage(err));
  }
}

init();
