// compat.test.mjs: the pages in a browser without the WebAuthn JSON
// methods (parseCreationOptionsFromJSON, parseRequestOptionsFromJSON,
// PublicKeyCredential.prototype.toJSON): the pages' own base64url
// conversion must give authd the same JSON.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  assertNoPageProblems, closeDevice, enrollmentLink, http, launchBrowser, newDevice, newServiceKey,
  responseOf, screenshot, signInWithPasskey,
} from './lib.mjs';

let browser, serviceKey;
const devices = [];

// These phones are also in dark mode: the checks of contrast run on it.
async function oldBrowserDevice(name) {
  const dev = await newDevice(browser, name, { colorScheme: 'dark' });
  await dev.context.addInitScript(() => {
    delete PublicKeyCredential.parseCreationOptionsFromJSON;
    delete PublicKeyCredential.parseRequestOptionsFromJSON;
    delete PublicKeyCredential.prototype.toJSON;
  });
  devices.push(dev);
  return dev;
}

async function enroll(dev, username, role, label) {
  await dev.page.goto(await enrollmentLink(username, role, username));
  assert.equal(await dev.page.evaluate(() => typeof PublicKeyCredential.parseCreationOptionsFromJSON), 'undefined');
  assert.equal(await dev.page.evaluate(() => typeof PublicKeyCredential.prototype.toJSON), 'undefined');
  await dev.page.getByLabel('Name this device').fill(label);
  const res = await responseOf(dev.page, 'POST', '/v1/registration/verify',
    () => dev.page.getByRole('button', { name: 'Create passkey' }).click());
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await dev.page.getByRole('heading', { name: 'Passkey created' }).waitFor();
  return res.body;
}

before(async () => {
  browser = await launchBrowser();
  serviceKey = await newServiceKey('tracking-compat');
});

after(async () => {
  for (const d of devices) await closeDevice(d);
  if (browser) await browser.close();
});

test('without the native JSON methods: enrollment and both kinds of sign-in', async () => {
  const dev = await oldBrowserDevice('older handheld');
  await enroll(dev, 'courier-40', 'courier', 'Handheld 40');
  const { page } = dev;
  await page.goto('/login');
  const res = await signInWithPasskey(dev);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.getByRole('heading', { name: 'Signed in' }).waitFor();
  await screenshot(dev, 'login-signed-in-dark');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Username').fill('courier-40');
  const again = await responseOf(page, 'POST', '/v1/authentication/verify',
    () => page.getByRole('button', { name: 'Continue with username' }).click());
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.user.username, 'courier-40');
  await page.getByRole('heading', { name: 'Signed in' }).waitFor();
  assertNoPageProblems(dev);
});

test('without the native JSON methods: a delivery confirmation', async () => {
  const dev = await oldBrowserDevice('older phone');
  await enroll(dev, 'cust-gil', 'customer', 'Gil\'s phone');
  const c = await http('POST', '/v1/deliveries/SHP-4001/confirmations', {
    key: serviceKey,
    json: {
      customer: 'cust-gil', recipient: 'Gil Gomes', address: 'Praça do Comércio 1, Lisboa',
      courier: 'Ana Lima', delivered_at: '2026-11-29T09:00:00Z',
    },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  await dev.page.goto(c.body.link);
  const res = await responseOf(dev.page, 'POST', /^\/v1\/confirmations\/[^/]+\/verify$/,
    () => dev.page.getByRole('button', { name: 'Confirm with face unlock' }).click());
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await dev.page.getByRole('heading', { name: 'Delivery confirmed' }).waitFor();
  await screenshot(dev, 'confirm-receipt-dark');
  assertNoPageProblems(dev);
});
