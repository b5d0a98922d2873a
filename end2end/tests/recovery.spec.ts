import { expect, test } from '@playwright/test';

import { createOrganisation, failOnPageErrors, hydrated, LoginPage, OnboardingWizard, RecoverPage, RecoverySettingsPage, simulator, TenantPage, TenantsPage } from './pages';

const HOUR = 3600;

/** A tenant in the simulator with a recovery app made by `createdBy`, `hoursAgo` hours ago. */
async function tenantWithRecoveryApp(ids: { tenant: string; client: string; object: string }, createdBy: string, hoursAgo: number) {
  await simulator('/_admin/tenants', { id: ids.tenant, domains: [createdBy.split('@')[1]], display_name: 'Company' });
  await simulator('/_admin/apps', {
    tenant_id: ids.tenant,
    client_id: ids.client,
    object_id: ids.object,
    display_name: 'Tenantry Recovery',
    created_at: Math.floor(Date.now() / 1000) - hoursAgo * HOUR,
    created_by: createdBy,
    secrets: [{ value: 'recovery~Secret.Value.123', expires_at: Math.floor(Date.now() / 1000) + 30 * 24 * HOUR }],
    roles: ['AuditLog.Read.All'],
  });
}

/** The organisation's admin names its tenant and allows recovery, then loses access. */
async function organisationAllowingRecovery(page: import('@playwright/test').Page, org: string, admin: string, tenant: string) {
  createOrganisation(org, admin, 'the admin who will lose access');
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(admin, 'the admin who will lose access');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const settings = new RecoverySettingsPage(page);
  await settings.open();
  await settings.allowRecoveryWith(tenant);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test('someone whose admins are all gone proves control of the tenant, chooses a password and signs in as admin', async ({ page }) => {
  const ids = {
    tenant: '7e570001-0000-4000-8000-000000000001',
    client: '7e570001-0000-4000-8000-0000000000c1',
    object: '7e570001-0000-4000-8000-0000000000b1',
  };
  await tenantWithRecoveryApp(ids, 'ada@recovered.example', 2);
  const noPageErrors = failOnPageErrors(page);
  await organisationAllowingRecovery(page, 'Recovered IT', 'gone@recovered.example', ids.tenant);

  const recover = new RecoverPage(page);
  await recover.openFromSignIn();
  await recover.nameCompany(ids.tenant);
  await expect(page.getByText('…00001')).toBeVisible();
  await recover.handOver({ name: 'Ada Lovelace', tenantId: ids.tenant, clientId: ids.client, objectId: ids.object, secret: 'recovery~Secret.Value.123' });

  await expect(page.getByRole('status').filter({ hasText: 'Accepted' })).toBeVisible();
  for (const code of ['tenant_match', 'token', 'audit_permission', 'creation_event', 'within_window', 'initiator']) {
    await expect(recover.check(code), code).toHaveClass(/check-passed/);
  }
  await expect(recover.check('initiator')).toContainText('ada@recovered.example');

  await page.getByRole('link', { name: 'Choose your password' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('New password').fill('a brand new recovered passphrase');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page).toHaveURL(/\/login\?reset/);
  await hydrated(page);
  await new LoginPage(page).signIn('ada@recovered.example', 'a brand new recovered passphrase');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await new RecoverySettingsPage(page).open();
  await expect(page.getByRole('cell', { name: 'accepted' })).toBeVisible();

  noPageErrors();
});

test('a recovery app created four days ago is refused with the window and what to do about it', async ({ page }) => {
  const ids = {
    tenant: '7e570002-0000-4000-8000-000000000002',
    client: '7e570002-0000-4000-8000-0000000000c2',
    object: '7e570002-0000-4000-8000-0000000000b2',
  };
  await tenantWithRecoveryApp(ids, 'bob@late.example', 96);
  const noPageErrors = failOnPageErrors(page);
  await organisationAllowingRecovery(page, 'Late IT', 'gone@late.example', ids.tenant);

  const recover = new RecoverPage(page);
  await recover.openFromSignIn();
  await recover.nameCompany(ids.tenant);
  await recover.handOver({ name: 'Bob', tenantId: ids.tenant, clientId: ids.client, objectId: ids.object, secret: 'recovery~Secret.Value.123' });

  await expect(page.getByRole('status').filter({ hasText: 'Refused' })).toBeVisible();
  await expect(recover.check('creation_event')).toHaveClass(/check-passed/);
  await expect(recover.check('within_window')).toHaveClass(/check-failed/);
  await expect(recover.check('within_window')).toContainText('1 day too old');
  await expect(recover.check('within_window')).toContainText('Create a new app registration');
  await expect(page.getByText(/2 more refused attempts/)).toBeVisible();

  noPageErrors();
});

test("a customer's ownership proof through a link marks their tenant verified", async ({ page, browser }) => {
  const ids = {
    tenant: '7e570003-0000-4000-8000-000000000003',
    client: '7e570003-0000-4000-8000-0000000000c3',
    object: '7e570003-0000-4000-8000-0000000000b3',
  };
  await tenantWithRecoveryApp(ids, 'carol@fabrikam-owner.example', 1);
  const noPageErrors = failOnPageErrors(page);
  createOrganisation('Proof MSP', 'owen@proof-msp.example', 'the proof msp passphrase');
  const login = new LoginPage(page);
  await login.open();
  await login.signIn('owen@proof-msp.example', 'the proof msp passphrase');
  const tenants = new TenantsPage(page);
  await tenants.open();
  await tenants.add({ name: 'Fabrikam Owner', tenantId: ids.tenant, domain: '', cloud: 'Global (commercial)' });
  await page.getByRole('link', { name: 'Fabrikam Owner' }).click();
  const link = await new TenantPage(page).createOnboardingLink('Company recovery');

  const customer = await browser.newPage();
  const noCustomerErrors = failOnPageErrors(customer);
  const wizard = new OnboardingWizard(customer);
  await wizard.open(link);
  await wizard.confirmEntraSteps();
  // Nothing is saved at step 4: the secret is typed at the test and never stored.
  await customer.getByRole('button', { name: 'The secret is created' }).click();
  await expect(wizard.heading()).toContainText('Step 5 of 6');
  await hydrated(customer);
  await wizard.enterIds({ tenantId: ids.tenant, clientId: ids.client, objectId: ids.object });
  await customer.getByLabel('Client secret value').fill('recovery~Secret.Value.123');
  await customer.getByRole('button', { name: 'Check the recovery app' }).click();
  await expect(customer.getByRole('status').filter({ hasText: 'Accepted' })).toBeVisible();
  await expect(customer.locator('li[data-code="initiator"]')).toContainText('carol@fabrikam-owner.example');
  noCustomerErrors();

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Ownership verified' })).toBeVisible();
  await expect(page.getByText('carol@fabrikam-owner.example').first()).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: "Make carol@fabrikam-owner.example the tenant's contact" }).click();
  await expect(page.getByRole('button', { name: /the tenant's contact/ })).toHaveCount(0);
  noPageErrors();
});
