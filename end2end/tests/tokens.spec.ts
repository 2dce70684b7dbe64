import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

import { expect, hydrated, open, signUpConfirmedByApi, test, uniqueEmail } from './support';

// Personal access tokens on the profile: made with a name, scopes and a lifetime, the secret shown
// once (with JavaScript and without), listed, revoked after a confirmation.

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function expectNoViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const report = results.violations
    .map((v) => `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}`).join('\n')}`)
    .join('\n');
  expect(results.violations, `axe found ${results.violations.length} violation(s) on ${what}:\n${report}`).toEqual([]);
}

test('a token made on the profile is shown once, listed, and revoked', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signUpConfirmedByApi(page.request, uniqueEmail('tokens'), 'Token Maker');
  await open(page, '/profile');
  const card = page.getByRole('region', { name: 'Access tokens' });
  await expect(card.getByText('No access tokens yet.')).toBeVisible();
  // Not an administrator: no admin scope on offer.
  await expect(card.getByLabel('Admin', { exact: true })).toHaveCount(0);
  await expectNoViolations(page, '/profile with the tokens card');

  await test.step('an empty name and no scope are refused in the browser', async () => {
    await card.getByLabel('Read', { exact: true }).uncheck();
    await card.getByRole('button', { name: 'Create token' }).click();
    await expect(card.getByText('Enter a name for the token.')).toBeVisible();
    await expect(card.getByText('Choose at least one scope.')).toBeVisible();
  });

  let secret = '';
  await test.step('create a token and see its secret once', async () => {
    await card.getByLabel('Token name').fill('Backup script');
    await card.getByLabel('Read', { exact: true }).check();
    await card.getByLabel('Write', { exact: true }).check();
    await card.getByLabel('Expires after').selectOption('90');
    await card.getByRole('button', { name: 'Create token' }).click();
    const shown = card.getByLabel('Your new access token');
    await expect(shown).toHaveValue(/^sat_[A-Za-z0-9_-]{40,}$/);
    secret = await shown.inputValue();
    await expect(shown).toHaveAttribute('readonly', '');
    await expect(card.getByText('Copy it now: it will not be shown again.', { exact: false })).toBeVisible();
    await card.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(card.getByRole('button', { name: 'Copied', exact: true })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const row = card.getByRole('row', { name: /Backup script/ });
    await expect(row).toContainText('Read, Write');
    await expect(row).toContainText('Never');
    await expectNoViolations(page, '/profile showing a new token');
  });

  await test.step('after a reload the secret is gone and the token is listed', async () => {
    await page.reload();
    await hydrated(page);
    await expect(card.getByRole('row', { name: /Backup script/ })).toBeVisible();
    await expect(card.getByLabel('Your new access token')).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);
  });

  await test.step('revoke it after confirming', async () => {
    const row = card.getByRole('row', { name: /Backup script/ });
    await row.locator('summary').click();
    await expect(row.getByText('Revoke “Backup script”?', { exact: false })).toBeVisible();
    await row.getByRole('button', { name: 'Revoke token', exact: true }).click();
    await expect(card.getByRole('status')).toHaveText('The token has been revoked. Programs using it are refused from now on.');
    await expect(card.getByText('No access tokens yet.')).toBeVisible();
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a token made by a plain form is shown on the next page only', async ({ page }) => {
    await signUpConfirmedByApi(page.request, uniqueEmail('tokens-nojs'), 'Plain Former');
    await page.goto('/profile');
    const card = page.getByRole('region', { name: 'Access tokens' });
    await card.getByLabel('Token name').fill('Cron job');
    await card.getByRole('button', { name: 'Create token' }).click();
    await expect(page).toHaveURL(/\/profile#tokens$/);
    const shown = card.getByLabel('Your new access token');
    await expect(shown).toHaveValue(/^sat_/);
    const secret = await shown.inputValue();
    expect(page.url()).not.toContain(secret);
    await expect(card.getByRole('row', { name: /Cron job/ })).toContainText('Read');

    await page.reload();
    await expect(card.getByRole('row', { name: /Cron job/ })).toBeVisible();
    await expect(card.getByLabel('Your new access token')).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);

    await card.getByRole('row', { name: /Cron job/ }).locator('summary').click();
    await card.getByRole('button', { name: 'Revoke token', exact: true }).click();
    await expect(card.getByText('The token has been revoked.', { exact: false })).toBeVisible();
    await expect(card.getByText('No access tokens yet.')).toBeVisible();
  });
});
