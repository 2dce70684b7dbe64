import {
  PASSWORD,
  expect,
  header,
  hydrated,
  languageSummary,
  message,
  open,
  linkTo,
  signUpByApi,
  test,
  uniqueEmail,
  userMenu,
  waitForMail,
} from './support';

// With JavaScript: the hydrated app navigates, validates and switches language without reloads.

test('a new user signs up, signs out and in, edits the profile and switches to German', async ({ page }) => {
  const email = uniqueEmail('journey');
  const firstName = 'Ada Journey';
  const newName = 'Ada Lovelace';

  await test.step('the landing page invites a visitor to sign up', async () => {
    await open(page, '/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(header(page).getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
    await expect(header(page).getByRole('link', { name: 'Sign up', exact: true })).toBeVisible();
    await page.getByRole('main').getByRole('link', { name: 'Create a free account' }).click();
    await expect(page).toHaveURL('/signup');
    await hydrated(page);
  });

  await test.step('sign up', async () => {
    await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
    await page.getByLabel('Display name', { exact: true }).fill(firstName);
    await page.getByLabel('E-mail address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL('/profile');
    await expect(page.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();
    await expect(page.getByLabel('E-mail address', { exact: true })).toHaveValue(email);
    await expect(page.getByLabel('Display name', { exact: true })).toHaveValue(firstName);
    await expect(userMenu(page).locator('summary')).toContainText(firstName);
    await expect(header(page).getByRole('navigation').getByRole('link', { name: 'Profile' })).toBeVisible();
  });

  await test.step('sign out through the user menu', async () => {
    await userMenu(page).locator('summary').click();
    await userMenu(page).getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL('/');
    await expect(userMenu(page)).toHaveCount(0);
    await expect(header(page).getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'Create a free account' })).toBeVisible();
  });

  await test.step('signed out, the profile sends to the sign-in page', async () => {
    await open(page, '/profile');
    await expect(page).toHaveURL(/\/signin$/);
  });

  await test.step('sign in again', async () => {
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await page.getByLabel('E-mail address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL('/profile');
    await expect(page.getByLabel('E-mail address', { exact: true })).toHaveValue(email);
    await expect(userMenu(page).locator('summary')).toContainText(firstName);
  });

  await test.step('edit the profile', async () => {
    await page.getByLabel('Display name', { exact: true }).fill(newName);
    // The zones come when the field is focused, as suggestions for what is typed.
    await page.getByLabel('Time zone').focus();
    await expect.poll(() => page.locator('#time-zones option').count()).toBeGreaterThan(400);
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Your profile has been saved.')).toBeVisible();
    await expect(userMenu(page).locator('summary')).toContainText(newName);
  });

  await test.step('the changes are stored', async () => {
    await page.reload();
    await hydrated(page);
    await expect(page.getByLabel('Display name', { exact: true })).toHaveValue(newName);
    await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
    await expect(userMenu(page).locator('summary')).toContainText(newName);
  });

  const germanTitle = message('de', 'profile-title');

  await test.step('switch to German with the language switcher', async () => {
    await languageSummary(page).click();
    const stored = page.waitForResponse((r) => r.url().includes('/rpc/account/set_language'));
    await header(page).getByRole('button', { name: 'Deutsch' }).click();
    // Instantly, without a reload.
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(germanTitle);
    await expect(header(page).getByRole('link', { name: message('de', 'nav-home'), exact: true })).toBeVisible();
    const response = await stored;
    expect(response.ok(), `set_language answered ${response.status()}`).toBeTruthy();
  });

  await test.step('German stays after a reload (the preference is stored)', async () => {
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await hydrated(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(germanTitle);
    await expect(page.getByLabel(message('de', 'field-language'), { exact: true })).toHaveValue('de');
  });
});

test('sign-up checks the fields as the user types', async ({ page }) => {
  await open(page, '/signup');
  const email = page.getByLabel('E-mail address', { exact: true });
  const password = page.getByLabel('Password', { exact: true });
  const emailError = page.locator('.field', { has: email }).locator('p.field-error');
  const passwordError = page.locator('.field', { has: password }).locator('p.field-error');

  // Nothing is reported before the user types.
  await expect(emailError).toBeEmpty();
  await expect(passwordError).toBeEmpty();

  await email.pressSequentially('ada.example.com');
  await expect(emailError).toHaveText('This does not look like an e-mail address.');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAttribute('aria-describedby', /field-email-error/);

  await password.pressSequentially('short');
  await expect(passwordError).toHaveText('Use at least 12 characters.');
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  // The e-mail complaint stays while it is still wrong.
  await expect(emailError).toHaveText('This does not look like an e-mail address.');

  // Fixing the fields clears the messages, still without submitting.
  await email.fill('ada@example.com');
  await expect(emailError).toBeEmpty();
  await expect(email).toHaveAttribute('aria-invalid', 'false');
  await password.pressSequentially(' but now long enough');
  await expect(passwordError).toBeEmpty();
  await expect(page).toHaveURL('/signup');
});

test('a wrong password is refused with an alert', async ({ page, request }) => {
  const email = uniqueEmail('wrong-password');
  await signUpByApi(request, email);

  await open(page, '/signin');
  await page.getByLabel('E-mail address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill('not the right password at all');
  await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).click();
  const alert = page.locator('div.alert.alert-error');
  await expect(alert).toHaveText('Wrong e-mail address or password.');
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(page).toHaveURL('/signin');
  await expect(userMenu(page)).toHaveCount(0);
});

test('after switching language on the profile, saving the profile keeps the new language', async ({ page }) => {
  const de = {
    language: message('de', 'field-language'),
    save: message('de', 'profile-save'),
    saved: message('de', 'profile-saved'),
  };
  await signUpByApi(page.request, uniqueEmail('switch-then-save'), 'Switch Saver');
  await open(page, '/profile');

  await languageSummary(page).click();
  const stored = page.waitForResponse((r) => r.url().includes('/rpc/account/set_language'));
  await header(page).getByRole('button', { name: 'Deutsch' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  expect((await stored).ok()).toBeTruthy();

  // The form on screen shows the preference just stored…
  await expect
    .soft(page.getByLabel(de.language, { exact: true }), 'the Language select follows the switcher')
    .toHaveValue('de');
  // …so saving another change does not switch the user back to English.
  await page.getByRole('button', { name: de.save }).click();
  await expect(page.getByRole('status')).toBeVisible();
  await expect(page.locator('html'), 'still German after saving').toHaveAttribute('lang', 'de');
  await expect(page.getByText(de.saved)).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
});

test('changing the password signs out other sessions and the new password works', async ({ page, browser }) => {
  // Two sign-ins, two password hashes and a second browser: more than the default 30 s on two busy cores.
  test.setTimeout(60_000);
  const email = uniqueEmail('password');
  const newPassword = 'another long passphrase 77';
  await signUpByApi(page.request, email, 'Pass Changer');

  // A second session of the same user, in another browser context.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  const signIn = await otherPage.request.post('/rpc/auth/sign_in', {
    form: { email, password: PASSWORD },
    headers: { Accept: 'application/json' },
  });
  expect(signIn.status()).toBe(200);
  await open(otherPage, '/profile');
  await expect(otherPage.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();

  await open(page, '/profile');
  // The account deletion card asks for the current password too: stay inside this form.
  const form = page.getByRole('region', { name: 'Change password' });
  const current = form.getByLabel('Current password', { exact: true });
  const next = form.getByLabel('New password', { exact: true });

  // A wrong current password is refused under its field.
  await current.fill('this is not my password');
  await next.fill(newPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  // `has` is matched inside each field, so it takes a locator from the page, not from the form.
  const currentField = form.locator('.field', { has: page.getByLabel('Current password', { exact: true }) });
  await expect(currentField.locator('p.field-error')).toHaveText(
    'The current password is not correct.',
  );

  await current.fill(PASSWORD);
  await next.fill(newPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(
    page.getByText('Your password has been changed. Other sessions have been signed out.'),
  ).toBeVisible();
  await expect(current).toHaveValue('');
  await expect(next).toHaveValue('');

  // This session stays; the other one is gone.
  await page.reload();
  await hydrated(page);
  await expect(page).toHaveURL('/profile');
  await otherPage.reload();
  await expect(otherPage).toHaveURL(/\/signin$/);
  await other.close();

  // The old password no longer works, the new one does.
  await userMenu(page).locator('summary').click();
  await userMenu(page).getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL('/');
  await open(page, '/signin');
  await page.getByLabel('E-mail address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('div.alert.alert-error')).toHaveText('Wrong e-mail address or password.');
  await page.getByLabel('Password', { exact: true }).fill(newPassword);
  await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL('/profile');
});

test('the profile lists where the user is signed in and signs other devices out', async ({ page, browser }) => {
  const email = uniqueEmail('sessions');
  await signUpByApi(page.request, email, 'Many Devices');
  const phone = await browser.newContext({
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1',
  });
  const signIn = await phone.request.post('/rpc/auth/sign_in', {
    form: { email, password: PASSWORD },
    headers: { Accept: 'application/json' },
  });
  expect(signIn.status()).toBe(200);

  await open(page, '/profile');
  const sessions = page.getByRole('region', { name: 'Where you’re signed in' });
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  await expect(sessions.getByRole('listitem').filter({ hasText: 'This device' })).toContainText('Chrome · Linux');
  await expect(sessions.getByRole('listitem').filter({ hasText: 'Safari · iOS' })).toBeVisible();

  await sessions.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await expect(sessions.getByRole('status')).toHaveText('Signed out. Those devices need to sign in again.');
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  const me = await phone.request.get('/rpc/account/me', { headers: { Accept: 'application/json' } });
  expect(await me.json()).toBeNull();
  await phone.close();
});

test('the e-mailed links confirm the address and reset a forgotten password', async ({ page, browser }) => {
  const email = uniqueEmail('links');
  await signUpByApi(page.request, email, 'Link Follower');
  await open(page, '/profile');
  await expect(page.getByText('Your e-mail address is not confirmed yet')).toBeVisible();

  // The confirmation link, from the e-mail the SMTP server received.
  const welcome = await waitForMail(email, 'Confirm your e-mail address');
  await open(page, linkTo(welcome, 'verify-email'));
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await expect(page).toHaveURL(/\/profile/);
  await expect(page.getByText('Your e-mail address is confirmed.')).toBeVisible();

  // Forgot the password, in a browser that is not signed in.
  const visitor = await browser.newContext();
  const other = await visitor.newPage();
  await open(other, '/signin');
  await other.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(other.getByRole('heading', { level: 1, name: 'Forgot your password?' })).toBeVisible();
  await other.getByLabel('E-mail address', { exact: true }).fill(email);
  await other.getByRole('button', { name: 'Send the link' }).click();
  await expect(other.getByRole('status')).toContainText('If an account uses that address');

  const reset = await waitForMail(email, 'Reset your password');
  await open(other, linkTo(reset, 'reset-password'));
  const newPassword = 'a completely new passphrase 9';
  await other.getByLabel('New password', { exact: true }).fill(newPassword);
  await other.getByRole('button', { name: 'Set the new password' }).click();
  await expect(other).toHaveURL(/\/signin\?reset=1/);
  await expect(other.getByText('Your password has been reset. Sign in with the new one.')).toBeVisible();

  // The first browser's session ended with the reset; the new password signs in.
  await page.reload();
  await expect(page).toHaveURL(/\/signin$/);
  await other.getByLabel('E-mail address', { exact: true }).fill(email);
  await other.getByLabel('Password', { exact: true }).fill(newPassword);
  await other.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(other).toHaveURL(/\/profile$/);
  await visitor.close();
});
