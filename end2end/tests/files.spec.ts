import { allowConsoleError, expect, header, open, openStatic, png, signUpByApi, test, uniqueEmail, userMenu } from './support';

// Documents and avatars, as a user meets them in Chromium.

test('upload files, see them listed, download one byte for byte, and delete one', async ({ page }) => {
  await signUpByApi(page.request, uniqueEmail('files'), 'Filer');
  await open(page, '/files');
  await expect(page.getByRole('heading', { level: 1, name: 'Files' })).toBeVisible();
  await expect(page.getByText('No files yet.')).toBeVisible();

  const report = Buffer.from('Quarterly report\n'.repeat(2000));
  await page.locator('#upload-input').setInputFiles([
    { name: 'report.txt', mimeType: 'text/plain', buffer: report },
    { name: 'photo.png', mimeType: 'image/png', buffer: png(40, [200, 30, 30]) },
    { name: 'tool.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00not a pdf at all') },
  ]);

  const uploads = page.getByRole('list', { name: 'Uploads' });
  await expect(uploads.getByRole('listitem')).toHaveCount(3);
  await expect(uploads.getByRole('listitem').filter({ hasText: 'report.txt' })).toContainText('Uploaded');
  await expect(uploads.getByRole('listitem').filter({ hasText: 'photo.png' })).toContainText('Uploaded');
  await expect(uploads.getByRole('listitem').filter({ hasText: 'tool.pdf' })).toContainText(
    'this type of file is not accepted',
  );
  await expect(uploads.locator('progress').first()).toHaveAttribute('value', '100');

  // Each stored file is processed by a background job, which notifies: the bell counts both
  // without a reload.
  await expect(header(page).getByRole('link', { name: /Notifications, \W*2\W* unread/ })).toBeVisible({ timeout: 20_000 });

  const table = page.locator('table.file-table');
  await expect(table.getByRole('link', { name: 'report.txt', exact: true })).toBeVisible();
  await expect(table.getByRole('link', { name: 'photo.png', exact: true })).toBeVisible();
  await expect(table.getByText('tool.pdf')).toHaveCount(0);

  const downloadPromise = page.waitForEvent('download');
  await table.getByRole('link', { name: 'Download report.txt' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('report.txt');
  const path = await download.path();
  const fs = await import('node:fs');
  expect(fs.readFileSync(path).equals(report)).toBe(true);

  // Search, then delete with confirmation.
  await page.getByRole('searchbox', { name: 'Search by name' }).fill('photo');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=photo/);
  await expect(table.getByRole('link', { name: 'report.txt', exact: true })).toHaveCount(0);
  await table.locator('summary', { hasText: 'Delete' }).click();
  await expect(page.getByText('Delete “photo.png” for good?')).toBeVisible();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByText('No file name matches your search.')).toBeVisible();
});

test('the file page previews, renames and shares a file', async ({ page, browser }) => {
  await signUpByApi(page.request, uniqueEmail('share'), 'Sharer');
  const upload = await page.request.post('/rpc/files/upload', {
    headers: { Accept: 'application/json' },
    multipart: { file: { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Meeting\nThe budget is 42.\n') } },
  });
  expect(upload.status()).toBe(201);
  const [file] = await upload.json();

  await open(page, `/files/${file.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'notes.md' })).toBeVisible();
  await expect(page.locator('pre.preview-text')).toContainText('The budget is 42.');

  await page.getByLabel('New name').fill('minutes.md');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'minutes.md' })).toBeVisible();

  await page.getByLabel('Link valid for').selectOption('1d');
  await page.getByRole('button', { name: 'Create link' }).click();
  const link = page.getByLabel('Copy this link now; it is shown only once:');
  await expect(link).toHaveValue(/\/s\//);
  const url = await link.inputValue();

  // Someone without an account downloads it.
  const stranger = await browser.newContext();
  const response = await stranger.request.get(url);
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain('The budget is 42.');

  await expect(page.getByRole('listitem').filter({ hasText: 'Expires' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'Expires' })).toHaveCount(0);
  expect((await stranger.request.get(url)).status()).toBe(404);
  await stranger.close();
});

test('set an avatar and see it in the header', async ({ page }) => {
  await signUpByApi(page.request, uniqueEmail('avatar'), 'Avery');
  await open(page, '/profile');
  await expect(userMenu(page).locator('span.avatar')).toHaveText('A');

  await page.getByLabel('Image').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png(300, [20, 120, 220]) });
  await page.getByRole('button', { name: 'Upload avatar' }).click();

  await expect(page.getByText('Your avatar was updated.')).toBeVisible();
  const small = userMenu(page).locator('img.avatar');
  await expect(small).toHaveAttribute('src', /\/avatars\/.+\/64\.png$/);
  const size = await small.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
  expect(size).toEqual([64, 64]);
  await expect(page.getByRole('img', { name: 'Your avatar' })).toHaveAttribute('src', /256\.png$/);

  await page.getByRole('button', { name: 'Remove avatar' }).click();
  await expect(userMenu(page).locator('span.avatar')).toHaveText('A');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('upload with the plain form, then read the list and the file page', async ({ page }) => {
    await signUpByApi(page.request, uniqueEmail('nojs-files'));
    await openStatic(page, '/files');
    await page.locator('#upload-input').setInputFiles({ name: 'plain.txt', mimeType: 'text/plain', buffer: Buffer.from('no script needed') });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(page.getByText('One file uploaded.')).toBeVisible();
    await page.locator('table.file-table').getByRole('link', { name: 'plain.txt', exact: true }).click();
    await expect(page.locator('pre.preview-text')).toHaveText('no script needed');
    await expect(header(page).getByRole('link', { name: 'Files' })).toBeVisible();
  });
});

test('the bell leads to the notifications, which can be read and deleted', async ({ page }) => {
  await signUpByApi(page.request, uniqueEmail('bell'), 'Belle');
  const upload = await page.request.post('/rpc/files/upload', {
    headers: { Accept: 'application/json' },
    multipart: { file: { name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from('Minutes\n') } },
  });
  expect(upload.status()).toBe(201);
  await open(page, '/');
  const bell = header(page).getByRole('link', { name: 'Notifications, one unread' });
  await expect(bell).toBeVisible({ timeout: 20_000 });
  await bell.click();

  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  await expect(page.getByRole('link', { name: /minutes\.txt.*is ready/ })).toBeVisible();
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(header(page).getByRole('link', { name: 'Notifications, none unread' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Nothing new.')).toBeVisible();
});

test('notification settings choose the app and e-mail per kind, with and without JavaScript', async ({ page, browser }) => {
  await signUpByApi(page.request, uniqueEmail('settings'));
  await open(page, '/notifications');
  const settings = page.getByRole('region', { name: 'Notifications' }).filter({ has: page.getByRole('table') });
  const processedByEmail = settings.getByRole('checkbox', { name: 'A file has been processed By e-mail' });
  const processedInApp = settings.getByRole('checkbox', { name: 'A file has been processed In the app' });
  await expect(processedByEmail).not.toBeChecked();
  await expect(processedInApp).toBeChecked();
  await processedByEmail.check();
  await processedInApp.uncheck();
  await settings.getByRole('button', { name: 'Save notification settings' }).click();
  await expect(settings.getByRole('status')).toHaveText('Notification settings saved.');

  await page.reload();
  await expect(processedByEmail).toBeChecked();
  await expect(processedInApp).not.toBeChecked();

  // The same form posts and comes back without JavaScript.
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const plain = await context.newPage();
  await openStatic(plain, '/notifications');
  const plainSettings = plain.getByRole('region', { name: 'Notifications' }).filter({ has: plain.getByRole('table') });
  await plainSettings.getByRole('checkbox', { name: 'A file has been processed By e-mail' }).uncheck();
  await plainSettings.getByRole('button', { name: 'Save notification settings' }).click();
  await expect(plainSettings.getByRole('status')).toHaveText('Notification settings saved.');
  await expect(plainSettings.getByRole('checkbox', { name: 'A file has been processed By e-mail' })).not.toBeChecked();
  await context.close();
});

test('a large upload cut off by the network resumes after a reload, and pauses and resumes', async ({ page }, testInfo) => {
  allowConsoleError(page, /ERR_FAILED|ERR_INTERNET_DISCONNECTED|\/api\/v1\/uploads/);
  await signUpByApi(page.request, uniqueEmail('tus'), 'Resumer');
  const crypto = await import('node:crypto');
  const fs = await import('node:fs');
  // A file on disk, so that it is the same file (name, size, date) when chosen again after the reload.
  const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(20 * 1024 * 1024)]);
  const file = testInfo.outputPath('big.pdf');
  fs.writeFileSync(file, big);

  // The network goes away after the first 8 MiB chunk.
  let patches = 0;
  await page.route('**/api/v1/uploads/*', (route) =>
    route.request().method() === 'PATCH' && ++patches > 1 ? route.abort('internetdisconnected') : route.continue(),
  );
  await open(page, '/files');
  await page.locator('#upload-input').setInputFiles(file);
  const item = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: 'big.pdf' });
  await expect(item.getByRole('button', { name: 'Pause the upload of big.pdf' })).toBeVisible();
  await expect.poll(() => patches, { timeout: 15_000 }).toBeGreaterThan(2);

  // The user reloads once the network is back and chooses the file again: it resumes at 8 MiB.
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  const offsets: number[] = [];
  await page.route('**/api/v1/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH') {
      offsets.push(Number(route.request().headers()['upload-offset']));
      // Slow enough to be paused.
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    // A request paused meanwhile is gone already.
    await route.continue().catch(() => {});
  });
  await open(page, '/files');
  await page.locator('#upload-input').setInputFiles(file);
  await expect(item).toContainText('resumed where it stopped');

  await item.getByRole('button', { name: 'Pause the upload of big.pdf' }).click();
  await expect(item).toContainText('Paused at');
  await item.getByRole('button', { name: 'Resume the upload of big.pdf' }).click();
  await expect(item).toContainText('Uploaded', { timeout: 30_000 });
  expect(offsets[0]).toBe(8 * 1024 * 1024);

  // Stored byte for byte.
  const listing = await (await page.request.get('/api/v1/files?limit=5')).json();
  const stored = listing.items.find((f: { name: string }) => f.name === 'big.pdf');
  expect(stored.size).toBe(big.length);
  expect(stored.sha256).toBe(crypto.createHash('sha256').update(big).digest('hex'));
  await expect(page.locator('table.file-table').getByRole('link', { name: 'big.pdf', exact: true })).toBeVisible();
});

test('times show in the time zone chosen on the profile, and recent ones relative to now', async ({ page }) => {
  await signUpByApi(page.request, uniqueEmail('zone'), 'Zoned');
  await open(page, '/profile');
  await page.getByLabel('Time zone').fill('Asia/Kolkata');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Your profile has been saved.')).toBeVisible();

  const upload = await page.request.post('/rpc/files/upload', {
    headers: { Accept: 'application/json' },
    multipart: { file: { name: 'zone.txt', mimeType: 'text/plain', buffer: Buffer.from('what time is it') } },
  });
  expect(upload.status()).toBe(201);

  await open(page, '/files');
  const shown = page.locator('table.file-table time');
  const at = await shown.getAttribute('datetime');
  expect(at).toMatch(/\+05:30$/);
  // What a clock in Kolkata showed at that instant, written the way the page writes dates.
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Kolkata', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(at!)).map((part) => [part.type, part.value]),
  );
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  await expect(shown).toHaveText(`${Number(parts.day)} ${months[Number(parts.month) - 1]} ${parts.year}, ${parts.hour}:${parts.minute}`);

  // The processing job's notification is recent: said relative to now, the date in its tooltip.
  await expect(header(page).getByRole('link', { name: /Notifications, one unread/ })).toBeVisible({ timeout: 20_000 });
  await open(page, '/notifications');
  const notified = page.locator('main time').first();
  await expect(notified).toHaveText(/just now|minutes? ago/);
  await expect(notified).toHaveAttribute('title', /\d{4}, \d{2}:\d{2}$/);
});
