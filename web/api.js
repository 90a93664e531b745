// api.js: authd's JSON API from the pages.  Requests are same-origin and
// carry the HttpOnly session cookie; authd checks their Origin.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || ('HTTP ' + status));
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
  }
}

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'authd could not be reached. Check the connection and try again.');
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, data && data.error, data && data.message);
  }
  return data;
}

// Plain words for authd's error codes.
const MESSAGES = {
  network: 'authd could not be reached. Check the connection and try again.',
  invalid_enrollment_code: 'This enrollment link is not valid. Ask for a new link.',
  enrollment_expired: 'This enrollment link has expired. Ask for a new link.',
  ceremony_used: 'This link or request was used already. If you enrolled, sign in; otherwise ask for a new link.',
  ceremony_expired: 'That took too long and the request expired. Press the button to start again.',
  unknown_ceremony: 'The request is no longer valid (the server may have restarted). Press the button to start again.',
  user_not_verified: 'Your device did not verify you (fingerprint, face or screen lock). ' +
    'The passkey was not accepted. Make sure a screen lock is set up and try again.',
  user_not_present: 'The device did not confirm that you were present. Try again and touch the sensor when asked.',
  duplicate_credential: 'This passkey is registered already. You can sign in with it.',
  unknown_credential: 'This device\'s passkey is not registered with authd. Ask for a new enrollment link.',
  credential_revoked: 'This device\'s passkey was revoked by an administrator. ' +
    'It can no longer be used; ask your dispatcher for a new enrollment link.',
  credential_not_allowed: 'This passkey belongs to another user. Check the username, or use the button without a username.',
  cloned_authenticator: 'This device\'s passkey failed a security check (it may be cloned). Contact your administrator.',
  session_ended: 'Your session has ended. Sign in again.',
  invalid_session: 'You are not signed in.',
  unauthorized: 'You are not signed in.',
  forbidden: 'You are signed in, but your role may not do this.',
  confirmation_expired: 'This confirmation link has expired. The delivery can no longer be confirmed with it; ' +
    'contact the sender if you need a new link.',
  already_confirmed: 'This delivery was confirmed already. Nothing more to do.',
  wrong_customer: 'This passkey belongs to a different customer. Only the customer this delivery is ' +
    'addressed to can confirm it: open the link on the phone where that customer set up their passkey.',
  last_admin_device: 'This is the last device of the last administrator. Enroll another administrator ' +
    'device before revoking this one, so nobody is locked out.',
  already_revoked: 'This device was revoked already.',
  conflict: 'That exists already.',
  not_found: 'Not found.',
  unavailable: 'authd is unavailable right now. Try again in a minute.',
};

export function errorMessage(err, fallback) {
  if (err instanceof ApiError) {
    if (MESSAGES[err.code]) return MESSAGES[err.code];
    if (err.status >= 500) return MESSAGES.unavailable;
    return (fallback ? fallback + ' ' : '') + (err.message || 'The request failed.');
  }
  return (fallback ? fallback + ' ' : '') + String(err && err.message ? err.message : err);
}
