import { expect, test } from '@playwright/test';
import { createOrganisation, failOnPageErrors, LoginPage, OnboardingWizard, simulator, TenantsPage } from './pages';

const staff = { email: 'mia@woodgrove.example', password: 'woodgrove managed services' };
const TENANT = '5a5a5a5a-0000-4000-8000-000000000001';
const CLIENT = '5a5a5a5a-0000-4000-8000-000000000002';
const SECRET = 'Wg7~secret.value-fromTheEntraPortal';

test('a customer follows the onboarding link, sees the consent fix, grants consent and ends green', async ({ page, browser }) => {
  const noPageErrors = failOnPageErrors(page);
  createOrganisation('Woodgrove MSP', staff.email, staff.password);
  await simulator('/_admin/tenants', { id: TENANT, domains: ['woodgrove-customer.example'], display_name: 'Litware', cloud: 'global' });

  const login = new LoginPage(page);
  await login.open();
  await login.signIn(staff.email, staff.password);
  const tenants = new TenantsPage(page);
  await tenants.open();
  await tenants.add({ name: 'Litware', tenantId: TENANT, domain: '', cloud: 'Global (commercial)' });
  await page.getByRole('link', { name: 'Litware' }).click();
  await page.getByRole('group', { name: 'Products the customer should set up' }).getByLabel('E-mail through Microsoft Graph').check();
  await page.getByRole('button', { name: 'Create onboarding link' }).click();
  const link = await page.getByLabel(/Onboarding link/).inputValue();

  // The customer's admin, in their own browser, without an account.
  const customer = await browser.newPage();
  const noCustomerErrors = failOnPageErrors(customer, [/status of 422/]);
  const wizard = new OnboardingWizard(customer);
  await wizard.open(link);
  await expect(customer.getByRole('heading', { name: 'Set up access for Litware' })).toBeVisible();
  await expect(customer.getByRole('cell', { name: /Mail\.Send/ })).toBeVisible();
  await expect(customer.getByText(/send as any mailbox/)).toBeVisible();
  await customer.getByText('Prefer a script?').click();
  await expect(customer.getByText(/New-MgApplication -DisplayName 'Tenantry Mail Sender'/)).toBeVisible();

  // What the admin does in Entra: register the app and create a secret, but forget consent.
  await simulator('/_admin/apps', { tenant_id: TENANT, client_id: CLIENT, display_name: 'Tenantry Mail Sender',
    secrets: [{ value: SECRET, expires_at: Math.floor(Date.now() / 1000) + 150 * 86400 }] });
  const expires = new Date(Date.now() + 150 * 86400 * 1000).toISOString().slice(0, 10);
  await wizard.enter({ tenantId: TENANT, clientId: CLIENT, secret: SECRET, expires });
  await expect(customer.getByRole('link', { name: /adminconsent\?client_id=/ })).toBeVisible();

  await wizard.test();
  await expect(customer.getByText('Not yet: fix what is listed below')).toBeVisible();
  await expect(customer.getByText(/admin consent is missing/)).toBeVisible();
  await expect(customer.getByText(/How to fix: .*Grant admin consent/)).toBeVisible();

  await simulator(`/_admin/apps/${CLIENT}/roles`, { grant: ['Mail.Send'] });
  await wizard.test();
  await expect(customer.getByText('All set: the registration works')).toBeVisible();
  await expect(customer.getByRole('row', { name: 'Mail.Send Application Granted' })).toBeVisible();
  noCustomerErrors();

  await page.reload();
  await expect(page.getByRole('row', { name: new RegExp(CLIENT) })).toContainText('Client secret …rtal');
  await expect(page.getByRole('row', { name: /E-mail through Microsoft Graph/ }).last()).toContainText('Completed');
  noPageErrors();
});
