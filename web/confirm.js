// confirm.js: /confirm/<id>.  Shows the delivery statement the customer is
// asked to confirm, signs it with their passkey and shows the receipt.
import { api, errorMessage } from './api.js';
import { getAssertion, promptErrorMessage, supported } from './webauthn.js';
import { $, busy, fmtDate, focusOn, show, status } from './ui.js';

const out = $('#confirm-status');
const button = $('#confirm-button');
const id = decodeURIComponent(location.pathname.replace(/^\/confirm\//, '').replace(/\/$/, ''));
const base = '/v1/confirmations/' + encodeURIComponent(id);
let options = null;	// unused request options, if any
let loadedAt = 0;

// Errors after which the link can never work: no button any more.
const FINAL = new Set(['confirmation_expired', 'already_confirmed', 'not_found', 'unknown_confirmation']);

function fail(err, fallback) {
  const final = err && (FINAL.has(err.code) || err.status === 404 || err.status === 410);
  let message = errorMessage(err, fallback);
  if (err && err.status === 404) {
    message = 'This confirmation link is not valid. Open the link exactly as you received it, ' +
      'or contact the sender.';
  }
  status(out, 'error', message);
  if (final) {
    show(button, false);
    if (err.code === 'already_confirmed' || err.status === 409) show($('#statement'), false);
  }
  focusOn(out);
}

function showStatement(res) {
  const s = res.statement || {};
  $('#st-shipment').textContent = s.shipment_id || '';
  $('#st-recipient').textContent = s.recipient || '';
  $('#st-address').textContent = s.address || '';
  $('#st-courier').textContent = s.courier || '';
  // delivered_at is the service's text: a time where it parses as one.
  $('#st-delivered').textContent = fmtDate(s.delivered_at, s.delivered_at || '—');
  $('#st-expires').textContent = res.expires_at ? 'This link works until ' + fmtDate(res.expires_at) + '.' : '';
  show($('#statement'));
}

async function load() {
  const res = await api('POST', base + '/options', {});
  options = res.publicKey;
  loadedAt = Date.now();
  return res;
}

async function confirm() {
  status(out, 'busy', 'Waiting for your face unlock…');
  await busy(button, 'Waiting for face unlock…', async () => {
    try {
      // A challenge works once: a retry gets fresh options.
      const timeout = (options && options.timeout) || 60000;
      if (!options || Date.now() - loadedAt > timeout - 5000) await load();
    } catch (err) {
      fail(err, 'The confirmation could not be started.');
      return;
    }
    const opts = options;
    options = null;
    let assertion;
    try {
      assertion = await getAssertion(opts);
    } catch (err) {
      status(out, 'error', promptErrorMessage(err, 'confirmation'));
      return;
    }
    try {
      const r = await api('POST', base + '/verify', assertion);
      show($('#statement'), false);
      $('#rc-shipment').textContent = r.shipment_id || '';
      $('#rc-time').textContent = fmtDate(r.confirmed_at);
      $('#rc-jwt').textContent = r.receipt || '';
      show($('#receipt'));
      status(out, 'ok', 'Thank you. Your delivery is confirmed.');
      focusOn($('#receipt-title'));
    } catch (err) {
      fail(err, 'The confirmation was not accepted.');
    }
  });
}

async function init() {
  if (!id || id.includes('/')) {
    fail({ status: 404 });
    return;
  }
  try {
    showStatement(await load());
    status(out, 'info', 'Check the details, then confirm.');
  } catch (err) {
    fail(err, 'The delivery could not be loaded.');
    return;
  }
  if (!supported()) {
    show(button, false);
    status(out, 'error', 'This browser cannot use passkeys. Open the link on the phone you registered with.');
    return;
  }
  button.addEventListener('click', confirm);
}

init();
