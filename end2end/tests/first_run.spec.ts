import { expect, test } from '@playwright/test';

// Runs first (one worker, files in name order): first-run set-up needs the
// server's database to be empty.
import { failOnPageErrors, hydrated, LoginPage, setupLink, SetupPage, StaffPage } from './pages';

const admin = {
  organisation: 'Northwind Managed IT',
  name: 'Nadia Admin',
  email: 'nadia@northwind.example',
  password: 'a long and memorable passphrase',
};

test('a new MSP sets up Tenantry, signs in, invites a colleague, filters staff and signs out', async ({ page, browser }) => {
  const noPageErrors = failOnPageErrors(page);

  const setup = new SetupPage(page);
  await setup.open(await setupLink());
  await setup.createOrganisation(admin);
  await expect(page).toHaveURL(/\/login\?welcome=1$/);
  await expect(page.getByRole('status')).toContainText('Your organisation is ready');

  const login = new LoginPage(page);
  await hydrated(page);
  await login.signIn(admin.email, 'not the right password');
  await expect(login.error()).toHaveText('The e-mail address or password is incorrect.');
  await expect(page.getByLabel('E-mail address'), 'what was typed is kept').toHaveValue(admin.email);

  await login.signIn(admin.email, admin.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByText('Nadia Admin')).toBeVisible();

  const staff = new StaffPage(page);
  await staff.open();
  const invitation = await staff.invite('tom@northwind.example');
  expect(invitation).toContain('/invite/');

  const colleague = await browser.newPage();
  await colleague.goto(invitation);
  await hydrated(colleague);
  await expect(colleague.getByText('Northwind Managed IT invited')).toBeVisible();
  await colleague.getByLabel('Your name').fill('Tom Technician');
  await colleague.getByLabel('Choose a password').fill('another long passphrase');
  await colleague.getByRole('button', { name: 'Create my account' }).click();
  await expect(colleague).toHaveURL(/\/login\?joined=1$/);
  await colleague.close();

  await page.reload();
  await hydrated(page);
  await expect(staff.rows()).toHaveCount(2);
  // The filter runs in the browser: it only works once the wasm bundle hydrated.
  await staff.filter('tom');
  await expect(staff.rows()).toHaveCount(1);
  await expect(staff.rows().first()).toContainText('Tom Technician');
  await expect(page.getByText('Showing 1 of 2')).toBeVisible();
  await staff.filter('');
  await expect(staff.rows()).toHaveCount(2);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login$/);

  noPageErrors();
});

test('without JavaScript a refused sign-in comes back with its reason, and the right password opens the dashboard', async ({ browser }) => {
  // What happens to a form sent before the bundle has made the page interactive.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const login = new LoginPage(page);
  await page.goto('/login');

  await login.signIn(admin.email, 'not the right password');
  await expect(page).toHaveURL(/\/login\?/);
  await expect(login.error()).toHaveText('The e-mail address or password is incorrect.');

  await login.signIn(admin.email, admin.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await context.close();
});
