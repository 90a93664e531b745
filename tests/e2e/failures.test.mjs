// failures.test.mjs: what the pages say when things go wrong, through the
// real pages: user verification not performed, a cancelled prompt, no
// passkey on this device, a used enrollment link, an expired confirmation
// link, another customer's confirmation.  Its users are made with
// `authctl enroll` and its own service key, so it does not depend on the
// journeys.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  CONFIRMATION_LIFETIME, addAuthenticator, assertNoPageProblems, removeAuthenticator, closeDevice, enrollmentLink, http, launchBrowser,
  newDevice, newServiceKey, responseOf, screenshot, setPresence, setUserVerified, signInWithPasskey, sleep,
} from './lib.mjs';

let browser, serviceKey;
const devices = [];

async function device(name, opts) {
  const d = await newDevice(browser, name, opts);
  devices.push(d);
  return d;
}

// Enrolls a passkey on `dev` through /enroll.
async function enroll(dev, username, role, label) {
  const link = await enrollmentLink(username, role, username);
  await dev.page.goto(link);
  await dev.page.getByLabel('Name this device').fill(label);
  const res = await responseOf(dev.page, 'POST', '/v1/registration/verify',
    () => dev.page.getByRole('button', { name: 'Create passkey' }).click());
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { link, credentialId: res.body.credential_id };
}

// Rewrites the JSON of the next responses to `path` with `edit`: what a
// tampered or lax client would send the authenticator.
async function editOptions(page, path, edit) {
  await page.route((url) => url.pathname.startsWith(path) && url.pathname.endsWith('/options') ||
    url.pathname === path, async (route) => {
    const res = await route.fetch();
    const json = await res.json();
    edit(json.publicKey || json);
    await route.fulfill({ response: res, json });
  });
}

async function confirmation(customer, shipment) {
  const res = await http('POST', '/v1/deliveries/' + shipment + '/confirmations', {
    key: serviceKey,
    json: {
      customer, recipient: 'Dora Dias', address: 'Avenida da Liberdade 200, Lisboa',
      courier: 'Rui Reis (courier-21)', delivered_at: '2026-11-29T10:30:00Z',
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

before(async () => {
  browser = await launchBrowser();
  serviceKey = await newServiceKey('tracking-failures');
});

after(async () => {
  for (const d of devices) await closeDevice(d);
  if (browser) await browser.close();
});

test('enrollment: user verification not performed', async () => {
  const dev = await device('handheld without UV');
  await setUserVerified(dev, false);
  const link = await enrollmentLink('courier-uv', 'courier', 'Uma Vaz');
  const { page } = dev;
  await page.goto(link);
  await page.getByLabel('Name this device').fill('Handheld 30');
  // UV is required: the browser refuses to make the passkey at all.
  await page.getByRole('button', { name: 'Create passkey' }).click();
  await page.getByText(/The passkey was not created/).waitFor();
  // An authenticator that cannot verify the user (no fingerprint, no
  // PIN), and a lax client that does not ask for it: authd refuses.
  await removeAuthenticator(dev);
  await addAuthenticator(dev, { hasUserVerification: false, isUserVerified: false });
  await editOptions(page, '/v1/registration/options', (o) => {
    o.authenticatorSelection.userVerification = 'discouraged';
  });
  const res = await responseOf(page, 'POST', '/v1/registration/verify',
    () => page.getByRole('button', { name: 'Create passkey' }).click());
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error, 'user_not_verified');
  await page.getByText(/did not verify you/).waitFor();
  assert.equal(await page.locator('#enroll-status').getAttribute('aria-live'), 'assertive');
  await screenshot(dev, 'enroll-uv-not-performed');
  // With a working fingerprint, the same link still works.
  await page.unrouteAll();
  await removeAuthenticator(dev);
  await addAuthenticator(dev);
  const ok = await responseOf(page, 'POST', '/v1/registration/verify',
    () => page.getByRole('button', { name: 'Create passkey' }).click());
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assertNoPageProblems(dev);
});

test('sign-in: user verification not performed', async () => {
  const dev = await device('handheld, finger not recognised');
  await enroll(dev, 'courier-21', 'courier', 'Handheld 21');
  const { page } = dev;
  await page.goto('/login');
  await setUserVerified(dev, false);
  await page.getByRole('button', { name: 'Sign in with passkey' }).click();
  await page.getByText(/No passkey was used/).waitFor();
  await editOptions(page, '/v1/authentication/options', (o) => { o.userVerification = 'discouraged'; });
  const res = await signInWithPasskey(dev);
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.equal(res.body.error, 'user_not_verified');
  await page.getByText(/did not verify you/).waitFor();
  await screenshot(dev, 'login-uv-not-performed');
  await page.unrouteAll();
  await setUserVerified(dev, true);
  assert.equal((await signInWithPasskey(dev)).status, 200);
  assertNoPageProblems(dev);
});

test('sign-in: the prompt is cancelled', async () => {
  const dev = await device('handheld, prompt cancelled');
  await enroll(dev, 'courier-22', 'courier', 'Handheld 22');
  const { page } = dev;
  await page.goto('/login');
  // Nobody touches the sensor: the prompt times out (shortened here).
  await setPresence(dev, false);
  await editOptions(page, '/v1/authentication/options', (o) => { o.timeout = 1500; });
  await page.getByRole('button', { name: 'Sign in with passkey' }).click();
  await page.getByText(/prompt was cancelled or timed out/).waitFor({ timeout: 20000 });
  const button = page.getByRole('button', { name: 'Sign in with passkey' });
  assert.equal(await button.isEnabled(), true, 'the button works again');
  await screenshot(dev, 'login-cancelled');
  // Trying again works.
  await page.unrouteAll();
  await setPresence(dev, true);
  assert.equal((await signInWithPasskey(dev)).status, 200);
  assertNoPageProblems(dev);
});

test('sign-in: no passkey on this device', async () => {
  const dev = await device('borrowed phone');
  const { page } = dev;
  await page.goto('/login');
  await page.getByRole('button', { name: 'Sign in with passkey' }).click();
  await page.getByText(/this device has no passkey for this account/).waitFor();
  // Username first: the same clear message, and no hint whether the user exists.
  await page.getByLabel('Username').fill('courier-21');
  await page.getByRole('button', { name: 'Continue with username' }).click();
  await page.getByText(/ask for an enrollment link/).waitFor();
  await screenshot(dev, 'login-no-passkey');
  assertNoPageProblems(dev);
});

test('enrollment: a used link, and a link without a code', async () => {
  const first = await device('first phone');
  const { link } = await enroll(first, 'courier-23', 'courier', 'Handheld 23');
  const dev = await device('second phone');
  const { page } = dev;
  await page.goto(link);
  await page.getByLabel('Name this device').fill('Another handheld');
  const res = await responseOf(page, 'POST', '/v1/registration/options',
    () => page.getByRole('button', { name: 'Create passkey' }).click());
  assert.ok(res.status === 401 || res.status === 400, JSON.stringify(res.body));
  await page.getByText(/not valid|used already/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create passkey' }).isVisible(), false);
  await screenshot(dev, 'enroll-used-link');
  await page.goto('/enroll');
  await page.getByText(/has no code/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create passkey' }).isVisible(), false);
  assertNoPageProblems(dev);
});

test('confirmation: another customer\'s delivery', async () => {
  const dora = await device('Dora\'s phone');
  await enroll(dora, 'cust-dora', 'customer', 'Dora\'s phone');
  const eve = await device('Eve\'s phone');
  await enroll(eve, 'cust-eve', 'customer', 'Eve\'s phone');
  const c = await confirmation('cust-dora', 'SHP-2001');
  const { page } = eve;
  await page.goto(c.link);
  await page.getByRole('heading', { name: 'What you are confirming' }).waitFor();
  // The browser offers only Dora's passkeys: Eve's phone has none.
  await page.getByRole('button', { name: 'Confirm with face unlock' }).click();
  await page.getByText(/Only that customer can confirm it/).waitFor();
  // A tampered client that lets Eve's passkey sign: authd refuses it.
  await editOptions(page, '/v1/confirmations/', (o) => { o.allowCredentials = []; });
  const res = await responseOf(page, 'POST', /^\/v1\/confirmations\/[^/]+\/verify$/,
    () => page.getByRole('button', { name: 'Confirm with face unlock' }).click());
  assert.equal(res.status, 403, JSON.stringify(res.body));
  assert.equal(res.body.error, 'wrong_customer');
  await page.getByText(/belongs to a different customer/).waitFor();
  await screenshot(eve, 'confirm-wrong-customer');
  const st = await http('GET', '/v1/confirmations/' + c.confirmation_id, { key: serviceKey });
  assert.equal(st.body.status, 'pending');
  // A service sees only its own confirmations.
  const other = await newServiceKey('another-tracker');
  assert.equal((await http('GET', '/v1/confirmations/' + c.confirmation_id, { key: other })).status, 404);
  // Dora can still confirm it.
  await dora.page.goto(c.link);
  const ok = await responseOf(dora.page, 'POST', /^\/v1\/confirmations\/[^/]+\/verify$/,
    () => dora.page.getByRole('button', { name: 'Confirm with face unlock' }).click());
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assertNoPageProblems(eve);
  assertNoPageProblems(dora);
});

test('confirmation: an expired link', async () => {
  const dev = await device('Fia\'s phone');
  await enroll(dev, 'cust-fia', 'customer', 'Fia\'s phone');
  const late = await confirmation('cust-fia', 'SHP-3001');
  const opened = await confirmation('cust-fia', 'SHP-3002');
  const { page } = dev;
  // One link is opened in time but confirmed too late.
  await page.goto(opened.link);
  await page.getByRole('heading', { name: 'What you are confirming' }).waitFor();
  await sleep((CONFIRMATION_LIFETIME + 1) * 1000);
  const res = await responseOf(page, 'POST', /^\/v1\/confirmations\/[^/]+\/verify$/,
    () => page.getByRole('button', { name: 'Confirm with face unlock' }).click());
  assert.equal(res.status, 410, JSON.stringify(res.body));
  await page.getByText(/confirmation link has expired/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Confirm with face unlock' }).isVisible(), false);
  // The other is opened after it expired.
  const open = await responseOf(page, 'POST', '/v1/confirmations/', () => page.goto(late.link));
  assert.equal(open.status, 410);
  await page.getByText(/confirmation link has expired/).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'What you are confirming' }).isVisible(), false);
  await screenshot(dev, 'confirm-expired');
  const st = await http('GET', '/v1/confirmations/' + late.confirmation_id, { key: serviceKey });
  assert.equal(st.body.status, 'expired');
  // An unknown link.
  await page.goto('/confirm/AAAAAAAAAAAAAAAAAAAAAA');
  await page.getByText(/link is not valid/).waitFor();
  assertNoPageProblems(dev);
});
