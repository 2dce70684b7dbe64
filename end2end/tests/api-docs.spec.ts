import { expect, test } from './support';

// The REST API's docs page: Swagger UI from the binary's own files, under its Content-Security-
// Policy (inline styles allowed there, inline scripts never), reading our OpenAPI document.

test('the API docs render every area of the API with nothing refused by the policy', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { cspViolations: string[] }).cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { cspViolations: string[] }).cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const own = new URL(test.info().project.use.baseURL!).host;
  const external: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol.startsWith('http') && url.host !== own) external.push(request.url());
  });

  const response = await page.goto('/api/docs/');
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'/);
  expect(csp).toContain("style-src 'self' 'unsafe-inline'");

  await expect(page.locator('.swagger-ui .info .title')).toContainText('SmartAIPlatForm API');
  for (const tag of ['account', 'sessions', 'tokens', 'files', 'notifications', 'admin']) {
    await expect(page.locator(`.opblock-tag-section h3[data-tag="${tag}"]`)).toBeVisible();
  }
  // An operation opens and shows its parameters and the shared error body (its example).
  await page.locator('#operations-files-list_files .opblock-summary').click();
  await expect(page.locator('#operations-files-list_files')).toContainText('cursor');
  await expect(page.locator('#operations-files-list_files')).toContainText('request_id');
  // The deprecated alias is shown as such.
  await expect(page.locator('.opblock-deprecated')).toHaveCount(1);

  expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  expect(external, 'nothing is loaded from another host').toEqual([]);
});
