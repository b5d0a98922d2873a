import { expect, test, type Page } from '@playwright/test';
import { createOrganisation, failOnPageErrors, hydrated, LoginPage, OnboardingWizard, simulator, TenantPage, TenantsPage } from './pages';

const staff = { email: 'mia@woodgrove.example', password: 'woodgrove managed services' };

async function signInAndAddTenant(page: Page, name: string, tenantId: string) {
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(staff.email, staff.password);
  const tenants = new TenantsPage(page);
  await tenants.open();
  await tenants.add({ name, tenantId, domain: '', cloud: 'Global (commercial)' });
  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await hydrated(page);
}

function inDays(days: number) {
  return new Date(Date.now() + days * 86400 * 1000).toISOString().slice(0, 10);
}

test.describe.serial('onboarding', () => {
  test.beforeAll(() => createOrganisation('Woodgrove MSP', staff.email, staff.password));

  test('a customer follows the link step by step, sees the consent fix, grants consent and ends green', async ({ page, browser }) => {
    const TENANT = '5a5a5a5a-0000-4000-8000-000000000001';
    const CLIENT = '5a5a5a5a-0000-4000-8000-000000000002';
    const SECRET = 'Wg7~secret.value-fromTheEntraPortal';
    const noPageErrors = failOnPageErrors(page);
    await simulator('/_admin/tenants', { id: TENANT, domains: ['litware.example'], display_name: 'Litware', cloud: 'global' });
    await signInAndAddTenant(page, 'Litware', TENANT);
    const link = await new TenantPage(page).createOnboardingLink('E-mail through Microsoft Graph');

    // The customer's admin, in their own browser, without an account.
    const customer = await browser.newPage();
    const noCustomerErrors = failOnPageErrors(customer, [/status of 422/]);
    const wizard = new OnboardingWizard(customer);
    await wizard.open(link);
    await expect(customer.getByRole('heading', { name: 'Set up access for Litware' })).toBeVisible();
    await expect(wizard.heading()).toHaveText('Step 1 of 6: Register the app');
    await expect(customer.getByText(/send as any mailbox/)).toBeVisible();
    await customer.getByText('Prefer a script?').click();
    await expect(customer.getByText(/New-MgApplication -DisplayName 'Tenantry Mail Sender'/)).toBeVisible();
    await customer.getByRole('button', { name: 'The app is registered' }).click();
    await expect(customer.getByRole('cell', { name: /Mail\.Send/ })).toBeVisible();
    await hydrated(customer);
    await customer.getByRole('button', { name: 'The permissions are added' }).click();
    await expect(customer.getByText(/Global Administrator or a Privileged Role Administrator/)).toBeVisible();

    // What the admin does in Entra: register the app and create a secret, but forget consent.
    await simulator('/_admin/apps', { tenant_id: TENANT, client_id: CLIENT, display_name: 'Tenantry Mail Sender',
      secrets: [{ value: SECRET, expires_at: Math.floor(Date.now() / 1000) + 150 * 86400 }] });
    await wizard.goToStep('Add a credential');
    await wizard.saveSecret(SECRET, inDays(150));

    // Closing the browser loses nothing: the link resumes at the first unfinished step.
    await wizard.open(link);
    await expect(wizard.heading()).toHaveText('Step 5 of 6: Enter the IDs');
    await wizard.enterIds({ tenantId: TENANT, clientId: CLIENT });

    await wizard.test();
    await expect(customer.getByText('Not yet: fix what is listed below')).toBeVisible();
    await expect(customer.getByText(/admin consent is missing/)).toBeVisible();
    await expect(customer.getByText(/How to fix: .*Grant admin consent/)).toBeVisible();
    await wizard.goToStep('Grant admin consent');
    await expect(customer.getByRole('link', { name: /adminconsent\?client_id=/ })).toBeVisible();

    await simulator(`/_admin/apps/${CLIENT}/roles`, { grant: ['Mail.Send'] });
    await wizard.goToStep('Test');
    await wizard.test();
    await expect(customer.getByText('All set: the registration works')).toBeVisible();
    await expect(customer.getByRole('row', { name: 'Mail.Send Application Granted' })).toBeVisible();
    noCustomerErrors();

    await page.reload();
    await expect(page.getByRole('row', { name: new RegExp(CLIENT) })).toContainText('Client secret …rtal');
    await expect(page.getByRole('row', { name: /E-mail through Microsoft Graph/ }).last()).toContainText('Completed');
    noPageErrors();
  });

  test('a customer lets Tenantry generate a certificate, uploads the downloaded .cer to Entra and ends green', async ({ page, browser }) => {
    const TENANT = '5a5a5a5a-0000-4000-8000-000000000011';
    const CLIENT = '5a5a5a5a-0000-4000-8000-000000000012';
    const noPageErrors = failOnPageErrors(page);
    await simulator('/_admin/tenants', { id: TENANT, domains: ['fourth-coffee.example'], display_name: 'Fourth Coffee', cloud: 'global' });
    await signInAndAddTenant(page, 'Fourth Coffee', TENANT);
    const link = await new TenantPage(page).createOnboardingLink('E-mail through Microsoft Graph');

    const customer = await browser.newPage();
    const noCustomerErrors = failOnPageErrors(customer, [/status of 422/]);
    const wizard = new OnboardingWizard(customer);
    // Clicked in an e-mail: the token moves into the flow's cookie on a
    // cross-site navigation and the wizard still opens.
    await wizard.openFromAnotherSite(link);
    await expect(customer.getByRole('heading', { name: 'Set up access for Fourth Coffee' })).toBeVisible();
    await wizard.confirmEntraSteps();
    // Reopened, the link resumes at step 4 (no step in the address); what is
    // saved there is shown there, not on the next step.
    await wizard.open(link);
    await expect(wizard.heading()).toContainText('Step 4 of 6');

    // A file that is not a .pfx is read by the page and refused with a specific message.
    await customer.getByLabel('Upload my own certificate').check();
    await customer.getByLabel('Private key (.pfx, or .pem)').setInputFiles({ name: 'key.pfx', mimeType: 'application/x-pkcs12', buffer: Buffer.from('not a pfx') });
    await customer.getByLabel('Password of the .pfx').fill('guess');
    await customer.getByRole('button', { name: 'Upload and check' }).click();
    await expect(customer.getByText(/The .pfx could not be opened: check the password/)).toBeVisible();

    await wizard.generateCertificate();
    await expect(customer.getByRole('status').filter({ hasText: 'CN=Tenantry Mail Sender' })).toBeVisible();
    const certificate = await wizard.downloadCertificate();

    // What the admin does in Entra: upload the .cer to the app and grant consent.
    await simulator('/_admin/apps', { tenant_id: TENANT, client_id: CLIENT, display_name: 'Tenantry Mail Sender' });
    await simulator(`/_admin/apps/${CLIENT}/certificates`, { der_base64: certificate.toString('base64') });
    await simulator(`/_admin/apps/${CLIENT}/roles`, { grant: ['Mail.Send'] });

    await wizard.continueToIds();
    await wizard.enterIds({ tenantId: TENANT, clientId: CLIENT });
    await wizard.test();
    await expect(customer.getByText('All set: the registration works')).toBeVisible();
    noCustomerErrors();

    await page.reload();
    await expect(page.getByRole('row', { name: new RegExp(CLIENT) })).toContainText('Certificate ');
    noPageErrors();
  });
});
