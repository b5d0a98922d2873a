import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// One fresh data directory per run, shared with the workers through the
// environment (the config is evaluated again in each worker).
if (!process.env.TENANTRY_E2E_DATA_DIR) {
  process.env.TENANTRY_E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantry-e2e-'));
}
const dataDir = process.env.TENANTRY_E2E_DATA_DIR;
// `make test`'s PostgreSQL pass names a database; the server and the CLI
// the journeys run both use it.
if (process.env.TENANTRY_E2E_DATABASE_URL) {
  process.env.TENANTRY_DATABASE_URL = process.env.TENANTRY_E2E_DATABASE_URL;
}
const port = process.env.TENANTRY_E2E_PORT ?? '3210';
const baseURL = `http://127.0.0.1:${port}`;
const binary = process.env.TENANTRY_E2E_BINARY ?? path.resolve(__dirname, '../target/release/tenantry');
const simulatorPort = String(Number(port) + 1);
const simulatorURL = `http://127.0.0.1:${simulatorPort}`;
// The simulator also receives Tenantry's e-mail, so journeys can follow a link in it.
const smtpPort = String(Number(port) + 2);
process.env.TENANTRY_E2E_SIMULATOR = simulatorURL;

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  // The first-run journeys need the empty database the server starts with;
  // every other journey makes its own organisation, so they come after.
  projects: [
    { name: 'first run', testMatch: /first_run\.spec\.ts/ },
    { name: 'journeys', testIgnore: /first_run\.spec\.ts/, dependencies: ['first run'] },
  ],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
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
  webServer: [
    {
      // Stands in for Microsoft so the wizard's test step runs for real.
      command: `${path.resolve(__dirname, '../target/release/entra-sim')} --addr 127.0.0.1:${simulatorPort} --smtp-addr 127.0.0.1:${smtpPort}`,
      url: `${simulatorURL}/_admin/stats`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: binary,
      url: `${baseURL}/health`,
      // A server already on the port would be an old build: fail instead.
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        TENANTRY_ADDR: `127.0.0.1:${port}`,
        TENANTRY_DATA_DIR: dataDir,
        ...(process.env.TENANTRY_DATABASE_URL ? { TENANTRY_DATABASE_URL: process.env.TENANTRY_DATABASE_URL } : {}),
        TENANTRY_SITE_ROOT: path.resolve(__dirname, '../target/site'),
        TENANTRY_LOG: 'info',
        TENANTRY_IDENTITY_URL: simulatorURL,
        TENANTRY_GRAPH_URL: simulatorURL,
        // The scheduler wakes when staff ask for checks; journeys that press
        // "Check now" should not race a poll that happens to land then.
        TENANTRY_CHECK_POLL_SECONDS: '3600',
        // The alerts journey's receiver listens on this machine.
        TENANTRY_WEBHOOKS_TO_THIS_MACHINE: '1',
        TENANTRY_MAIL_POLL_SECONDS: '2',
        TENANTRY_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        TENANTRY_MAIL_FROM: 'Tenantry <tenantry@msp.example>',
      },
    },
  ],
});
