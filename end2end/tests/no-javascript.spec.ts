import { PASSWORD, expect, header, languageSummary, message, signUpByApi, test, uniqueEmail, userMenu } from './support';

// Without JavaScript every form is a plain HTML form: the browser posts it, the server redirects
// back, and errors come back in the query string.
test.use({ javaScriptEnabled: false });

test('sign up, edit the profile, sign out and in with plain forms', async ({ page }) => {
  const email = uniqueEmail('nojs');
  const newName = 'Grace Plainform';

  await test.step('the page is not hydrated', async () => {
    await page.goto('/signup');
    await expect(page.locator('html')).not.toHaveAttribute('data-hydrated', 'true');
  });

  await test.step('sign up through the plain form', async () => {
    await page.getByLabel('Display name', { exact: true }).fill('Grace');
    await page.getByLabel('E-mail address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL('/profile');
    await expect(page.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();
    await expect(page.getByLabel('E-mail address', { exact: true })).toHaveValue(email);
    await expect(userMenu(page).locator('summary')).toContainText('Grace');
  });

  await test.step('update the display name', async () => {
    await page.getByLabel('Display name', { exact: true }).fill(newName);
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page).toHaveURL(/\/profile(\?.*)?$/);
    await expect(page.getByText('Your profile has been saved.')).toBeVisible();
    await expect(page.getByLabel('Display name', { exact: true })).toHaveValue(newName);
    await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
    await expect(userMenu(page).locator('summary')).toContainText(newName);
  });

  await test.step('sign out through the user menu', async () => {
    await userMenu(page).locator('summary').click();
    await userMenu(page).getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL('/');
    await expect(userMenu(page)).toHaveCount(0);
    await expect(header(page).getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
  });

  await test.step('a wrong password shows the error', async () => {
    await page.goto('/signin');
    await page.getByLabel('E-mail address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not the right password at all');
    await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(/\/signin(\?.*)?$/);
    const alert = page.locator('div.alert.alert-error');
    await expect(alert).toHaveText('Wrong e-mail address or password.');
    await expect(alert).toHaveAttribute('role', 'alert');
    await expect(userMenu(page)).toHaveCount(0);
  });

  await test.step('the right password signs in', async () => {
    await page.getByLabel('E-mail address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL('/profile');
    await expect(page.getByLabel('Display name', { exact: true })).toHaveValue(newName);
    await expect(userMenu(page).locator('summary')).toContainText(newName);
  });
});

test('sign-up errors from the server appear under the field', async ({ page, request }) => {
  const email = uniqueEmail('nojs-taken');
  await signUpByApi(request, email);

  await page.goto('/signup');
  await page.getByLabel('E-mail address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/signup(\?.*)?$/);
  const field = page.locator('.field', { has: page.getByLabel('E-mail address', { exact: true }) });
  await expect(field.locator('p.field-error')).toHaveText(
    'This e-mail address is already registered. Sign in instead?',
  );
});

test('switch the language with the plain form', async ({ page }) => {
  const de = {
    headline: message('de', 'landing-headline'),
    signIn: message('de', 'nav-sign-in'),
    signInTitle: message('de', 'sign-in-title'),
  };
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await languageSummary(page).click();
  await header(page).getByRole('button', { name: 'Deutsch' }).click();
  // Back where the form was posted from (the server answers with a redirect to the referrer).
  await expect(page).toHaveURL((url) => url.pathname === '/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(de.headline);
  await expect(header(page).getByRole('link', { name: de.signIn, exact: true })).toBeVisible();

  // The choice is a cookie: the next page is German too.
  await page.goto('/signin');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(de.signInTitle);
});
