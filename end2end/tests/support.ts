import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';

export { expect };

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Scans the page with axe-core against WCAG 2.1 A and AA; fails listing every violation. */
export async function expectNoViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const report = results.violations
    .map((v) => {
      const targets = v.nodes.map((n) => `    ${n.target.join(' ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`);
      return `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n  ${v.helpUrl}\n${targets.join('\n')}`;
    })
    .join('\n');
  expect(results.violations, `axe found ${results.violations.length} violation(s) on ${what}:\n${report}`).toEqual([]);
}

/**
 * Makes an administrator the way an operator does, with the binary's `user create --admin`, on
 * the database of the app under test (its DATA_DIR). Not for an app started elsewhere.
 */
export function createAdmin(email: string): void {
  const bin = process.env.SMARTAI_BIN ?? '/var/cache/smartai/target/debug/smartai';
  execFileSync(bin, ['user', 'create', '--email', email, '--admin', '--password-stdin'], {
    input: `${PASSWORD}\n`,
    env: { ...process.env, DATA_DIR: process.env.SMARTAI_E2E_DATA_DIR, RUST_LOG: 'warn' },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
}

const allowedErrors = new WeakMap<Page, RegExp[]>();

/** Tells the console guard that an error matching `pattern` is expected on this page. */
export function allowConsoleError(page: Page, pattern: RegExp): void {
  allowedErrors.set(page, [...(allowedErrors.get(page) ?? []), pattern]);
}

/**
 * Playwright's `test`, plus a guard that fails a test when the page throws or logs an error (a wasm
 * panic, a hydration mismatch, a missing file). Failed RPC calls are left out: a refused sign-in
 * answers 401 on purpose, and the browser logs that.
 */
export const test = base.extend<{ consoleGuard: void }>({
  consoleGuard: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
      page.on('console', (msg) => {
        // Leptos reports hydration mismatches as warnings; they are bugs as much as errors are.
        if (msg.type() === 'warning' && /hydrat/i.test(msg.text())) {
          problems.push(`console.warn: ${msg.text()}`);
          return;
        }
        if (msg.type() !== 'error') return;
        const where = msg.location().url ?? '';
        if (msg.text().startsWith('Failed to load resource') && where.includes('/rpc/')) return;
        if ((allowedErrors.get(page) ?? []).some((p) => p.test(`${msg.text()} ${where}`))) return;
        problems.push(`console.error: ${msg.text()}${where ? ` (${where})` : ''}`);
      });
      await use();
      expect(problems, `the page reported errors:\n${problems.join('\n')}`).toEqual([]);
    },
    { auto: true },
  ],
});

/** A password the server accepts: long enough and not on the list of common ones. */
export const PASSWORD = 'correct horse battery staple 42';

let counter = 0;

/** An e-mail address no other test (and no earlier run) has used. */
export function uniqueEmail(tag: string): string {
  counter += 1;
  return `${tag}-${Date.now()}-${process.pid}-${counter}@example.com`;
}

/** Waits until the wasm has hydrated the page (the app marks `<html data-hydrated="true">`). */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForSelector('html[data-hydrated="true"]', { state: 'attached' });
}

/** Opens `url` and, with JavaScript on, waits for hydration before anything is clicked. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await hydrated(page);
}

/** Opens `url` in a page without JavaScript (nothing to wait for but the load). */
export async function openStatic(page: Page, url: string): Promise<void> {
  await page.goto(url);
}

/** The top bar of every page. */
export function header(page: Page): Locator {
  return page.locator('header.site-header');
}

/** The language switcher's summary (a `<details class="menu">`, not the user menu). */
export function languageSummary(page: Page): Locator {
  return header(page).locator('details.menu:not(.user-menu) > summary');
}

/** The signed-in user's menu in the header. */
export function userMenu(page: Page): Locator {
  return header(page).locator('details.user-menu');
}

/**
 * Creates an account through the RPC endpoint (as a program would, so JSON and no redirect) with
 * the given request context; a page's `page.request` shares its cookies, which signs that page in.
 */
export async function signUpByApi(
  request: APIRequestContext,
  email: string,
  displayName?: string,
): Promise<void> {
  const form: Record<string, string> = { email, password: PASSWORD };
  if (displayName !== undefined) form.display_name = displayName;
  const response = await request.post('/rpc/auth/sign_up', { form, headers: { Accept: 'application/json' } });
  expect(response.status(), `sign-up through /rpc/auth/sign_up: ${await response.text()}`).toBe(200);
}

/**
 * Signs up and confirms the address through the e-mailed link, as its owner would: tokens, passkeys
 * and two-factor wait for a confirmed address.
 */
export async function signUpConfirmedByApi(
  request: APIRequestContext,
  email: string,
  displayName?: string,
): Promise<void> {
  await signUpByApi(request, email, displayName);
  const welcome = await waitForMail(email, 'Confirm your e-mail address');
  const token = new URL(linkTo(welcome, 'verify-email'), 'http://app.invalid').searchParams.get('token') ?? '';
  const response = await request.post('/rpc/auth/verify_email', { form: { token }, headers: { Accept: 'application/json' } });
  expect(response.status(), `confirming ${email}: ${await response.text()}`).toBe(200);
}

/** Reads `key = value` messages of a locale file (`locales/<lang>/main.ftl`); single-line values only. */
export function messages(lang: string): Record<string, string> {
  const file = path.resolve(__dirname, '../../locales', lang, 'main.ftl');
  const out: Record<string, string> = {};
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([a-zA-Z][\w-]*)\s*=\s*(.*\S)\s*$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** One translated message; fails the test (with a clear reason) when the locale lacks it. */
export function message(lang: string, key: string): string {
  const value = messages(lang)[key];
  expect(value, `locales/${lang}/main.ftl has no message "${key}"`).toBeTruthy();
  return value!;
}

/** The Maildir the test SMTP server writes to (see playwright.config.ts). */
function maildir(): string {
  return path.join(process.env.SMARTAI_E2E_DATA_DIR ?? '', 'maildir', 'new');
}

/** Undoes a body's transfer encoding (lettre picks 7bit, quoted-printable or base64). */
function decodeBody(headers: string, body: string): string {
  if (/^content-transfer-encoding:\s*base64/im.test(headers)) {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  if (/^content-transfer-encoding:\s*quoted-printable/im.test(headers)) {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** Waits for the e-mail to `to` with `subject` at the test SMTP server and returns its text. */
export async function waitForMail(to: string, subject: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const files = fs.existsSync(maildir()) ? fs.readdirSync(maildir()) : [];
    for (const file of files) {
      const raw = fs.readFileSync(path.join(maildir(), file), 'utf8');
      const split = raw.search(/\r?\n\r?\n/);
      const headers = raw.slice(0, split);
      if (headers.toLowerCase().includes(to.toLowerCase()) && headers.includes(`Subject: ${subject}`)) {
        return decodeBody(headers, raw.slice(split).trim());
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no e-mail "${subject}" reached ${to}`);
}

/** The path and query of the first link to `page` in an e-mail's text. */
export function linkTo(text: string, page: string): string {
  const match = text.match(new RegExp(`https?://[^\\s]+/${page}\\?token=[A-Za-z0-9_-]+`));
  if (!match) throw new Error(`no /${page} link in:\n${text}`);
  const url = new URL(match[0]);
  return url.pathname + url.search;
}

/** A valid PNG of `size`×`size` pixels of one colour, built here so the test needs no fixture. */
export function png(size: number, rgb: [number, number, number] = [0x40, 0x40, 0x40]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(size).fill(rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(size).fill(row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Buries a job in the dead-letter set of the app under test, as a job whose every attempt failed
 * leaves it: a row of the SQL queue (the app's embedded default) in its DATA_DIR's database.
 * Returns the job's id.
 */
export function buryJob(kind: string, error: string): string {
  const id = randomUUID();
  const script = `
import sqlite3, sys, time, uuid
db = sqlite3.connect(sys.argv[1], timeout=10)
now = int(time.time() * 1000)
db.execute(
    "INSERT INTO jobs (id, queue, kind, payload, priority, state, attempts, max_attempts, timeout_ms, run_at, "
    "last_error, created_at) VALUES (?, 'default', ?, '{}', 1, 'dead', 5, 5, 60000, ?, ?, ?)",
    (uuid.UUID(sys.argv[2]).bytes, sys.argv[3], now, sys.argv[4], now - 60000),
)
db.commit()
`;
  const database = path.join(process.env.SMARTAI_E2E_DATA_DIR ?? '', 'smartai.db');
  execFileSync('python3', ['-c', script, database, id, kind, error], { stdio: ['ignore', 'ignore', 'inherit'] });
  return id;
}

/** Saves a screenshot for the docs when SMARTAI_SCREENSHOTS names a folder. */
export async function screenshotForDocs(page: Page, name: string): Promise<void> {
  const folder = process.env.SMARTAI_SCREENSHOTS;
  if (folder) await page.screenshot({ path: path.join(folder, `${name}.png`), fullPage: true });
}
