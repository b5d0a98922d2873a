import { expect, type Locator, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * Waits until the page's islands are awake, so clicks and typing reach
 * Rust. Every page is a full load: wait first for something only the new
 * page has, then for this.
 */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** Runs `act`, which makes the page load again (a saved island form), and waits for the new page. */
export async function reloadsAfter(page: Page, act: () => Promise<void>) {
  const loaded = page.waitForEvent('load');
  await act();
  await loaded;
  await hydrated(page);
}

/**
 * Fails the test on any script error, such as a wasm bundle that cannot
 * hydrate. A refused sign-in answers 401 on purpose, a refused form 422;
 * Chromium logs those too, so a test names the statuses it provokes.
 */
export function failOnPageErrors(page: Page, alsoExpected: RegExp[] = []) {
  const errors: string[] = [];
  const statuses = [/status of 401/, ...alsoExpected];
  const expected = { test: (text: string) => text.startsWith('Failed to load resource') && statuses.some((s) => s.test(text)) };
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected.test(message.text())) errors.push(message.text());
  });
  return () => expect(errors, 'errors in the browser console').toEqual([]);
}

/** The first-run link the server wrote next to its database. */
export async function setupLink(): Promise<string> {
  const file = path.join(process.env.TENANTRY_E2E_DATA_DIR!, 'setup-url.txt');
  await expect.poll(() => fs.existsSync(file)).toBe(true);
  return fs.readFileSync(file, 'utf8').trim();
}

export class SetupPage {
  constructor(private page: Page) {}

  async open(link: string) {
    await this.page.goto(link);
    await expect(this.page, 'the token leaves the address').toHaveURL(/\/setup$/);
    await hydrated(this.page);
  }

  async createOrganisation(details: { organisation: string; name: string; email: string; password: string }) {
    await this.page.getByLabel('Organisation name').fill(details.organisation);
    await this.page.getByLabel('Your name').fill(details.name);
    await this.page.getByLabel('E-mail address').fill(details.email);
    await this.page.getByLabel('Password').fill(details.password);
    await this.page.getByRole('button', { name: 'Create organisation' }).click();
  }
}

export class LoginPage {
  constructor(private page: Page) {}

  async open() {
    await this.page.goto('/login');
    await hydrated(this.page);
  }

  async signIn(email: string, password: string) {
    await this.page.getByLabel('E-mail address').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  error() {
    return this.page.getByRole('alert');
  }
}

export class StaffPage {
  constructor(private page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(this.page.getByRole('heading', { name: 'Staff' })).toBeVisible();
    await hydrated(this.page);
  }

  rows() {
    return this.page.getByRole('table').getByRole('row').filter({ has: this.page.getByRole('cell') });
  }

  async invite(email: string): Promise<string> {
    await this.page.getByLabel('Their e-mail address').fill(email);
    await this.page.getByRole('button', { name: 'Create invitation link' }).click();
    const link = this.page.getByLabel('Invitation link');
    await expect(link).toBeVisible();
    return link.inputValue();
  }

  async filter(text: string) {
    await this.page.getByLabel('Filter staff').fill(text);
  }
}

/** Creates an organisation and its admin with `tenantry admin create`, as an operator would. */
export function createOrganisation(org: string, email: string, password: string) {
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const binary = process.env.TENANTRY_E2E_BINARY ?? path.resolve(__dirname, '../../target/release/tenantry');
  const passwordFile = path.join(process.env.TENANTRY_E2E_DATA_DIR!, `password-${Date.now()}`);
  fs.writeFileSync(passwordFile, password, { mode: 0o600 });
  execFileSync(binary, ['admin', 'create', '--org', org, '--email', email, '--password-file', passwordFile], {
    env: { ...process.env, TENANTRY_DATA_DIR: process.env.TENANTRY_E2E_DATA_DIR!, TENANTRY_LOG: 'warn' },
  });
  fs.rmSync(passwordFile);
}

export class TenantsPage {
  constructor(private page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await expect(this.page.getByRole('heading', { name: 'Customer tenants' })).toBeVisible();
    await hydrated(this.page);
  }

  rows() {
    return this.page.getByRole('table').getByRole('row').filter({ has: this.page.getByRole('cell') });
  }

  async add(details: { name: string; tenantId: string; domain: string; cloud: string }) {
    await this.page.getByLabel('Customer name').fill(details.name);
    await this.page.getByLabel('Directory (tenant) ID').fill(details.tenantId);
    await this.page.getByLabel('Primary domain').fill(details.domain);
    await this.page.getByLabel('Cloud').selectOption({ label: details.cloud });
    await this.page.getByRole('button', { name: 'Add tenant' }).click();
  }

  async search(text: string) {
    await this.page.getByLabel('Search tenants').fill(text);
  }

  /** Imports `csv` as registrations.csv (the page must have hydrated: the file is read in the browser). */
  async importCsv(csv: string) {
    await this.page.getByLabel('CSV file').setInputFiles({ name: 'registrations.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect(this.page.locator('input[name="form[file]"]')).not.toHaveValue('');
    await this.page.getByRole('button', { name: 'Import' }).click();
  }
}

/** Scripts the Entra simulator as a tenant admin would act in the Entra portal. */
export async function simulator(pathname: string, body: unknown) {
  const response = await fetch(`${process.env.TENANTRY_E2E_SIMULATOR}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${pathname}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

/** A tenant's own page: its registrations and onboarding links. */
export class TenantPage {
  constructor(private page: Page) {}

  async createOnboardingLink(product: string): Promise<string> {
    const products = this.page.getByRole('group', { name: 'Products the customer should set up' });
    await expect(products).toBeVisible();
    await hydrated(this.page);
    await products.getByLabel(product).check();
    await this.page.getByRole('button', { name: 'Create onboarding link' }).click();
    return this.page.getByLabel(/Onboarding link/).inputValue();
  }

  /** Records an e-mail registration by hand with a client secret, then opens its page. */
  async recordEmailRegistration(clientId: string, secret: string, expiresInDays: number) {
    await hydrated(this.page);
    await this.page.getByRole('group', { name: 'Products this registration serves' }).getByLabel('E-mail through Microsoft Graph').check();
    await this.page.getByLabel('Application (client) ID').fill(clientId);
    await this.page.getByLabel('Client secret value').fill(secret);
    await this.page.getByLabel('Secret expires').fill(new Date(Date.now() + expiresInDays * 86_400_000).toISOString().slice(0, 10));
    await this.page.getByRole('button', { name: 'Save registration' }).click();
    await this.page.getByRole('link', { name: 'E-mail through Microsoft Graph' }).click();
    await hydrated(this.page);
  }
}

/** The customer's six-step set-up, reached from an onboarding link. */
export class OnboardingWizard {
  constructor(private page: Page) {}

  /** Opens the e-mailed link; the token leaves the address at once. */
  async open(link: string) {
    await this.page.goto(link);
    await expect(this.page).toHaveURL(/\/onboard(\?step=\d)?$/);
    expect(this.page.url()).not.toContain(link.split('/').pop()!);
    await hydrated(this.page);
  }

  /**
   * Opens the link the way a customer clicks it in an e-mail: a navigation
   * from another site (localhost is another site than 127.0.0.1), so the
   * flow's cookie must survive a cross-site redirect.
   */
  async openFromAnotherSite(link: string) {
    const elsewhere = new URL(link);
    elsewhere.hostname = 'localhost';
    elsewhere.pathname = '/login';
    await this.page.goto(elsewhere.toString());
    // Only once hydrated: hydration must find the page as the server sent it.
    await hydrated(this.page);
    await this.page.evaluate((href) => {
      const anchor = document.createElement('a');
      anchor.href = href;
      anchor.textContent = 'Set up access';
      document.body.prepend(anchor);
    }, link);
    await this.page.getByRole('link', { name: 'Set up access' }).click();
    await expect(this.page).toHaveURL(/127\.0\.0\.1:\d+\/onboard(\?step=\d)?$/);
    await hydrated(this.page);
  }

  heading() {
    return this.page.getByRole('heading', { level: 2 });
  }

  async goToStep(title: string) {
    await this.page.getByRole('navigation', { name: 'Set-up steps' }).getByRole('link', { name: new RegExp(title) }).click();
    await expect(this.heading()).toContainText(title);
    await hydrated(this.page);
  }

  /** Steps 1 to 3 happen in Entra; the customer says when each is done. */
  async confirmEntraSteps() {
    await this.page.getByRole('button', { name: 'The app is registered' }).click();
    await expect(this.heading()).toContainText('Step 2 of 6');
    await hydrated(this.page);
    await this.page.getByRole('button', { name: 'The permissions are added' }).click();
    await expect(this.heading()).toContainText('Step 3 of 6');
    await hydrated(this.page);
    await this.page.getByRole('button', { name: 'Consent is granted' }).click();
    await expect(this.heading()).toContainText('Step 4 of 6');
    await hydrated(this.page);
  }

  async saveSecret(secret: string, expires: string) {
    await this.page.getByLabel('Use a client secret').check();
    await this.page.getByLabel('Client secret value').fill(secret);
    await this.page.getByLabel('Secret expires').fill(expires);
    await this.page.getByRole('button', { name: 'Save the secret' }).click();
    await expect(this.page.getByRole('status').filter({ hasText: 'Saved: Client secret' })).toBeVisible();
  }

  async generateCertificate() {
    await this.page.getByLabel('Generate a certificate for me (recommended)').check();
    await this.page.getByRole('button', { name: 'Generate a certificate' }).click();
    await expect(this.page.getByRole('status').filter({ hasText: 'Saved: Certificate' })).toBeVisible();
  }

  /** Downloads the generated public certificate; returns its bytes. */
  async downloadCertificate(): Promise<Buffer> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('link', { name: 'Download the certificate (.cer)' }).click(),
    ]);
    return fs.readFileSync((await download.path())!);
  }

  async continueToIds() {
    await this.page.getByRole('link', { name: /Continue to step 5/ }).click();
    await expect(this.heading()).toContainText('Step 5 of 6');
    await hydrated(this.page);
  }

  async enterIds(details: { tenantId: string; clientId: string; objectId?: string }) {
    await this.page.getByLabel('Directory (tenant) ID').fill(details.tenantId);
    await this.page.getByLabel('Application (client) ID').fill(details.clientId);
    if (details.objectId) await this.page.getByLabel('Object ID').fill(details.objectId);
    await this.page.getByRole('button', { name: 'Save the IDs' }).click();
    await expect(this.heading()).toContainText('Step 6 of 6');
    await hydrated(this.page);
  }

  async test() {
    await this.page.getByRole('button', { name: 'Test the registration' }).click();
  }
}

/** A PATCH to the simulator, e.g. what an app registration asks for. */
export async function simulatorPatch(pathname: string, body: unknown) {
  const response = await fetch(`${process.env.TENANTRY_E2E_SIMULATOR}${pathname}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${pathname}: ${response.status}`);
}

/** One registration's page: its standing, verdict and timeline. */
export class RegistrationPage {
  constructor(private page: Page) {}

  standing() {
    return this.page.getByRole('region', { name: 'Current status' });
  }

  timeline() {
    return this.page.locator('ol.timeline > li');
  }

  async checkNow() {
    await reloadsAfter(this.page, () => this.page.getByRole('button', { name: 'Check now' }).click());
  }

  async createConsentLink(redirectRegistered: boolean): Promise<string> {
    await this.page.getByLabel(/as a Web redirect URI/).setChecked(redirectRegistered);
    await this.page.getByRole('button', { name: 'Create a consent link' }).click();
    const link = this.page.getByRole('link', { name: 'Grant admin consent' });
    await expect(link).toBeVisible();
    return (await link.getAttribute('href'))!;
  }
}

/** The dashboard: counts by status, the attention list and the matrix. */
export class DashboardPage {
  constructor(private page: Page) {}

  async open(query = '') {
    await this.page.goto(`/${query}`);
    await hydrated(this.page);
  }

  counts() {
    return this.page.getByRole('navigation', { name: 'Registrations by status' });
  }

  count(status: string) {
    return this.counts().getByRole('link', { name: new RegExp(`${status} \\d+$`) });
  }

  matrix() {
    return this.page.getByRole('table').filter({ has: this.page.getByRole('columnheader', { name: 'Tenant', exact: true }) });
  }

  attention() {
    return this.page.locator('section').filter({ has: this.page.getByRole('heading', { name: /^Needs attention/ }) });
  }

  /** The lines of the attention list, without those set aside. */
  openItems() {
    return this.attention().getByRole('list').first().getByRole('listitem');
  }

  async acknowledge(tenant: string, note: string) {
    const line = this.openItems().filter({ hasText: tenant }).first();
    await line.getByRole('button', { name: 'Acknowledge…' }).click();
    await this.page.getByLabel('What is being done').fill(note);
    await reloadsAfter(this.page, () => this.page.getByRole('button', { name: 'Set aside', exact: true }).click());
  }
}

/**
 * The code an authenticator app would show for a base32 key (RFC 6238:
 * HMAC-SHA1, 30-second steps, 6 digits), `stepsAhead` steps from now.
 */
export function totp(base32Key: string, stepsAhead = 0): string {
  const { createHmac } = require('node:crypto') as typeof import('node:crypto');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32Key.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const step = Math.floor(Date.now() / 1000 / 30) + stepsAhead;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0xf;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

export class AccountPage {
  constructor(private page: Page) {}

  async open(name: string) {
    await this.page.getByRole('link', { name }).click();
    await expect(this.page.getByRole('heading', { name: 'Your account' })).toBeVisible();
    await hydrated(this.page);
  }

  /** Sets up a second factor; returns the key and the recovery codes shown. */
  async setUpSecondFactor(password: string): Promise<{ key: string; recoveryCodes: string[] }> {
    await this.page.getByRole('button', { name: 'Set up a second factor' }).click();
    const key = (await this.page.getByLabel('Key for your authenticator app').textContent())!.trim();
    await expect(this.page.getByRole('img', { name: /QR code for Tenantry/ })).toBeVisible();
    await this.page.getByLabel('Code from the app').fill(totp(key));
    await this.page.getByLabel('Your password').fill(password);
    await this.page.getByRole('button', { name: 'Turn on' }).click();
    const codes = this.page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await expect(codes).toHaveCount(10);
    return { key, recoveryCodes: await codes.allTextContents() };
  }
}

/** Recovery (admins): the organisation's tenant and company recovery. */
export class RecoverySettingsPage {
  constructor(private page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recovery' }).click();
    await expect(this.page.getByRole('heading', { name: 'Recovery', exact: true })).toBeVisible();
    await hydrated(this.page);
  }

  async allowRecoveryWith(tenantId: string) {
    await this.page.getByLabel('Directory (tenant) ID').fill(tenantId);
    await reloadsAfter(this.page, () => this.page.getByRole('button', { name: 'Save the tenant' }).click());
    await expect(this.page.getByLabel('Directory (tenant) ID')).toHaveValue(tenantId);
    await reloadsAfter(this.page, () => this.page.getByRole('button', { name: 'Allow company recovery' }).click());
    await expect(this.page.getByText(/^On\. When every administrator has lost access/)).toBeVisible();
  }
}

/** `/recover`: someone who lost access proves control of the company's tenant. */
export class RecoverPage {
  constructor(private page: Page) {}

  /** From the sign-in page, as a person who cannot sign in would go. */
  async openFromSignIn() {
    await this.page.goto('/login');
    await this.page.getByRole('link', { name: 'Recover access' }).click();
    await expect(this.page.getByRole('heading', { name: 'Recover access to your organisation' })).toBeVisible();
    await hydrated(this.page);
  }

  async nameCompany(tenantId: string) {
    await this.page.getByLabel("The company's Directory (tenant) ID").fill(tenantId);
    await this.page.getByRole('button', { name: 'Continue' }).click();
    await expect(this.page.getByRole('heading', { name: /Create the recovery app/ })).toBeVisible();
    await hydrated(this.page);
  }

  async handOver(proof: { name: string; tenantId: string; clientId: string; objectId: string; secret: string }) {
    await this.page.getByLabel('Your name').fill(proof.name);
    await this.page.getByLabel('Directory (tenant) ID').fill(proof.tenantId);
    await this.page.getByLabel('Application (client) ID').fill(proof.clientId);
    await this.page.getByLabel('Object ID').fill(proof.objectId);
    await this.page.getByLabel('Client secret value').fill(proof.secret);
    await this.page.getByRole('button', { name: 'Check the recovery app' }).click();
  }

  check(code: string) {
    return this.page.locator(`li[data-code="${code}"]`);
  }
}

/** `/alerts`: where the organisation's alerts go. */
export class AlertsPage {
  constructor(private page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await expect(this.page.getByRole('heading', { name: 'Alerts', exact: true })).toBeVisible();
    await hydrated(this.page);
  }

  /** Fills and sends the form; the page stays, showing the secret or the refusal. */
  async addWebhook(name: string, address: string) {
    await this.page.getByLabel('Name', { exact: true }).fill(name);
    await this.page.getByLabel("Receiver's address").fill(address);
    await this.page.getByRole('button', { name: 'Add the channel' }).click();
  }

  signingSecret() {
    return this.page.getByLabel('Signing secret', { exact: true });
  }

  log(channel: string) {
    return this.page.getByRole('table', { name: `What was sent to ${channel}` });
  }

  told(channel: string) {
    return this.page.getByLabel(`What ${channel} is told`);
  }

  /** Opens the channel's rules, lets `choose` change them, and saves. */
  async changeRules(channel: string, choose: (form: Locator) => Promise<void>) {
    await this.page.getByText(`Change what ${channel} is told`).click();
    const form = this.page.locator('details[open] form');
    await choose(form);
    await reloadsAfter(this.page, () => form.getByRole('button', { name: 'Save the rules' }).click());
  }
}

/** A webhook receiver on this machine that keeps what it is sent. */
export async function webhookReceiver() {
  const received: { id: string; timestamp: string; signature: string; body: string }[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({
        id: String(request.headers['webhook-id'] ?? ''),
        timestamp: String(request.headers['webhook-timestamp'] ?? ''),
        signature: String(request.headers['webhook-signature'] ?? ''),
        body,
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Whether `signature` (a webhook-signature header) signs the message with `secret` (whsec_…). */
export function signedWith(secret: string, message: { id: string; timestamp: string; signature: string; body: string }) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${message.id}.${message.timestamp}.${message.body}`).digest('base64');
  return message.signature.split(' ').includes(`v1,${expected}`);
}

/** What the simulator's mail server received, oldest first. */
export async function mailReceived(): Promise<{ from: string; to: string[]; data: string }[]> {
  const response = await fetch(`${process.env.TENANTRY_E2E_SIMULATOR}/_admin/smtp`);
  if (!response.ok) throw new Error(`simulator mail: ${response.status}`);
  return (await response.json()).messages;
}

/** The first link in an e-mail as sent (quoted-printable soft breaks undone). */
export function linkIn(data: string): string {
  const body = data.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const found = body.match(/https?:\/\/\S+/);
  if (!found) throw new Error(`no link in ${data}`);
  return found[0];
}

export class ApiTokensPage {
  constructor(private page: Page) {}

  async open() {
    await this.page.goto('/api-tokens');
    await expect(this.page.getByRole('heading', { name: 'API tokens', exact: true })).toBeVisible();
    await hydrated(this.page);
  }

  /** Fills and sends the form; the page stays, showing the token or the refusal. */
  async create(name: string, scopes: string[], days: string) {
    await this.page.getByLabel('Name', { exact: true }).fill(name);
    for (const scope of scopes) {
      await this.page.getByRole('checkbox', { name: new RegExp(`^${scope}:`) }).check();
    }
    await this.page.getByLabel('Expires after (days)').fill(days);
    await this.page.getByRole('button', { name: 'Create token' }).click();
  }

  newToken() {
    return this.page.getByLabel(/Your new token/);
  }

  row(name: string) {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('cell', { name, exact: true }) });
  }

  async revoke(name: string) {
    await reloadsAfter(this.page, () => this.page.getByRole('button', { name: `Revoke ${name}` }).click());
  }
}
