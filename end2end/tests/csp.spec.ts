import type { Page } from '@playwright/test';

import { allowConsoleError, expect, header, open, png, signUpByApi, test, uniqueEmail } from './support';

// The Content-Security-Policy (server/src/hardening.rs) must not get in the way of the app: every
// page hydrates and nothing it loads is refused. The browser reports each refusal as a
// `securitypolicyviolation` event (and as a console error, which the console guard of support.ts
// catches on every other test too).

declare global {
  interface Window {
    cspViolations: string[];
  }
}

/** Records every CSP violation of every document the page opens, from before its first script. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
}

/**
 * Opens `path`, waits for hydration and for what the page loads afterwards, and checks the policy
 * was sent and nothing was refused. A signed-in page opens the live events stream (`GET /events`,
 * which never goes idle, so "network idle" is no condition to wait for): wait for its answer.
 */
async function visit(page: Page, path: string, signedIn = false): Promise<void> {
  const response = page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().resourceType() === 'document');
  const events = signedIn ? page.waitForResponse((r) => new URL(r.url()).pathname === '/events') : null;
  await open(page, path);
  const csp = (await response).headers()['content-security-policy'] ?? '';
  expect(csp, `${path} has a nonce-based policy`).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'/);
  expect(csp).not.toContain('unsafe-inline');
  // The late loads happen before looking: the document's own (load event), every image the page
  // shows by now, and the events stream (a refused stream never answers: this wait then fails).
  await page.waitForLoadState('load');
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
  if (events) {
    expect((await events).status(), `${path} opened the live events stream`).toBe(200);
  }
  expect(await page.evaluate(() => window.cspViolations), `CSP violations on ${path}`).toEqual([]);
}

async function uploadByApi(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<string> {
  const response = await page.request.post('/rpc/files/upload', {
    multipart: { file: { name, mimeType, buffer } },
    headers: { Accept: 'application/json' },
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json())[0].id;
}

// Each page hydrates a debug wasm build: give a tour of several pages more than one page's time.
test.describe.configure({ timeout: 90_000 });

test('signed-out pages load and hydrate without a CSP violation', async ({ page }) => {
  await recordViolations(page);
  for (const path of ['/', '/signin', '/signup', '/forgot-password']) {
    await visit(page, path);
  }
});

test('signed-in pages, an image preview and the profile load without a CSP violation', async ({ page }) => {
  await recordViolations(page);
  await signUpByApi(page.request, uniqueEmail('csp'), 'Policy');
  const image = await uploadByApi(page, 'square.png', 'image/png', png(16));

  for (const path of ['/profile', '/files', '/notifications']) {
    await visit(page, path, true);
  }
  // The preview image came from our own download URL and was shown.
  await visit(page, `/files/${image}`, true);
  await expect(page.locator('img.preview-image')).toHaveJSProperty('complete', true);
  expect(await page.locator('img.preview-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(16);

  // Client-side navigation after hydration (the router fetches data through /rpc).
  await header(page).getByRole('link', { name: 'Files', exact: true }).click();
  await expect(page).toHaveURL(/\/files$/);
  expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  // Signing out of a provider's session posts a form whose answer redirects to the provider, and
  // Chromium holds that redirect to the page's form-action: the provider's origin must be allowed.
  test('signing out of a provider session reaches the provider despite form-action', async ({ page }) => {
    const login = `csp-nojs-${Date.now()}`;
    // The test provider's own end-session page asks for a web font; there is no internet here.
    allowConsoleError(page, /fonts\.googleapis\.com/);
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
    await page.getByLabel('Login').fill(login);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page).toHaveURL('/profile');

    const app = new URL(page.url()).origin;
    await page.locator('details.user-menu > summary').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    // At the provider's end-session endpoint now, not on Chromium's "blocked" page.
    await expect(page).toHaveURL(/\/session\/end/);
    expect(new URL(page.url()).origin).not.toBe(app);
  });
});
