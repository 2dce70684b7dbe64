import type { Page } from '@playwright/test';

import { allowConsoleError, expect, expectNoViolations, open, signUpByApi, test, uniqueEmail } from './support';

// Every page scanned by axe-core against WCAG 2.1 A and AA, in light and in dark mode, after
// hydration (what a user of the running app gets).

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} mode`, () => {
    test.use({ colorScheme });

    test('landing page', async ({ page }) => {
      await open(page, '/');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expectNoViolations(page, `/ (${colorScheme})`);
    });

    test('sign-in page', async ({ page }) => {
      await open(page, '/signin');
      await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
      await expectNoViolations(page, `/signin (${colorScheme})`);
    });

    test('sign-in page showing an error', async ({ page }) => {
      await open(page, '/signin');
      await page.getByLabel('E-mail address', { exact: true }).fill(uniqueEmail('nobody'));
      await page.getByLabel('Password', { exact: true }).fill('not the right password at all');
      await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(page.locator('div.alert.alert-error')).toHaveText('Wrong e-mail address or password.');
      await expectNoViolations(page, `/signin with an error (${colorScheme})`);
    });

    test('sign-up page', async ({ page }) => {
      await open(page, '/signup');
      await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
      await expectNoViolations(page, `/signup (${colorScheme})`);
    });

    test('sign-up page showing field errors', async ({ page }) => {
      await open(page, '/signup');
      await page.getByLabel('E-mail address', { exact: true }).pressSequentially('ada.example.com');
      await page.getByLabel('Password', { exact: true }).pressSequentially('short');
      await expect(page.locator('p.field-error').filter({ hasText: 'Use at least 12 characters.' })).toBeVisible();
      await expectNoViolations(page, `/signup with field errors (${colorScheme})`);
    });

    test('profile page (signed in)', async ({ page }) => {
      await signUpByApi(page.request, uniqueEmail(`a11y-${colorScheme}`), 'Axe Tester');
      await open(page, '/profile');
      await expect(page.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();
      await expectNoViolations(page, `/profile (${colorScheme})`);
      // And with the success message shown.
      await page.getByRole('button', { name: 'Save changes' }).click();
      await expect(page.getByText('Your profile has been saved.')).toBeVisible();
      await expectNoViolations(page, `/profile after saving (${colorScheme})`);
    });

    test('files page with files, uploads and an open dialog (signed in)', async ({ page }) => {
      await signUpByApi(page.request, uniqueEmail(`a11y-files-${colorScheme}`), 'Axe Files');
      for (const name of ['agenda.txt', 'budget.csv']) {
        const response = await page.request.post('/rpc/files/upload', {
          headers: { Accept: 'application/json' },
          multipart: { file: { name, mimeType: 'text/plain', buffer: Buffer.from(`${name}\nline two\n`) } },
        });
        expect(response.status()).toBe(201);
      }
      await open(page, '/files');
      await expect(page.getByRole('heading', { level: 1, name: 'Files' })).toBeVisible();
      await page.locator('#upload-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes') });
      await expect(page.getByRole('list', { name: 'Uploads' })).toContainText('Uploaded');
      await pausedLargeUpload(page, 'Pause the upload of large.pdf', 'Paused at');
      await page.locator('table.file-table summary').filter({ hasText: 'Delete' }).first().click();
      await expectNoViolations(page, `/files (${colorScheme})`);

      await page.locator('table.file-table').getByRole('link', { name: 'agenda.txt', exact: true }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'agenda.txt' })).toBeVisible();
      await page.getByRole('button', { name: 'Create link' }).click();
      await expect(page.getByLabel('Copy this link now; it is shown only once:')).toHaveValue(/\/s\//);
      await expectNoViolations(page, `/files/{id} (${colorScheme})`);
    });

    test('notifications page with a notification (signed in)', async ({ page }) => {
      await signUpByApi(page.request, uniqueEmail(`a11y-bell-${colorScheme}`), 'Axe Bell');
      const response = await page.request.post('/rpc/files/upload', {
        headers: { Accept: 'application/json' },
        multipart: { file: { name: 'memo.txt', mimeType: 'text/plain', buffer: Buffer.from('memo\n') } },
      });
      expect(response.status()).toBe(201);
      await open(page, '/notifications');
      await expect(page.getByRole('link', { name: /memo\.txt.*is ready/ })).toBeVisible({ timeout: 20_000 });
      await expectNoViolations(page, `/notifications (${colorScheme})`);
    });

    test('header menus, open', async ({ page }) => {
      await signUpByApi(page.request, uniqueEmail(`a11y-menu-${colorScheme}`), 'Menu Tester');
      await open(page, '/');
      const languages = page.locator('header details.menu:not(.user-menu)');
      await languages.locator('summary').click();
      await expect(languages.getByRole('button').first()).toBeVisible();
      await expectNoViolations(page, `the open language menu (${colorScheme})`);
      await languages.locator('summary').click();
      const user = page.locator('header details.user-menu');
      await user.locator('summary').click();
      await expect(user.getByRole('button', { name: 'Sign out' })).toBeVisible();
      await expectNoViolations(page, `the open user menu (${colorScheme})`);
    });

    test('page not found', async ({ page }) => {
      // The browser logs the document's own 404 status.
      allowConsoleError(page, /status of 404.*\/no-such-page/);
      const response = await page.goto('/no-such-page');
      expect(response?.status()).toBe(404);
      await page.waitForSelector('html[data-hydrated="true"]', { state: 'attached' });
      await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
      await expectNoViolations(page, `a 404 page (${colorScheme})`);
    });
  });
}

/**
 * Starts a resumable upload (a file over 8 MiB) whose chunks never get through, and pauses it
 * from the keyboard: the upload list then shows its progress, status and Resume button.
 */
async function pausedLargeUpload(page: Page, pauseLabel: string, pausedText: string): Promise<void> {
  allowConsoleError(page, /\/api\/v1\/uploads/);
  await page.route('**/api/v1/uploads/*', (route) => (route.request().method() === 'PATCH' ? undefined : route.continue()));
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(9 * 1024 * 1024, 7)]);
  await page.locator('#upload-input').setInputFiles({ name: 'large.pdf', mimeType: 'application/pdf', buffer: pdf });
  const pause = page.getByRole('button', { name: pauseLabel });
  await pause.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('ul.upload-list')).toContainText(pausedText);
}

test.describe('Arabic (right to left)', () => {
  test.use({ locale: 'ar' });

  test('files page with a paused resumable upload', async ({ page }) => {
    await signUpByApi(page.request, uniqueEmail('a11y-files-ar'), 'Axe Arabic');
    const arabic = await page.request.post('/rpc/account/set_language', { form: { lang: 'ar' }, headers: { Accept: 'application/json' } });
    expect(arabic.status()).toBe(200);
    await open(page, '/files');
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await pausedLargeUpload(page, 'إيقاف رفع large.pdf مؤقتًا', 'متوقف مؤقتًا');
    await expect(page.getByRole('button', { name: 'استئناف رفع large.pdf' })).toBeVisible();
    await expectNoViolations(page, '/files with a paused upload in Arabic');
  });

  test('landing page', async ({ page }) => {
    await open(page, '/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await expectNoViolations(page, '/ in Arabic');
  });
});
