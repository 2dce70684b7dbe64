import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { defineConfig } from '@playwright/test';

/** The binary under test; `scripts/test` points this at its cargo target dir. */
const bin = process.env.SMARTAI_BIN ?? '/var/cache/smartai/target/debug/smartai';

/** The wasm, JS and CSS cargo-leptos built (served from disk, not from the binary's embedded copy). */
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.resolve(__dirname, '../target/site');

const port = 3100;
const smtpPort = 3125;
/** The OpenID Connect provider the "Sign in with Test ID" button leads to. */
const oidcPort = 3126;
const oidcIssuer = `http://127.0.0.1:${oidcPort}`;
// localhost, not 127.0.0.1: passkeys need a domain as their relying party (browsers refuse an IP).
const ownURL = `http://localhost:${port}`;

/**
 * An app that is already running (`scripts/fleet` sets it to its load balancer): the tests go
 * there and nothing is started here. Its `PUBLIC_URL` must be this URL, and whoever started it
 * delivers its e-mails to a Maildir at `$SMARTAI_E2E_DATA_DIR/maildir` (the tests read it), e.g.
 * `/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox DIR/maildir`.
 * Only suites that need no OpenID Connect provider of their own run this way (journey, files…).
 */
const externalURL = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const baseURL = externalURL ?? ownURL;

/**
 * A fresh data folder per run, so every run starts with an empty SQLite database. The config is
 * also loaded by each worker process; they inherit this variable from the runner and reuse it
 * instead of making folders of their own.
 */
const DATA_DIR_VAR = 'SMARTAI_E2E_DATA_DIR';
if (!process.env[DATA_DIR_VAR]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smartai-e2e-'));
  process.env[DATA_DIR_VAR] = dir;
  // Only the runner process (which made the folder) gets here; the server is stopped by then.
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}
const dataDir = process.env[DATA_DIR_VAR]!;

export default defineConfig({
  testDir: 'tests',
  // Two cores: one browser at a time next to the server.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // A stray `test.only` would silently skip the rest of the suite, on any machine.
  forbidOnly: true,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download is never used (no internet here).
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: externalURL ? [] : [
    {
      // A real SMTP server for the e-mails the app sends; the tests read its Maildir.
      command: `/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox ${path.join(dataDir, 'maildir')}`,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // A real OpenID Connect provider (npm oidc-provider) with the app as its one client.
      command: `node oidc-provider/server.mjs --port ${oidcPort} --redirect ${baseURL}/auth/oidc/test/callback`,
      url: `${oidcIssuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      // It warns about Node 20 and its in-memory store, both fine for tests.
      stdout: 'ignore',
      stderr: 'ignore',
    },
    {
      command: `${bin} serve`,
      // Node may resolve localhost to ::1 first; the server listens on 127.0.0.1.
      url: `http://127.0.0.1:${port}/health/ready`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        LISTEN_ADDR: `127.0.0.1:${port}`,
        DATA_DIR: dataDir,
        LEPTOS_SITE_ROOT: siteRoot,
        RUST_LOG: 'warn',
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        PUBLIC_URL: baseURL,
        OIDC_PROVIDERS: 'test',
        OIDC_TEST_ISSUER: oidcIssuer,
        OIDC_TEST_CLIENT_ID: 'smartai-test',
        OIDC_TEST_CLIENT_SECRET: 'test-secret',
        OIDC_TEST_NAME: 'Test ID',
        // Every test signs in from the same address, faster than people do.
        RATE_LIMIT_AUTH_IP: '600/min',
      },
    },
  ],
});
