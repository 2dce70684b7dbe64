import { allowConsoleError, expect, open, signUpConfirmedByApi, test, uniqueEmail } from './support';

// Passkeys in Chromium with its virtual authenticator (CDP WebAuthn domain): a platform
// authenticator that keeps discoverable credentials and verifies the user without a prompt.
// WebAuthn wants a domain as relying party: the suite runs at localhost (PUBLIC_URL).

test('a passkey added on the profile then signs in on its own', async ({ page, context }) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  await signUpConfirmedByApi(page.request, uniqueEmail('passkey'), 'Key Holder');
  await open(page, '/profile');
  const card = page.getByRole('region', { name: 'Passkeys' });
  await expect(card.getByText('No passkeys yet.')).toBeVisible();
  await card.getByLabel('Name of the new passkey').fill('Work laptop');
  await card.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(card.getByRole('status')).toHaveText('Your passkeys have been updated.');
  await expect(card.getByText('Work laptop')).toBeVisible();
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);

  // Signed out, the passkey alone signs in: no e-mail, no password. (The open profile's live
  // event stream may reconnect without the cookie before the next page loads: a 401 there is right.)
  allowConsoleError(page, /status of 401 .*\/events/);
  await context.clearCookies();
  await open(page, '/signin');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Passkeys' }).getByText('Last used')).toBeVisible();

  // Removed, it no longer signs in; the page says so instead of failing silently.
  await page.getByRole('region', { name: 'Passkeys' }).getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('region', { name: 'Passkeys' }).getByText('No passkeys yet.')).toBeVisible();
  await context.clearCookies();
  await open(page, '/signin');
  allowConsoleError(page, /status of 422/);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'Signing in with a passkey did not work. Try again, or use your password.',
  );
});
