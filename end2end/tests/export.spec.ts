import { expect, header, open, png, signUpByApi, test, uniqueEmail } from './support';

// Data export (GDPR art. 20), as a user meets it in Chromium.

test('a user exports their data and downloads the zip', async ({ page }) => {
  await signUpByApi(page.request, uniqueEmail('export'), 'Exporter');
  const photo = png(24, [30, 160, 90]);
  for (const file of [
    { name: 'report.txt', mimeType: 'text/plain', buffer: Buffer.from('Quarterly report\n'.repeat(100)) },
    { name: 'photo.png', mimeType: 'image/png', buffer: photo },
  ]) {
    const upload = await page.request.post('/rpc/files/upload', { headers: { Accept: 'application/json' }, multipart: { file } });
    expect(upload.status()).toBe(201);
  }
  // Both files processed (their notifications counted), so the next one is the export's.
  await open(page, '/profile');
  await expect(header(page).getByRole('link', { name: /Notifications, \W*2\W* unread/ })).toBeVisible({ timeout: 20_000 });

  const card = page.getByRole('region', { name: 'Export your data' });
  await expect(card.getByText('You have not exported your data yet.')).toBeVisible();
  await card.getByRole('button', { name: 'Export my data' }).click();
  await expect(card.getByRole('status')).toHaveText('Your export is being prepared. You will be notified when it is ready to download.');
  // Built in the background; the card and the bell follow without a reload.
  await expect(card.getByText('Ready to download', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(header(page).getByRole('link', { name: /Notifications, \W*3\W* unread/ })).toBeVisible();

  const downloadPromise = page.waitForEvent('download');
  await card.getByRole('link', { name: 'Download' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^smartai-export-\d{4}-\d{2}-\d{2}\.zip$/);
  const fs = await import('node:fs');
  const zip = fs.readFileSync(await download.path());
  expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  // Entry names are plain in a zip; an image is stored as it is, so its bytes are there verbatim.
  for (const name of ['profile.json', 'files.json', 'security_events.json', 'files/report.txt', 'files/photo.png']) {
    expect(zip.includes(Buffer.from(name)), name).toBe(true);
  }
  expect(zip.includes(photo)).toBe(true);

  // Asking again at once is refused, and says for how long.
  await card.getByRole('button', { name: 'Export my data' }).click();
  await expect(card.getByRole('alert')).toContainText('Too many attempts');

  // The notification leads back to the card.
  await open(page, '/notifications');
  await page.getByRole('link', { name: 'Your data export is ready to download.' }).click();
  await expect(page).toHaveURL(/\/profile#data-export$/);
  await expect(page.getByRole('region', { name: 'Export your data' }).getByText('Ready to download', { exact: true })).toBeVisible();
});
