import crypto from 'node:crypto';

import { PASSWORD, expect, open, signUpConfirmedByApi, test, uniqueEmail, userMenu } from './support';

// Two-factor sign-in: set up on the profile with the secret shown as text, then a sign-in that asks
// for a code after the password. The codes are computed here, as an authenticator app would.

/** Decodes RFC 4648 base32 (no padding), the form the secret is shown in. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (HMAC-SHA1, 6 digits, 30 s steps) `stepsAhead` steps from now. */
function totp(secret: string, stepsAhead = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + stepsAhead;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return number.toString().padStart(6, '0');
}

test('a user turns on two-factor sign-in, then signs in with password and code', async ({ page }) => {
  const email = uniqueEmail('totp');
  await signUpConfirmedByApi(page.request, email);
  await open(page, '/profile');
  const card = page.locator('section#two-factor');
  let secret = '';

  await test.step('set up with the secret shown as text', async () => {
    await expect(card.getByRole('heading', { level: 2, name: 'Two-factor authentication' })).toBeVisible();
    await expect(card).toContainText('Two-factor authentication is off.');
    await card.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await expect(card.getByRole('img', { name: 'QR code to add your account to an authenticator app' })).toBeVisible();
    secret = (await card.locator('code.two-factor-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await card.getByLabel('Code', { exact: true }).fill(totp(secret));
    await card.getByRole('button', { name: 'Turn on' }).click();
  });

  await test.step('the recovery codes are shown once', async () => {
    const codes = card.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await expect(codes).toHaveCount(10);
    await expect(codes.first()).toHaveText(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    await expect(card).toContainText('Two-factor authentication is on.');
  });

  await test.step('sign out', async () => {
    await userMenu(page).locator('summary').click();
    await userMenu(page).getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL('/');
  });

  await test.step('the password alone leads to the code page', async () => {
    await open(page, '/signin');
    await page.getByLabel('E-mail address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(/\/signin\/code$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Enter your code' })).toBeVisible();
    await expect(userMenu(page)).toHaveCount(0);
  });

  await test.step('a wrong code is refused, the right one signs in', async () => {
    const right = totp(secret, 1); // the step after the one the set-up used: a code is accepted once
    const wrong = right === '123456' ? '654321' : '123456';
    await page.getByLabel('Code', { exact: true }).fill(wrong);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.locator('#field-code-error')).toHaveText('That code is wrong or was already used.');
    await page.getByLabel('Code', { exact: true }).fill(right);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page).toHaveURL('/profile');
    await expect(page.locator('section#two-factor')).toContainText('Two-factor authentication is on.');
  });
});
