// enroll.js: /enroll?code=...  Creates a passkey on this device with a
// one-time enrollment code and names the device.
import { api, errorMessage } from './api.js';
import { createPasskey, platformAuthenticatorAvailable, promptErrorMessage, supported } from './webauthn.js';
import { $, busy, focusOn, show, status } from './ui.js';

const ROLE_NAMES = { courier: 'Courier', customer: 'Customer', admin: 'Administrator' };

const form = $('#enroll-form');
const input = $('#label');
const button = $('#enroll-button');
const out = $('#enroll-status');
const code = new URLSearchParams(location.search).get('code');

function fail(message) {
  status(out, 'error', message);
}

function done(result) {
  // The code is spent: drop it from the address bar and history.
  history.replaceState(null, '', '/enroll');
  show(form, false);
  status(out, 'ok', 'Your passkey is ready on this device.');
  $('#done-user').textContent = result.username || '';
  $('#done-role').textContent = ROLE_NAMES[result.role] || result.role || '';
  $('#done-label').textContent = result.label || input.value.trim();
  const link = $('#done-link');
  if (result.role === 'admin') {
    link.href = '/admin';
    link.textContent = 'Open the admin console';
    $('#done-next').textContent = 'Sign in to the admin console with this passkey.';
  } else if (result.role === 'customer') {
    show(link, false);
    $('#done-next').textContent = 'You can close this page. When a parcel is delivered to you, ' +
      'you will confirm it with this passkey.';
  } else {
    $('#done-next').textContent = 'Sign in at the start of your shift with your fingerprint.';
  }
  show($('#enroll-done'));
  focusOn($('#done-title'));
}

async function enroll() {
  const label = input.value.trim();
  if (label.length < 1 || label.length > 64) {
    input.setAttribute('aria-invalid', 'true');
    fail('Give this device a name of 1 to 64 characters.');
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  status(out, 'busy', 'Creating your passkey… Follow your device\'s prompt.');
  await busy(button, 'Creating passkey…', async () => {
    let options;
    try {
      options = await api('POST', '/v1/registration/options', { code, label });
    } catch (err) {
      // A spent, unknown or expired code never works again: no button.
      if (['invalid_enrollment_code', 'enrollment_expired', 'ceremony_used'].includes(err.code)) show(form, false);
      fail(errorMessage(err, 'The passkey could not be set up.'));
      return;
    }
    let credential;
    try {
      credential = await createPasskey(options);
    } catch (err) {
      fail(promptErrorMessage(err, 'enrollment'));
      return;
    }
    try {
      done(await api('POST', '/v1/registration/verify', credential));
    } catch (err) {
      fail(errorMessage(err, 'The passkey was not accepted.'));
    }
  });
}

async function init() {
  if (!code) {
    show(form, false);
    fail('This enrollment link is incomplete: it has no code. Open the link exactly as you received it, ' +
      'or ask for a new one.');
    return;
  }
  if (!supported()) {
    show(form, false);
    fail('This browser cannot create passkeys. Use an up-to-date browser on a device with a fingerprint, ' +
      'face or screen lock.');
    return;
  }
  if (!(await platformAuthenticatorAvailable())) {
    status(out, 'info', 'This device reports no fingerprint, face or screen lock. Set one up in the ' +
      'device settings first, or the passkey cannot be created.');
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    enroll();
  });
}

init();
