// lib.mjs: shared helpers of the browser tests.  tests/e2e/run.sh starts
// authd and sets the E2E_* variables; each person in a journey is a
// "device": a browser context (own cookies) with a phone-sized viewport
// and its own DevTools WebAuthn virtual authenticator (CTAP2, internal
// transport, resident keys, user verification).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';

const run = promisify(execFile);

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(name + ' is not set: run the tests with tests/e2e/run.sh');
  return v;
}

export const ORIGIN = env('E2E_ORIGIN');
export const ADMIN_LINK = env('E2E_ADMIN_LINK');
export const DB = env('E2E_DB');
export const AUTHCTL = env('E2E_AUTHCTL');
export const ARTIFACTS = env('E2E_ARTIFACTS');
export const CONFIRMATION_LIFETIME = Number(process.env.E2E_CONFIRMATION_LIFETIME || 8);
export const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

// A phone: the pages are mobile-first.
export const PHONE = { width: 390, height: 844 };

// Debian's chromium, never a downloaded browser.  Playwright gives every
// launch a fresh temporary --user-data-dir of its own (it refuses the
// flag in args) and deletes it at close.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// A person's device.  authenticator: false gives a device without one
// attached yet (see addAuthenticator); colorScheme 'dark' a phone in dark
// mode.
export async function newDevice(browser, name, { authenticator = true, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({
    baseURL: ORIGIN,
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-GB',
    timezoneId: 'UTC',
    colorScheme,
  });
  // Every step of these pages takes well under a second.
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const dev = {
    name, context, page, cdp: await context.newCDPSession(page), authenticatorId: null,
    problems: [],	// CSP violations and script errors seen on the pages
  };
  page.on('pageerror', (e) => dev.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    // A failed fetch (4xx) is logged as "Failed to load resource": expected.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      dev.problems.push('console: ' + m.text());
    }
  });
  await dev.cdp.send('WebAuthn.enable', { enableUI: false });
  if (authenticator) await addAuthenticator(dev);
  return dev;
}

export async function addAuthenticator(dev, overrides = {}) {
  const { authenticatorId } = await dev.cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      ...overrides,
    },
  });
  dev.authenticatorId = authenticatorId;
  return authenticatorId;
}

export async function removeAuthenticator(dev) {
  await dev.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: dev.authenticatorId });
  dev.authenticatorId = null;
}

export async function setUserVerified(dev, isUserVerified) {
  await dev.cdp.send('WebAuthn.setUserVerified', { authenticatorId: dev.authenticatorId, isUserVerified });
}

export async function setPresence(dev, enabled) {
  await dev.cdp.send('WebAuthn.setAutomaticPresenceSimulation', {
    authenticatorId: dev.authenticatorId, enabled,
  });
}

export async function credentialsOf(dev) {
  const { credentials } = await dev.cdp.send('WebAuthn.getCredentials', { authenticatorId: dev.authenticatorId });
  return credentials;
}

export function assertNoPageProblems(dev) {
  assert.deepEqual(dev.problems, [], dev.name + ': CSP violations or script errors on the pages');
}

export async function closeDevice(dev) {
  await dev.context.close().catch(() => {});
}

// axe-core's WCAG 2.1 A and AA rules (labels, names, contrast, ARIA,
// landmarks) on the page as it is now.  Injected with page.evaluate,
// which the pages' CSP does not govern; the pages themselves stay strict.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function assertAccessible(dev, name) {
  const { page } = dev;
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  assert.deepEqual(violations, [], name + ': accessibility violations');
}

// The whole page, or with {full: false} what the phone's screen shows now.
// Also checks the layout fits the phone: nothing wider than the screen.
export async function screenshot(dev, name, { full = true } = {}) {
  const wide = await dev.page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    return {
      scrollWidth: document.documentElement.scrollWidth,
      width: w,
      elements: [...document.querySelectorAll('body *')]
        .filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().right > w + 1)
        .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))
        .slice(0, 5),
    };
  });
  assert.ok(wide.scrollWidth <= wide.width && wide.elements.length === 0,
    name + ': the page is wider than the phone: ' + JSON.stringify(wide));
  await assertAccessible(dev, name);
  await dev.page.screenshot({ path: join(SCREENSHOTS, name + '.png'), fullPage: full });
}

// Waits for the next response of `method path` while `action` runs;
// `path` is a path prefix or a RegExp on the path.  Returns {status, body}.
export async function responseOf(page, method, path, action) {
  const match = (p) => (path instanceof RegExp ? path.test(p) : p.startsWith(path));
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && match(new URL(r.url()).pathname)),
    action(),
  ]);
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status(), body };
}

// --- the tracking service and other non-browser callers -----------------

export async function authctl(...args) {
  const { stdout } = await run(AUTHCTL, ['--db', DB, ...args], { timeout: 30000 });
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// A service client; its audience is authd's token audience, so it can
// introspect the couriers' tokens.
export async function newServiceKey(name) {
  const [out] = await authctl('service', 'add', name, 'authd-services');
  assert.match(out.api_key, /^sk_/);
  return out.api_key;
}

// A one-time enrollment link made with authctl (the CLI path).
export async function enrollmentLink(username, role, displayName) {
  const [out] = await authctl('enroll', username, role, '--display-name', displayName || username);
  return ORIGIN + '/enroll?code=' + out.code;
}

export async function http(method, path, { key, json, form, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (key) init.headers.Authorization = 'Bearer ' + key;
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  if (form !== undefined) {
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  }
  const res = await fetch(ORIGIN + path, init);
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

// --- tokens -------------------------------------------------------------

const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', ORIGIN), { cacheMaxAge: 0 });

export async function verifyJwt(jwt, typ, options = {}) {
  const header = decodeProtectedHeader(jwt);
  assert.equal(header.typ, typ);
  const { payload, protectedHeader } = await jwtVerify(jwt, jwks, {
    typ, algorithms: ['EdDSA', 'ES256'], issuer: ORIGIN, ...options,
  });
  return { payload, protectedHeader };
}

// --- page steps -----------------------------------------------------------

// Enrolls this device's passkey through /enroll; returns the verify body.
export async function enrollThroughPage(dev, link, label) {
  const { page } = dev;
  await page.goto(link);
  await page.getByLabel('Name this device').fill(label);
  const res = await responseOf(page, 'POST', '/v1/registration/verify',
    () => page.getByRole('button', { name: 'Create passkey' }).click());
  return res;
}

// Signs in with the big passkey button on /login or /admin.
export async function signInWithPasskey(dev) {
  return responseOf(dev.page, 'POST', '/v1/authentication/verify',
    () => dev.page.getByRole('button', { name: 'Sign in with passkey' }).click());
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
