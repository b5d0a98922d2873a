import { expect, test } from '@playwright/test';

import { AccountPage, createOrganisation, failOnPageErrors, hydrated, LoginPage, totp } from './pages';

const member = { email: 'mina@secondfactor.example', password: 'a passphrase with a second factor' };

test('a member sets up a second factor, then signs in with the password and a code from the app', async ({ page }) => {
  createOrganisation('Second Factor IT', member.email, member.password);
  const noPageErrors = failOnPageErrors(page, [/status of 422/]);
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(member.email, member.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  const account = new AccountPage(page);
  await account.open(member.email);
  const { key, recoveryCodes } = await account.setUpSecondFactor(member.password);
  expect(recoveryCodes[0]).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
  await page.reload();
  await expect(page.getByText(/On: you sign in with a code/)).toBeVisible();

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  await login.signIn(member.email, member.password);
  await expect(page, 'the password alone does not sign in').toHaveURL(/\/login\/code$/);
  await hydrated(page);

  await page.getByLabel('Code').fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText(/That code is not right/)).toBeVisible();
  await page.goto('/');
  await expect(page, 'half a sign-in opens nothing').toHaveURL(/\/login$/);
  await hydrated(page);
  await login.signIn(member.email, member.password);
  await expect(page).toHaveURL(/\/login\/code$/);
  await hydrated(page);

  // The current step's code went to setting up; the app's next one is
  // accepted a little early, as for a clock slightly ahead.
  await page.getByLabel('Code').fill(totp(key, 1));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  noPageErrors();
});
