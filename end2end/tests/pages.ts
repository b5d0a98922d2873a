import { expect, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Waits until the wasm bundle has hydrated the page, so clicks and typing reach Rust. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/**
 * Fails the test on any script error, such as a wasm bundle that cannot
 * hydrate. A refused sign-in answers 401 on purpose; Chromium logs that too.
 */
export function failOnPageErrors(page: Page) {
  const errors: string[] = [];
  const expected = /Failed to load resource: the server responded with a status of 401/;
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
