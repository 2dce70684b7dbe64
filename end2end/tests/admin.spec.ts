import {
  allowConsoleError, buryJob, createAdmin, expect, expectNoViolations, header, open, PASSWORD, screenshotForDocs, signUpByApi,
  test, uniqueEmail,
} from './support';

// The admin console, as an administrator and as an ordinary user meet it in Chromium.

async function signInByApi(page: import('@playwright/test').Page, email: string): Promise<void> {
  const response = await page.request.post('/rpc/auth/sign_in', {
    form: { email, password: PASSWORD },
    headers: { Accept: 'application/json' },
  });
  expect(response.status(), await response.text()).toBe(200);
}

test('an administrator finds an account, changes its role and rolls a flag out; a user gets the 403 page', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const admin = uniqueEmail('root');
  createAdmin(admin);
  const member = uniqueEmail('member');
  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();
  await signUpByApi(memberPage.request, member, 'Member');
  await open(memberPage, '/admin');
  await expect(memberPage.getByText('403')).toBeVisible();
  await expect(header(memberPage).getByRole('link', { name: 'Admin' })).toHaveCount(0);

  await signInByApi(page, admin);
  await open(page, '/');
  await header(page).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Administration' })).toBeVisible();
  await expectNoViolations(page, '/admin');

  // Search, then make the member an administrator and back.
  await page.getByLabel('Search by e-mail or name').fill(member);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/q=/);
  const row = page.getByRole('row').filter({ hasText: member });
  await expect(row).toHaveCount(1);
  await screenshotForDocs(page, 'admin-accounts');
  await row.getByRole('button', { name: `Make administrator ${member}` }).click();
  await expect(row.getByRole('cell', { name: 'Administrator', exact: true })).toBeVisible();
  await row.getByRole('button', { name: `Make user ${member}` }).click();
  await expect(row.getByRole('cell', { name: 'User', exact: true })).toBeVisible();

  // The assistant for everyone but the member (the flag is the whole app's: other suites' users
  // keep it): the member's header follows at once, the administrator's does not change.
  const flags = page.getByRole('region', { name: 'Feature flags' });
  await flags.getByLabel('Never for these users').fill(member);
  await flags.getByRole('button', { name: 'Save flag' }).click();
  await expect(flags.getByRole('status')).toHaveText('The flag has been saved.');
  await expect(flags.getByLabel('Never for these users')).toHaveValue(member);
  await open(page, '/');
  await expect(page.locator('a.assistant-toggle')).toHaveCount(1);
  allowConsoleError(memberPage, /status of 404/);
  await open(memberPage, '/');
  await expect(memberPage.locator('a.assistant-toggle')).toHaveCount(0);
  await open(memberPage, '/assistant');
  await expect(memberPage.getByText('404')).toBeVisible();

  // An address that is no account's is refused, naming the problem, and nothing changes.
  await open(page, '/admin');
  await flags.getByLabel('Always for these users').fill('nobody@example.com');
  await flags.getByRole('button', { name: 'Save flag' }).click();
  await expect(flags.getByRole('alert')).toHaveText('One of these addresses is no account’s.');
  await open(page, '/admin');
  await expect(flags.getByLabel('Always for these users')).toHaveValue('');
  await expect(flags.getByLabel('Never for these users')).toHaveValue(member);
  await memberContext.close();
});

test('an administrator suspends a user, who is signed out in their own open browser and cannot sign in', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const admin = uniqueEmail('root-suspends');
  createAdmin(admin);
  const member = uniqueEmail('held');
  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();
  await signUpByApi(memberPage.request, member, 'Soon Suspended');
  await open(memberPage, '/files');
  await expect(memberPage.getByRole('heading', { level: 1, name: 'Files' })).toBeVisible();

  await signInByApi(page, admin);
  await open(page, `/admin?q=${encodeURIComponent(member)}`);
  const row = page.getByRole('row').filter({ hasText: member });
  await row.getByRole('button', { name: `Suspend ${member}` }).click();
  await expect(row.getByText('Suspended', { exact: true })).toBeVisible();

  // The member's open page: the next step leads to the sign-in page, where signing in is refused.
  await header(memberPage).getByRole('link', { name: 'Profile' }).click();
  await expect(memberPage).toHaveURL(/\/signin/);
  await memberPage.getByLabel('E-mail address', { exact: true }).fill(member);
  await memberPage.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await memberPage.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(memberPage.getByText('This account is suspended.')).toBeVisible();

  // Reactivated: the member signs in again.
  await row.getByRole('button', { name: `Reactivate ${member}` }).click();
  await expect(row.getByText('Suspended', { exact: true })).toHaveCount(0);
  await memberPage.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(memberPage).toHaveURL(/\/profile/);
  await memberContext.close();
});

test('an administrator reads an account, retries and discards dead jobs, and filters the verified audit log', async ({ page }) => {
  test.setTimeout(90_000);
  const admin = uniqueEmail('root-reads');
  createAdmin(admin);
  const member = uniqueEmail('looked-at');
  await signUpByApi(page.request, member, 'Looked At');
  await page.context().clearCookies();
  await signInByApi(page, admin);

  // The account's page, from its row.
  await open(page, `/admin?q=${encodeURIComponent(member)}`);
  await page.getByRole('link', { name: member }).click();
  await expect(page.getByRole('heading', { level: 1, name: member })).toBeVisible();
  const facts = page.getByRole('region', { name: 'Account', exact: true });
  await expect(facts.getByText('Two-factor authentication')).toBeVisible();
  await expect(facts.getByText('Off', { exact: true })).toBeVisible();
  await expect(facts.getByText(/^0 files · 0 B of /)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Sessions' }).getByRole('row')).toHaveCount(2);
  await expect(facts.getByRole('button', { name: `Suspend ${member}` })).toBeVisible();
  await expectNoViolations(page, 'an account in the console');
  await screenshotForDocs(page, 'admin-account');

  // Dead jobs: one retried, one discarded after its confirmation.
  const mail = buryJob('mail.send', 'smtp: 550 mailbox unavailable');
  const thumbnail = buryJob('files.process', 'file refused: not an image');
  await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Jobs' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Running and waiting' })).toBeVisible();
  const dead = page.getByRole('region', { name: /Dead jobs/ });
  await expect(dead.getByRole('row').filter({ hasText: 'smtp: 550 mailbox unavailable' })).toHaveCount(1);
  await expectNoViolations(page, 'the jobs page');
  await screenshotForDocs(page, 'admin-jobs');
  await dead.getByRole('button', { name: `Retry mail.send ${mail}` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Done.' })).toBeVisible();
  await expect(dead.getByRole('row').filter({ hasText: mail })).toHaveCount(0);
  await dead.getByText(`Discard files.process ${thumbnail}`).click();
  await dead.getByRole('button', { name: 'Yes, discard it' }).click();
  await expect(dead.getByRole('row').filter({ hasText: 'not an image' })).toHaveCount(0);

  // The audit log: verified, and both actions found by their event.
  await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.locator('#audit-verification')).toContainText('The chain is intact');
  await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Dead job discarded by an administrator' });
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/event=job_discarded/);
  await expect(page.locator('#audit-events tbody tr').filter({ hasText: thumbnail })).toHaveCount(1);
  await page.getByLabel('Account (e-mail)').fill(member);
  await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Any event' });
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.locator('#audit-events tbody tr').filter({ hasText: 'Account created' })).toHaveCount(1);
  await expectNoViolations(page, 'the audit log');
  await screenshotForDocs(page, 'admin-audit');

  // A filter that names no account says so, and keeps what was typed.
  await page.getByLabel('Account (e-mail)').fill('nobody@example.com');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('One of these addresses is no account’s.');
  await expect(page.getByLabel('Account (e-mail)')).toHaveValue('nobody@example.com');
});

test.describe('Arabic (right to left)', () => {
  test.use({ locale: 'ar' });

  test('the admin console is accessible', async ({ page }) => {
    const admin = uniqueEmail('root-ar');
    createAdmin(admin);
    await signInByApi(page, admin);
    const arabic = await page.request.post('/rpc/account/set_language', { form: { lang: 'ar' }, headers: { Accept: 'application/json' } });
    expect(arabic.status()).toBe(200);
    await open(page, '/admin');
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(page.getByRole('heading', { level: 1, name: 'الإدارة' })).toBeVisible();
    await expectNoViolations(page, '/admin in Arabic');
    buryJob('mail.send', 'smtp: 550');
    for (const [url, heading] of [['/admin/jobs', 'المهام'], ['/admin/audit', 'سجل التدقيق']]) {
      await open(page, url);
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      await expectNoViolations(page, `${url} in Arabic`);
    }
    await open(page, `/admin?q=${encodeURIComponent(admin)}`);
    await page.getByRole('link', { name: admin }).click();
    await expect(page.getByRole('heading', { level: 1, name: admin })).toBeVisible();
    await expectNoViolations(page, 'an account in Arabic');
  });
});
