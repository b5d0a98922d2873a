import { expect, test } from '@playwright/test';
import { createOrganisation, failOnPageErrors, hydrated, LoginPage, TenantsPage } from './pages';

const admin = { email: 'olga@tailspin.example', password: 'tailspin managed services' };

test('a technician records customer tenants, fixes a mistyped ID without retyping, records a registration, finds and archives a tenant', async ({ page }) => {
  const noPageErrors = failOnPageErrors(page, [/status of 422/]);
  createOrganisation('Tailspin MSP', admin.email, admin.password);
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(admin.email, admin.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  const tenants = new TenantsPage(page);
  await tenants.open();
  await expect(page.getByText('No customer tenants yet.')).toBeVisible();

  await tenants.add({ name: 'Contoso Ltd', tenantId: 'contoso.com', domain: 'contoso.onmicrosoft.com', cloud: 'US Government (GCC High)' });
  await expect(page.getByText(/is not a Directory \(tenant\) ID/)).toBeVisible();
  await expect(page.getByLabel('Customer name'), 'typed values are kept').toHaveValue('Contoso Ltd');
  await expect(page.getByLabel('Primary domain')).toHaveValue('contoso.onmicrosoft.com');

  await page.getByLabel('Directory (tenant) ID').fill('0123abcd-89ab-cdef-0123-456789abcdef');
  await page.getByRole('button', { name: 'Add tenant' }).click();
  await expect(tenants.rows()).toHaveCount(1);
  await expect(tenants.rows().first()).toContainText('US Government (GCC High)');

  await tenants.add({ name: 'Fabrikam Inc', tenantId: '', domain: 'fabrikam.onmicrosoft.com', cloud: 'Global (commercial)' });
  await expect(tenants.rows()).toHaveCount(2);
  await tenants.search('fabri');
  await expect(tenants.rows()).toHaveCount(1);

  await tenants.search('');
  await page.getByRole('link', { name: 'Contoso Ltd' }).click();
  await expect(page.getByRole('heading', { name: 'Contoso Ltd' })).toBeVisible();
  await hydrated(page);
  const serves = page.getByRole('group', { name: 'Products this registration serves' });
  await serves.getByLabel('Intune app publishing').check();
  await serves.getByLabel('E-mail through Microsoft Graph').check();
  await page.getByLabel('Application (client) ID').fill('22222222-2222-2222-2222-222222222222');
  await page.getByLabel('Client secret value').fill('Qx8~kT3.vLr9_Zp2-browserSecret');
  await page.getByLabel('Secret expires').fill('2027-03-31');
  await page.getByRole('button', { name: 'Save registration' }).click();
  const registration = page.getByRole('row', { name: /22222222-2222-2222-2222-222222222222/ });
  await expect(registration).toContainText('Client secret …cret');
  await expect(registration).toContainText('Intune app publishing, E-mail through Microsoft Graph');
  await expect(page.getByLabel('Client secret value'), 'the secret field is emptied').toHaveValue('');
  await expect(page.getByText('browserSecret')).toHaveCount(0);

  await page.getByRole('link', { name: '← All tenants' }).click();
  await expect(page.getByRole('heading', { name: 'Customer tenants' })).toBeVisible();
  await hydrated(page);
  await tenants.search('fabri');
  await tenants.rows().first().getByRole('link', { name: 'Fabrikam Inc' }).click();
  await expect(page.getByRole('heading', { name: 'Fabrikam Inc' })).toBeVisible();
  await page.getByRole('button', { name: 'Archive tenant' }).click();
  await expect(page.getByRole('heading', { name: 'Customer tenants' })).toBeVisible();
  await expect(tenants.rows()).toHaveCount(1);
  await hydrated(page);
  await page.getByLabel('Show archived').check();
  await expect(tenants.rows()).toHaveCount(2);
  await expect(page.getByRole('row', { name: /Fabrikam Inc/ })).toContainText('Archived');

  await hydrated(page);
  noPageErrors();
});
