import { expect, test } from '@playwright/test';
import {
  createOrganisation, failOnPageErrors, hydrated, linkIn, LoginPage, mailReceived, OnboardingWizard, RegistrationPage,
  reloadsAfter, simulator, TenantPage, TenantsPage,
} from './pages';

const staff = { email: 'rita@renewalpartners.example', password: 'renewal partners managed services' };
const TENANT = '9e9e9e9e-0000-4000-8000-000000000001';
const CLIENT = '9e9e9e9e-0000-4000-8000-000000000002';
const OLD_SECRET = 'Rp9~expiring.secret-valueForTheJourney';
const NEW_SECRET = 'Rp9~renewed.secret-valueAfterTheNotice';
const day = 86_400_000;

test('a customer follows an expiry notice\'s renewal link, replaces the secret, and the registration is healthy again', async ({ page, browser }) => {
  createOrganisation('Renewal Partners', staff.email, staff.password);
  await simulator('/_admin/tenants', { id: TENANT, domains: ['lucerne.example'], display_name: 'Lucerne Publishing', cloud: 'global' });
  await simulator('/_admin/apps', { tenant_id: TENANT, client_id: CLIENT, display_name: 'Tenantry Mail Sender', roles: ['Mail.Send'],
    secrets: [{ value: OLD_SECRET, expires_at: Math.floor(Date.now() / 1000) + 20 * 86400 }] });
  const noPageErrors = failOnPageErrors(page);

  const login = new LoginPage(page);
  await login.open();
  await login.signIn(staff.email, staff.password);
  const tenants = new TenantsPage(page);
  await tenants.open();
  await page.getByLabel('Contact e-mail addresses').fill('it@lucerne.example');
  await tenants.add({ name: 'Lucerne Publishing', tenantId: TENANT, domain: '', cloud: 'Global (commercial)' });
  await page.getByRole('link', { name: 'Lucerne Publishing' }).click();
  await hydrated(page);
  await reloadsAfter(page, () => page.getByRole('button', { name: 'Turn expiry notices on' }).click());
  await expect(page.getByRole('button', { name: 'Turn expiry notices off' })).toBeVisible();

  await new TenantPage(page).recordEmailRegistration(CLIENT, OLD_SECRET, 20);
  const registration = new RegistrationPage(page);
  await registration.checkNow();
  await expect(registration.standing()).toContainText('Warning');

  // Tenantry weighs the check and e-mails Lucerne's contact.
  let notice = '';
  await expect.poll(async () => {
    const mail = (await mailReceived()).find((m) => m.to.includes('it@lucerne.example'));
    notice = mail?.data ?? '';
    return notice.length > 0;
  }, { timeout: 30_000 }).toBe(true);
  expect(notice).toContain('Renewal Partners');
  expect(notice).not.toContain(OLD_SECRET);
  const link = linkIn(notice);

  // Lucerne's admin adds a new secret to the same app in Entra.
  await simulator(`/_admin/apps/${CLIENT}/secrets`, { value: NEW_SECRET, expires_at: Math.floor(Date.now() / 1000) + 300 * 86400 });
  const customer = await (await browser.newContext()).newPage();
  const noCustomerErrors = failOnPageErrors(customer);
  const wizard = new OnboardingWizard(customer);
  await wizard.open(link);
  await expect(wizard.heading()).toContainText('Step 4 of 6');
  await expect(customer.getByText(/expires soon/)).toBeVisible();
  await wizard.saveSecret(NEW_SECRET, new Date(Date.now() + 300 * day).toISOString().slice(0, 10));
  await wizard.goToStep('Test');
  await wizard.test();
  await expect(customer.getByText('All set: the registration works')).toBeVisible();
  noCustomerErrors();

  await page.reload();
  await hydrated(page);
  await expect(registration.standing()).toContainText('Healthy');
  await expect(page.getByText(/Client secret …tice/)).toBeVisible();
  noPageErrors();
});
