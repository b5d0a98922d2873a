import { expect, test } from '@playwright/test';

import { createOrganisation, failOnPageErrors, hydrated, LoginPage, StaffPage } from './pages';

const admin = { email: 'rosa@lifecycle.example', password: 'a passphrase for the lifecycle admin' };
const colleague = { name: 'Leo Leaver', email: 'leo@lifecycle.example', password: 'a passphrase Leo will not need long' };

test('an admin removes a colleague, who is signed out at once, and the audit trail says so', async ({ page, browser }) => {
  createOrganisation('Lifecycle Managed IT', admin.email, admin.password);
  const noPageErrors = failOnPageErrors(page);
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(admin.email, admin.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  const staff = new StaffPage(page);
  await staff.open();
  const invitation = await staff.invite(colleague.email);

  const leo = await browser.newPage();
  const leoErrors = failOnPageErrors(leo);
  await leo.goto(invitation);
  await hydrated(leo);
  await leo.getByLabel('Your name').fill(colleague.name);
  await leo.getByLabel('Choose a password').fill(colleague.password);
  await leo.getByRole('button', { name: 'Create my account' }).click();
  await expect(leo).toHaveURL(/\/login\?joined=1$/);
  await hydrated(leo);
  await new LoginPage(leo).signIn(colleague.email, colleague.password);
  await expect(leo.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await leo.getByRole('link', { name: colleague.name }).click();
  await expect(leo.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await expect(leo.getByText('This browser', { exact: true })).toBeVisible();

  await page.reload();
  await hydrated(page);
  await page.getByRole('button', { name: `Remove ${colleague.name}` }).click();
  await expect(staff.rows()).toHaveCount(1);

  await leo.reload();
  await expect(leo, 'the removed colleague is signed out at once').toHaveURL(/\/login$/);
  await hydrated(leo);
  await new LoginPage(leo).signIn(colleague.email, colleague.password);
  await expect(leo.getByRole('alert')).toHaveText('The e-mail address or password is incorrect.');
  leoErrors();
  await leo.close();

  await page.getByRole('link', { name: 'see the audit trail' }).click();
  await expect(page.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
  const removal = page.getByRole('row').filter({ hasText: 'Member removed' });
  await expect(removal).toHaveCount(1);
  await expect(removal).toContainText(admin.email);
  await expect(removal).toContainText(colleague.email);

  await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Signed in' });
  await page.getByRole('button', { name: 'Show events' }).click();
  await expect(page).toHaveURL(/action=sign_in.succeeded/);
  await expect(page.getByRole('row').filter({ hasText: 'Member removed' })).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: 'Signed in' }).first()).toBeVisible();

  noPageErrors();
});
