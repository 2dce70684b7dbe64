import { expect, test, userMenu } from './support';

// Sign-in through a real OpenID Connect provider (end2end/oidc-provider/server.mjs, started by
// playwright.config.ts): the button leads to the provider's login form, and back signed in.
for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('sign in with the provider and land signed in to a new account', async ({ page }) => {
      const login = `oidc-${javaScriptEnabled ? 'js' : 'nojs'}-${Date.now()}`;

      await test.step('the sign-in page offers the provider', async () => {
        await page.goto('/signin');
        await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
      });

      await test.step('sign in at the provider', async () => {
        await expect(page.getByRole('heading', { name: 'Test provider: sign in' })).toBeVisible();
        await page.getByLabel('Login').fill(login);
        await page.getByRole('button', { name: 'Continue' }).click();
      });

      await test.step('back in the app, signed in to a new account', async () => {
        await expect(page).toHaveURL('/profile');
        await expect(page.getByLabel('E-mail address', { exact: true })).toHaveValue(`${login}@example.test`);
        await expect(page.getByRole('heading', { name: 'Linked sign-in providers' })).toBeVisible();
        await expect(page.locator('#providers')).toContainText('Test ID');
        await expect(userMenu(page).locator('summary')).toContainText(login);
      });
    });
  });
}

test('a refusal at the provider lands on a translated message', async ({ page }) => {
  await page.goto('/signin?oidc_error=denied');
  await expect(page.getByRole('alert')).toContainText('The sign-in was cancelled at the provider.');
});
