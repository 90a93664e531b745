// session.js: passkey sign-in and the session cookie, shared by /login
// and /admin.
import { api, errorMessage } from './api.js';
import { getAssertion, promptErrorMessage, supported } from './webauthn.js';
import { $, busy, status } from './ui.js';

// Discoverable sign-in without a username, or username-first.
export async function signIn(username) {
  const options = await api('POST', '/v1/authentication/options', username ? { username } : {});
  const assertion = await getAssertion(options);
  return api('POST', '/v1/authentication/verify', assertion);
}

// Who is signed in on this browser (from the session cookie):
// {me} or {me: null, ended} where `ended` is the error that says why a
// session this browser had no longer works (revoked device, ended
// session), or null when there was none.
export async function whoAmI() {
  try {
    return { me: await api('GET', '/v1/me'), ended: null };
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      const ended = ['credential_revoked', 'session_ended'].includes(e.code) ? e : null;
      return { me: null, ended };
    }
    throw e;
  }
}

// A new access token for the session (POST /v1/token with the cookie).
export function refreshToken() {
  return api('POST', '/v1/token', {});
}

export function signOut() {
  return api('POST', '/v1/logout', {});
}

// Message for a failed sign-in: the prompt's DOMException or authd's error.
export function signInErrorMessage(err) {
  if (err instanceof DOMException) return promptErrorMessage(err, 'sign-in');
  return errorMessage(err, 'Sign-in failed.');
}

// Wires the sign-in form that /login and /admin share (the same ids in
// both pages).  onSignedIn(result) gets the verify response.
export function setupSignIn(onSignedIn) {
  const button = $('#signin-passkey');
  const form = $('#signin-username-form');
  const input = $('#signin-username');
  const out = $('#signin-status');

  if (!supported()) {
    status(out, 'error', 'This browser cannot use passkeys. Use an up-to-date browser on a device ' +
      'with a fingerprint, face or screen lock.');
    button.disabled = true;
    form.querySelector('button').disabled = true;
    return;
  }

  async function run(trigger, username) {
    status(out, 'busy', 'Waiting for your fingerprint, face or screen lock…');
    try {
      const result = await busy(trigger, 'Waiting for passkey…', () => signIn(username));
      status(out, 'ok', '');
      await onSignedIn(result);
    } catch (err) {
      status(out, 'error', signInErrorMessage(err));
    }
  }

  button.addEventListener('click', () => run(button));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = input.value.trim().toLowerCase();
    if (!name) {
      status(out, 'error', 'Enter your username, or use the big button above.');
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    run(form.querySelector('button'), name);
  });
}
