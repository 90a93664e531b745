// verify.mjs: an independent JOSE library (jose) checks an authd access
// token the way a tracking service would: the key from the JWK Set URL by
// kid, signature, typ at+jwt (RFC 9068), iss, aud and exp.
//
// Usage: node verify.mjs JWKS_URL AUDIENCE ISSUER TOKEN|-
// TOKEN "-" reads it from standard input.  Prints {"header","payload"} as
// one JSON line and exits 0 when valid; prints {"valid":false,"code"} and
// exits 1 when not; exits 2 on a usage error.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { readFileSync } from 'node:fs';

const [jwksUrl, audience, issuer, arg] = process.argv.slice(2);
if (!jwksUrl || !audience || !issuer || !arg) {
  process.stderr.write(
    'usage: node verify.mjs JWKS_URL AUDIENCE ISSUER TOKEN|-\n');
  process.exit(2);
}
const token = arg === '-' ? readFileSync(0, 'utf8').trim() : arg;

try {
  const jwks = createRemoteJWKSet(new URL(jwksUrl),
    { timeoutDuration: 5000 });
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    audience,
    issuer,
    typ: 'at+jwt',
    algorithms: ['EdDSA', 'Ed25519', 'ES256'],
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
  });
  process.stdout.write(
    JSON.stringify({ header: protectedHeader, payload }) + '\n');
  process.exit(0);
} catch (e) {
  const out = { valid: false, code: e.code ?? 'ERR', message: e.message };
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(1);
}
