// webauthn.js: the browser side of a passkey ceremony.
//
// authd sends WebAuthn Level 3 JSON options and takes exactly what
// credential.toJSON() returns.  Browsers that have the native JSON
// methods use them; older ones get the same conversion done here
// (base64url <-> ArrayBuffer), so the pages work on both.

export function supported() {
  return typeof window.PublicKeyCredential === 'function' &&
    !!navigator.credentials && typeof navigator.credentials.create === 'function';
}

// Whether the device has a built-in authenticator with user verification
// (fingerprint, face or screen lock).  Unknown counts as available.
export async function platformAuthenticatorAvailable() {
  try {
    if (typeof PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable !== 'function') {
      return true;
    }
    return await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable();
  } catch {
    return true;
  }
}

export function b64urlToBuffer(s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function bufferToB64url(buf) {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf)
    : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function descriptors(list) {
  return (list || []).map((d) => ({ ...d, id: b64urlToBuffer(d.id) }));
}

export function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function') {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: b64urlToBuffer(json.challenge),
    user: { ...json.user, id: b64urlToBuffer(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

export function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function') {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: b64urlToBuffer(json.challenge),
    allowCredentials: descriptors(json.allowCredentials),
  };
}

function optional(fn) {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

// RegistrationResponseJSON / AuthenticationResponseJSON.
export function credentialToJSON(cred) {
  if (typeof cred.toJSON === 'function') return cred.toJSON();
  const r = cred.response;
  const out = {
    id: cred.id,
    rawId: bufferToB64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
    response: { clientDataJSON: bufferToB64url(r.clientDataJSON) },
  };
  if (r.attestationObject) {
    out.response.attestationObject = bufferToB64url(r.attestationObject);
    const ad = optional(() => r.getAuthenticatorData());
    if (ad) out.response.authenticatorData = bufferToB64url(ad);
    const pk = optional(() => r.getPublicKey());
    if (pk) out.response.publicKey = bufferToB64url(pk);
    const alg = optional(() => r.getPublicKeyAlgorithm());
    if (typeof alg === 'number') out.response.publicKeyAlgorithm = alg;
    out.response.transports = optional(() => r.getTransports()) || [];
  } else {
    out.response.authenticatorData = bufferToB64url(r.authenticatorData);
    out.response.signature = bufferToB64url(r.signature);
    if (r.userHandle && r.userHandle.byteLength > 0) {
      out.response.userHandle = bufferToB64url(r.userHandle);
    }
  }
  return out;
}

// Creates a passkey from PublicKeyCredentialCreationOptionsJSON and
// returns the RegistrationResponseJSON.
export async function createPasskey(optionsJSON) {
  const cred = await navigator.credentials.create({ publicKey: creationOptions(optionsJSON) });
  if (!cred) throw new DOMException('no credential', 'NotAllowedError');
  return credentialToJSON(cred);
}

// Signs a challenge from PublicKeyCredentialRequestOptionsJSON and returns
// the AuthenticationResponseJSON.
export async function getAssertion(optionsJSON) {
  const cred = await navigator.credentials.get({ publicKey: requestOptions(optionsJSON) });
  if (!cred) throw new DOMException('no credential', 'NotAllowedError');
  return credentialToJSON(cred);
}

// What the person should read when the browser's prompt fails.  `what` is
// "sign-in", "enrollment" or "confirmation".
export function promptErrorMessage(err, what) {
  const name = err && err.name;
  switch (name) {
    case 'NotAllowedError':
      if (what === 'enrollment') {
        return 'The passkey was not created: the prompt was cancelled or timed out. ' +
          'Press the button to try again, and confirm with your fingerprint, face or screen lock.';
      }
      if (what === 'confirmation') {
        return 'No passkey was used: the prompt was cancelled or timed out, or this device has no passkey ' +
          'of the customer this delivery is addressed to. Only that customer can confirm it. Try again, ' +
          'on the phone you registered with.';
      }
      return 'No passkey was used: the prompt was cancelled or timed out, or this device has ' +
        'no passkey for this account. Try again; if this device has no passkey yet, ask for an enrollment link.';
    case 'InvalidStateError':
      return 'This device already has a passkey for this account. You can sign in with it.';
    case 'AbortError':
      return 'The request was stopped. Press the button to try again.';
    case 'SecurityError':
      return 'This page\'s address is not allowed to use passkeys for this service. ' +
        'Open the link exactly as you received it.';
    case 'NotSupportedError':
      return 'This device cannot create the kind of passkey required (a built-in ' +
        'authenticator with fingerprint, face or screen lock).';
    case 'ConstraintError':
      return 'This device cannot verify you (no fingerprint, face or screen lock is set up). ' +
        'Set up a screen lock and try again.';
    default:
      return 'The passkey prompt failed' + (err && err.message ? ': ' + err.message : '.');
  }
}
