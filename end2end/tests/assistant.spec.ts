import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

import { expect, header, open, signUpByApi, test, uniqueEmail } from './support';

// The assistant panel, as a keyboard user meets it: opened from the header, asked about one of
// the user's own documents, answered with a streamed, sourced answer; conversations renamed and
// deleted; no accessibility violations while it is open.

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function expectNoViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const report = results.violations
    .map((v) => `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}`).join('\n')}`)
    .join('\n');
  expect(results.violations, `axe found ${results.violations.length} violation(s) on ${what}:\n${report}`).toEqual([]);
}

/** Uploads a text file through the RPC door and waits until its processing has notified. */
async function uploadFact(page: Page, name: string, text: string): Promise<string> {
  const upload = await page.request.post('/rpc/files/upload', {
    headers: { Accept: 'application/json' },
    multipart: { file: { name, mimeType: 'text/plain', buffer: Buffer.from(text) } },
  });
  expect(upload.status(), await upload.text()).toBe(201);
  const [file] = await upload.json();
  return file.id as string;
}

test('ask the assistant about a document, then rename and delete the conversation', async ({ page }) => {
  await signUpByApi(page.request, uniqueEmail('assistant'), 'Asker');
  const fileId = await uploadFact(
    page,
    'zephyr.txt',
    'Project notes, spring.\n\nThe Zephyr project launch code is TANGERINE-42.\n\nThe budget review is on Friday.\n',
  );
  await open(page, '/files');
  // The upload is split into passages by a background job, which notifies when it is done.
  await expect(header(page).getByRole('link', { name: 'Notifications, one unread' })).toBeVisible({ timeout: 20_000 });

  // Opened with the keyboard; the question box has the focus.
  const toggle = header(page).getByRole('link', { name: 'Open the assistant' });
  await toggle.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Assistant' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  const box = dialog.getByRole('textbox', { name: 'Your question' });
  await expect(box).toBeFocused();

  // Records the length of the answer's text each time it changes, to see it arrive in pieces.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { answerLengths: number[] }).answerLengths = seen;
    new MutationObserver(() => {
      const busy = document.querySelector('.assistant-messages [aria-busy="true"] .markdown');
      if (busy) seen.push((busy.textContent ?? '').length);
    }).observe(document.querySelector('.assistant-messages')!, { subtree: true, childList: true, characterData: true });
  });

  await box.fill('What is the Zephyr launch code?');
  await page.keyboard.press('Enter');
  const answer = dialog.locator('.message-assistant').last();
  await expect(answer).toContainText('TANGERINE-42', { timeout: 20_000 });
  await expect(dialog.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Stop' })).toHaveCount(0);
  const lengths = await page.evaluate(() => (window as unknown as { answerLengths: number[] }).answerLengths);
  expect(new Set(lengths.filter((n) => n > 0)).size, `answer lengths seen: ${lengths}`).toBeGreaterThan(1);

  // Sourced: a link to the file the fact came from.
  await expect(answer.getByRole('link', { name: 'zephyr.txt' }).first()).toHaveAttribute('href', `/files/${fileId}`);
  // Completion is announced once, politely.
  await expect(dialog.locator('[aria-live="polite"]')).toHaveText('The answer is complete.');
  await expect(dialog.getByText(/^1 of \d+ questions today$/)).toBeVisible();

  await expectNoViolations(page, 'the assistant panel with an answer');

  // Escape closes it and gives the focus back to the header's button.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(toggle).toBeFocused();

  // The conversation is listed; rename it inline, then delete it after confirming.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  const list = dialog.getByRole('navigation', { name: 'Conversations' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await list.getByRole('button', { name: /^Rename “/ }).click();
  const title = list.getByRole('textbox', { name: 'Conversation title' });
  await expect(title).toBeFocused();
  await title.fill('Launch codes');
  await page.keyboard.press('Enter');
  await expect(list.getByRole('button', { name: 'Launch codes', exact: true })).toBeVisible();

  await list.getByRole('button', { name: 'Delete “Launch codes”' }).click();
  await expect(list.getByText('Delete “Launch codes” and all its messages?')).toBeVisible();
  await list.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(0);
  await expect(dialog.getByText('Ask anything about your documents.', { exact: false })).toBeVisible();
});

test('Tab stays inside the open panel', async ({ page }) => {
  await signUpByApi(page.request, uniqueEmail('assistant-tab'), 'Tabber');
  await open(page, '/files');
  const toggle = header(page).getByRole('link', { name: 'Open the assistant' });
  await toggle.click();
  const dialog = page.getByRole('dialog', { name: 'Assistant' });
  await expect(dialog).toBeVisible();
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  }
  await dialog.getByRole('button', { name: 'Close the assistant' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(toggle).toBeFocused();
});

test('the assistant page lists conversations without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUpByApi(page.request, uniqueEmail('assistant-static'), 'Reader');
  await page.goto('/assistant');
  await expect(page.getByRole('heading', { level: 1, name: 'Assistant' })).toBeVisible();
  await expect(page.getByText('No conversations yet.', { exact: false })).toBeVisible();
  // Without JavaScript the header's button is a plain link to this page.
  await expect(header(page).getByRole('link', { name: 'Open the assistant' })).toHaveAttribute('href', '/assistant');
  await context.close();
});

test('the help pages the assistant cites render their Markdown', async ({ page }) => {
  await open(page, '/help');
  await expect(page.getByRole('heading', { level: 1, name: 'Help' })).toBeVisible();
  const first = page.locator('.help-list a').first();
  const title = (await first.textContent())!.trim();
  await first.click();
  await expect(page).toHaveURL(/\/help\/[a-z0-9-]+$/);
  await expect(page.locator('article.markdown')).toContainText(title);
  await expect(page.locator('article.markdown script')).toHaveCount(0);
  await expectNoViolations(page, 'a help page');
});
