// journeys.test.mjs: the three journeys authd exists for, end to end
// through the real pages in Debian's chromium, in order:
//   the first admin's enrollment; a courier's enrollment (link made in
//   /admin) and fingerprint sign-in; token refresh during the shift; a
//   customer's delivery confirmation with the receipt verified; an admin
//   revoking the courier's lost handheld, after which sign-in, refresh and
//   introspection fail.
// Each test builds on the one before (one authd, one database).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';

import { decodeJwt } from 'jose';

import {
  ADMIN_LINK, ORIGIN, assertNoPageProblems, closeDevice, credentialsOf, http, launchBrowser,
  newDevice, newServiceKey, responseOf, screenshot, signInWithPasskey, verifyJwt,
} from './lib.mjs';

const center = (locator) => locator.evaluate((el) => el.scrollIntoView({ block: 'center' }));
const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

let browser, admin, courier, customer;
let serviceKey;
const s = {};	// what the journeys pass on

before(async () => {
  browser = await launchBrowser();
  admin = await newDevice(browser, 'admin laptop');
  courier = await newDevice(browser, 'courier handheld');
  customer = await newDevice(browser, 'customer phone');
  serviceKey = await newServiceKey('tracking');
});

after(async () => {
  for (const d of [admin, courier, customer]) if (d) await closeDevice(d);
  if (browser) await browser.close();
});

test('the first admin enrolls with the link authd printed at start', async () => {
  const { page } = admin;
  await page.goto(ADMIN_LINK);
  await page.getByLabel('Name this device').fill('Admin laptop');
  await screenshot(admin, 'enroll');
  const res = await responseOf(page, 'POST', '/v1/registration/verify',
    () => page.getByRole('button', { name: 'Create passkey' }).click());
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.username, 'admin');
  assert.equal(res.body.role, 'admin');
  assert.equal(res.body.label, 'Admin laptop');
  await page.getByRole('heading', { name: 'Passkey created' }).waitFor();
  assert.equal(await page.locator('#done-role').textContent(), 'Administrator');
  assert.equal(new URL(page.url()).search, '', 'the spent code is dropped from the address bar');
  const link = page.getByRole('link', { name: 'Open the admin console' });
  assert.equal(await link.getAttribute('href'), '/admin');
  // A discoverable passkey, with user verification, on this device.
  const creds = await credentialsOf(admin);
  assert.equal(creds.length, 1);
  assert.equal(creds[0].isResidentCredential, true);
  await screenshot(admin, 'enroll-done');
  assertNoPageProblems(admin);
});

test('the admin signs in to /admin and creates a courier enrollment link', async () => {
  const { page } = admin;
  await page.getByRole('link', { name: 'Open the admin console' }).click();
  await page.getByRole('heading', { name: 'Admin sign-in' }).waitFor();
  await screenshot(admin, 'admin-signin');
  const res = await signInWithPasskey(admin);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.user.role, 'admin');
  await page.locator('#console').waitFor();
  assert.match(await page.locator('#admin-name').textContent(), /\(admin\)/);
  assert.match(await page.locator('#admin-session').textContent(), /Session runs until/);

  await page.locator('#enroll-username').fill('courier-17');
  await page.locator('#enroll-display').fill('Ana Lima');
  await page.locator('#enroll-role').selectOption('courier');
  const made = await responseOf(page, 'POST', '/v1/enrollments',
    () => page.getByRole('button', { name: 'Create enrollment link' }).click());
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const link = await page.getByRole('textbox', { name: 'Enrollment link' }).inputValue();
  assert.equal(link, made.body.link);
  assert.ok(link.startsWith(ORIGIN + '/enroll?code='), link);
  const box = page.getByRole('textbox', { name: 'Enrollment link' });
  assert.ok(await box.evaluate((el) => el.scrollHeight <= el.clientHeight + 1), 'the whole link is visible');
  assert.match(await page.locator('#enroll-status').textContent(), /Enrollment link created/);
  s.courierLink = link;
  // The new courier shows up under Couriers, with no device yet.
  await page.locator('#users li[data-username="courier-17"]').waitFor();
  assert.match(await page.locator('#users li[data-username="courier-17"]').textContent(), /0 active devices/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(admin, 'admin-console', { full: false });
  await center(page.locator('#enroll-result'));
  await screenshot(admin, 'admin-enrollment-link', { full: false });
  assertNoPageProblems(admin);
});

test('the courier enrolls the handheld and signs in with a fingerprint', async () => {
  const { page } = courier;
  await page.goto(s.courierLink);
  await page.getByLabel('Name this device').fill('Handheld 12');
  const reg = await responseOf(page, 'POST', '/v1/registration/verify',
    () => page.getByRole('button', { name: 'Create passkey' }).click());
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  assert.equal(reg.body.username, 'courier-17');
  assert.equal(reg.body.role, 'courier');
  s.courierCredentialId = reg.body.credential_id;
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await screenshot(courier, 'login');

  const t0 = Math.floor(Date.now() / 1000);
  const res = await signInWithPasskey(courier);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.getByRole('heading', { name: 'Signed in' }).waitFor();
  assert.equal(await page.locator('#who-name').textContent(), 'Ana Lima');
  assert.equal(await page.locator('#who-username').textContent(), 'courier-17');
  assert.equal(await page.locator('#who-role').textContent(), 'Courier');
  assert.equal(await page.locator('#who-session-label').textContent(), 'Shift session runs until');
  assert.notEqual(await page.locator('#who-session').textContent(), '—');
  // The shift: courier sessions run 10 hours by default.
  assert.ok(Math.abs(res.body.session_expires_at - (t0 + 36000)) < 60, String(res.body.session_expires_at));
  assert.equal(await page.locator('#admin-link').isVisible(), false);

  // The access token verifies offline with the JWKS.
  const { payload } = await verifyJwt(res.body.access_token, 'at+jwt', { audience: 'authd-services' });
  assert.equal(payload.role, 'courier');
  assert.ok(payload.amr.includes('mfa'), 'user verification recorded: ' + payload.amr);
  assert.equal(payload.cid, b64url(sha256(Buffer.from(s.courierCredentialId, 'base64url')).subarray(0, 16)));
  const intro = await http('POST', '/v1/introspect', { key: serviceKey, form: { token: res.body.access_token } });
  assert.equal(intro.status, 200);
  assert.equal(intro.body.active, true);
  assert.equal(intro.body.username, 'courier-17');
  await screenshot(courier, 'login-signed-in');

  // Sign out ends the session: its token is no longer active.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  assert.match(await page.locator('#page-status').textContent(), /signed out/);
  const gone = await http('POST', '/v1/introspect', { key: serviceKey, form: { token: res.body.access_token } });
  assert.deepEqual(gone.body, { active: false });

  // The fallback: the username first.
  await page.getByLabel('Username').fill('courier-17');
  const again = await responseOf(page, 'POST', '/v1/authentication/verify',
    () => page.getByRole('button', { name: 'Continue with username' }).click());
  assert.equal(again.status, 200, JSON.stringify(again.body));
  await page.getByRole('heading', { name: 'Signed in' }).waitFor();
  assert.equal(await page.locator('#page-status').textContent(), '', 'no stale "signed out"');
  s.courierLogin = again.body;
  assertNoPageProblems(courier);
});

test('the courier refreshes the token during the shift', async () => {
  const { page } = courier;
  const first = s.courierLogin;
  const res = await responseOf(page, 'POST', '/v1/token',
    () => page.getByRole('button', { name: 'Refresh token' }).click());
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.notEqual(res.body.access_token, first.access_token);
  assert.equal(res.body.refresh_token, undefined, 'a refresh gives no new refresh token');
  assert.equal(res.body.session_expires_at, first.session_expires_at, 'the shift does not get longer');
  const a = decodeJwt(first.access_token);
  const { payload: b } = await verifyJwt(res.body.access_token, 'at+jwt', { audience: 'authd-services' });
  assert.equal(b.sid, a.sid);
  assert.equal(b.auth_time, a.auth_time, 'no new sign-in');
  await page.getByText(/Token refreshed at/).waitFor();
  assert.equal(await page.locator('#who-token-row').isVisible(), true);
  const intro = await http('POST', '/v1/introspect', { key: serviceKey, form: { token: res.body.access_token } });
  assert.equal(intro.body.active, true);
  s.courierToken = res.body.access_token;
  await screenshot(courier, 'login-refreshed');

  // A reload keeps the shift: the page asks /v1/me with the cookie.
  await page.reload();
  await page.getByRole('heading', { name: 'Signed in' }).waitFor();
  assert.equal(await page.locator('#who-username').textContent(), 'courier-17');

  // A courier may not use the admin APIs, nor the console.
  const users = await http('GET', '/v1/admin/users?role=courier', { key: s.courierToken });
  assert.equal(users.status, 403);
  const console2 = await courier.context.newPage();
  await console2.goto('/admin');
  await console2.getByRole('heading', { name: 'Administrators only' }).waitFor();
  await console2.close();
  assertNoPageProblems(courier);
});

test('a customer confirms a delivery with face unlock and the receipt verifies', async () => {
  // The tracking service enrolls the customer and asks for a confirmation.
  const enr = await http('POST', '/v1/enrollments', {
    key: serviceKey, json: { username: 'cust-a', role: 'customer', display_name: 'Carla Sousa' },
  });
  assert.equal(enr.status, 201, JSON.stringify(enr.body));
  const { page } = customer;
  await page.goto(enr.body.link);
  await page.getByLabel('Name this device').fill('Carla\'s phone');
  const reg = await responseOf(page, 'POST', '/v1/registration/verify',
    () => page.getByRole('button', { name: 'Create passkey' }).click());
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  assert.equal(reg.body.role, 'customer');
  await page.getByText(/You can close this page/).waitFor();

  const statement = {
    recipient: 'Carla Sousa',
    address: 'Rua Augusta 12, 1100-053 Lisboa',
    courier: 'Ana Lima (courier-17)',
    delivered_at: new Date(Date.now() - 120000).toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const req = await http('POST', '/v1/deliveries/SHP-1001/confirmations', {
    key: serviceKey, json: { customer: 'cust-a', ...statement },
  });
  assert.equal(req.status, 201, JSON.stringify(req.body));
  assert.ok(req.body.link.startsWith(ORIGIN + '/confirm/'), req.body.link);
  const pending = await http('GET', '/v1/confirmations/' + req.body.confirmation_id, { key: serviceKey });
  assert.equal(pending.body.status, 'pending');

  // The customer opens the link and sees what they are confirming.
  await page.goto(req.body.link);
  await page.getByRole('heading', { name: 'What you are confirming' }).waitFor();
  assert.equal(await page.locator('#st-shipment').textContent(), 'SHP-1001');
  assert.equal(await page.locator('#st-recipient').textContent(), statement.recipient);
  assert.equal(await page.locator('#st-address').textContent(), statement.address);
  assert.equal(await page.locator('#st-courier').textContent(), statement.courier);
  assert.notEqual(await page.locator('#st-delivered').textContent(), '—');
  await screenshot(customer, 'confirm');

  const res = await responseOf(page, 'POST', /^\/v1\/confirmations\/[^/]+\/verify$/,
    () => page.getByRole('button', { name: 'Confirm with face unlock' }).click());
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.getByRole('heading', { name: 'Delivery confirmed' }).waitFor();
  assert.equal(await page.locator('#rc-shipment').textContent(), 'SHP-1001');
  assert.equal(await page.locator('#rc-jwt').textContent(), res.body.receipt);
  await page.getByText('Show the signed receipt').click();
  await screenshot(customer, 'confirm-receipt');

  // The receipt: a JWT of typ delivery-receipt+jwt, signed with a key of
  // the JWKS, committing to the statement and the customer's passkey.
  const { payload, protectedHeader } = await verifyJwt(res.body.receipt, 'delivery-receipt+jwt',
    { audience: 'authd-services' });
  assert.equal(protectedHeader.typ, 'delivery-receipt+jwt');
  assert.equal(payload.shipment_id, 'SHP-1001');
  assert.equal(payload.confirmation_id, req.body.confirmation_id);
  const canonical = JSON.stringify(Object.fromEntries(
    Object.entries({ shipment_id: 'SHP-1001', ...statement }).sort(([x], [y]) => (x < y ? -1 : 1))));
  assert.equal(payload.statement_hash, b64url(sha256(canonical)), 'statement hash over ' + canonical);
  const [cred] = await credentialsOf(customer);
  assert.equal(payload.cid, b64url(sha256(Buffer.from(cred.credentialId, 'base64')).subarray(0, 16)));
  assert.equal(payload.sub, Buffer.from(cred.userHandle, 'base64').toString('base64url'));
  assert.equal(payload.confirmed_at, res.body.confirmed_at);
  // An access token is not a receipt, and the other way round.
  await assert.rejects(verifyJwt(res.body.receipt, 'at+jwt'));

  // The service reads the status and the same receipt.
  const done = await http('GET', '/v1/confirmations/' + req.body.confirmation_id, { key: serviceKey });
  assert.equal(done.body.status, 'confirmed');
  assert.equal(done.body.receipt, res.body.receipt);

  // A confirmation completes once.
  await page.goto(req.body.link);
  await page.getByText(/confirmed already/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Confirm with face unlock' }).isVisible(), false);
  assertNoPageProblems(customer);
});

test('the admin revokes the courier\'s lost handheld; sign-in, refresh and introspection fail', async () => {
  const { page } = admin;
  await page.goto('/admin');
  await page.locator('#console').waitFor();
  const item = page.locator('#users li[data-username="courier-17"]');
  await item.getByRole('button', { name: 'Devices of courier-17' }).click();
  const device = item.locator(`li[data-credential-id="${s.courierCredentialId}"]`);
  await device.waitFor();
  assert.match(await device.textContent(), /Handheld 12/);
  assert.match(await device.textContent(), /Active/);
  assert.doesNotMatch(await device.locator('dd').nth(3).textContent(), /Never/, 'last use recorded');
  await center(device);
  await screenshot(admin, 'admin-devices', { full: false });

  // The confirmation step, and a reason is required.
  await device.getByRole('button', { name: /^Revoke this device… Handheld 12 of courier-17$/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this device?' });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Ana Lima \(courier-17\)/);
  await dialog.getByRole('button', { name: 'Revoke device' }).click();
  await dialog.getByText(/Give a reason/).waitFor();
  await dialog.getByLabel('Reason').fill('Handheld lost on route 4');
  await screenshot(admin, 'admin-revoke-dialog', { full: false });
  const del = await responseOf(page, 'DELETE', '/v1/admin/credentials/',
    () => dialog.getByRole('button', { name: 'Revoke device' }).click());
  assert.equal(del.status, 200, JSON.stringify(del.body));
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText(/Revoked “Handheld 12” of courier-17/).waitFor();
  const revoked = item.locator(`li[data-credential-id="${s.courierCredentialId}"]`);
  await revoked.getByText('Handheld lost on route 4').waitFor();
  assert.match(await revoked.textContent(), /Revoked/);
  assert.equal(await revoked.getByRole('button').count(), 0, 'a revoked device has no revoke button');
  await page.locator('#audit li[data-event="revocation"]').first().waitFor();
  await center(revoked);
  await screenshot(admin, 'admin-revoked', { full: false });

  // The courier's open page: the next refresh fails and says why.
  const cp = courier.page;
  const refresh = await responseOf(cp, 'POST', '/v1/token',
    () => cp.getByRole('button', { name: 'Refresh token' }).click());
  assert.equal(refresh.status, 401);
  await cp.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  assert.match(await cp.locator('#signin-status').textContent(), /revoked|ended/);
  // Refresh with the refresh token (a native app) fails too.
  const api = await http('POST', '/v1/token', { json: { refresh_token: s.courierLogin.refresh_token } });
  assert.equal(api.status, 401);
  // Introspection: the courier's token is inactive at once.
  const intro = await http('POST', '/v1/introspect', { key: serviceKey, form: { token: s.courierToken } });
  assert.deepEqual(intro.body, { active: false });
  // Sign-in with the revoked passkey fails, with a clear message.
  const login = await signInWithPasskey(courier);
  assert.equal(login.status, 401);
  assert.equal(login.body.error, 'credential_revoked');
  await cp.getByText(/revoked by an administrator/).waitFor();
  await screenshot(courier, 'login-revoked');

  // Services that verify offline learn of it from the revocation feed.
  const feed = await http('GET', '/v1/revocations?since=0', { key: serviceKey });
  assert.equal(feed.status, 200, JSON.stringify(feed.body));
  const cid = decodeJwt(s.courierToken).cid;
  const sid = decodeJwt(s.courierToken).sid;
  assert.ok(feed.body.revocations.some((r) => r.kind === 'credential' && r.cid === cid), JSON.stringify(feed.body));
  assert.ok(feed.body.revocations.some((r) => r.kind === 'session' && r.sid === sid), JSON.stringify(feed.body));
  const later = await http('GET', '/v1/revocations?since=' + feed.body.cursor, { key: serviceKey });
  assert.deepEqual(later.body.revocations, []);
  assertNoPageProblems(admin);
  assertNoPageProblems(courier);
});

test('nobody can revoke the last device of the last admin', async () => {
  const { page } = admin;
  await page.getByText('Admins', { exact: true }).click();
  const item = page.locator('#users li[data-username="admin"]');
  await item.getByRole('button', { name: 'Devices of admin' }).click();
  await item.getByRole('button', { name: /^Revoke this device… Admin laptop of admin$/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this device?' });
  await dialog.getByLabel('Reason').fill('testing the lock-out guard');
  const del = await responseOf(page, 'DELETE', '/v1/admin/credentials/',
    () => dialog.getByRole('button', { name: 'Revoke device' }).click());
  assert.equal(del.status, 409);
  assert.equal(del.body.error, 'last_admin_device');
  await dialog.getByText(/last device of the last administrator/).waitFor();
  await screenshot(admin, 'admin-last-admin', { full: false });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.match(await item.textContent(), /Active/);
  assertNoPageProblems(admin);
});
