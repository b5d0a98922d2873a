import { expect, test } from '@playwright/test';
import { createOrganisation, failOnPageErrors, hydrated, LoginPage, RegistrationPage, simulator, simulatorPatch, TenantPage, TenantsPage } from './pages';

const staff = { email: 'omar@fourthcoffee.example', password: 'fourth coffee managed services' };
const TENANT = '7c7c7c7c-0000-4000-8000-000000000001';
const CLIENT = '7c7c7c7c-0000-4000-8000-000000000002';
const SECRET = 'Fc4~watched.secret-valueForTheJourney';

test.beforeAll(() => createOrganisation('Fourth Coffee MSP', staff.email, staff.password));

test('a registration failing for missing consent turns green by Check now and by the consent callback, and the timeline keeps every check', async ({ page, browser, baseURL }) => {
  const noPageErrors = failOnPageErrors(page);
  await simulator('/_admin/tenants', { id: TENANT, domains: ['fabrikam.example'], display_name: 'Fabrikam', cloud: 'global' });
  await simulator('/_admin/apps', { tenant_id: TENANT, client_id: CLIENT, display_name: 'Tenantry Mail Sender',
    secrets: [{ value: SECRET, expires_at: Math.floor(Date.now() / 1000) + 200 * 86400 }] });

  const login = new LoginPage(page);
  await login.open();
  await login.signIn(staff.email, staff.password);
  const tenants = new TenantsPage(page);
  await tenants.open();
  await tenants.add({ name: 'Fabrikam', tenantId: TENANT, domain: '', cloud: 'Global (commercial)' });
  await page.getByRole('link', { name: 'Fabrikam' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Fabrikam' })).toBeVisible();
  await new TenantPage(page).recordEmailRegistration(CLIENT, SECRET, 200);

  const registration = new RegistrationPage(page);
  await registration.checkNow();
  await expect(registration.standing()).toContainText('Failing');
  await expect(page.getByText(/Admin consent is missing/)).toBeVisible();
  const checksBefore = await registration.timeline().count();

  // A Fabrikam admin grants consent in Entra; Check now sees it.
  await simulator(`/_admin/apps/${CLIENT}/roles`, { grant: ['Mail.Send'] });
  await registration.checkNow();
  await expect(registration.standing()).toContainText('Healthy');
  await expect(page.getByRole('row', { name: 'Mail.Send Application Granted' })).toBeVisible();
  await expect(registration.timeline()).toHaveCount(checksBefore + 1);
  await expect(registration.timeline().first()).toContainText('Healthy');
  await expect(registration.timeline().nth(1)).toContainText('Failing');

  // Consent removed again; this time the admin follows Tenantry's link and
  // Microsoft brings them back to Tenantry, which checks at once.
  await simulator(`/_admin/apps/${CLIENT}/roles`, { revoke: ['Mail.Send'] });
  await simulatorPatch(`/_admin/apps/${CLIENT}`, { requested: ['Mail.Send'], redirect_uris: [`${baseURL}/consent/callback`] });
  await registration.checkNow();
  await expect(registration.standing()).toContainText('Failing');
  const link = await registration.createConsentLink(true);

  const admin = await browser.newPage();
  await admin.goto(link);
  await expect(admin.getByRole('heading', { name: 'Permissions requested' })).toBeVisible();
  await admin.getByRole('button', { name: 'Accept' }).click();
  await expect(admin.getByRole('heading', { name: 'Thank you' })).toBeVisible();
  await expect(admin.getByRole('status')).toContainText('it works');

  await page.reload();
  await hydrated(page);
  await expect(registration.standing()).toContainText('Healthy');
  await expect(registration.timeline().first()).toContainText('consent');
  await expect(page.locator('svg.strip rect')).toHaveCount(30);
  noPageErrors();
});

test('an import of a small CSV lists its rows, and checking everything shows the sweep progress live', async ({ page }) => {
  const noPageErrors = failOnPageErrors(page);
  const WINGTIP = '7c7c7c7c-0000-4000-8000-000000000101';
  const apps = ['7c7c7c7c-0000-4000-8000-000000000102', '7c7c7c7c-0000-4000-8000-000000000103', '7c7c7c7c-0000-4000-8000-000000000104'];
  await simulator('/_admin/tenants', { id: WINGTIP, domains: ['wingtip.example'], display_name: 'Wingtip', cloud: 'global' });
  for (const app of apps) {
    await simulator('/_admin/apps', { tenant_id: WINGTIP, client_id: app, roles: ['Mail.Send'],
      secrets: [{ value: SECRET, expires_at: Math.floor(Date.now() / 1000) + 200 * 86400 }] });
  }
  const expires = new Date(Date.now() + 200 * 86400 * 1000).toISOString().slice(0, 10);
  const csv = ['tenant,tenant_id,cloud,client_id,profiles,secret,secret_expires',
    ...apps.map((app) => `Wingtip Toys,${WINGTIP},global,${app},email,${SECRET},${expires}`)].join('\n');

  const login = new LoginPage(page);
  await login.open();
  await login.signIn(staff.email, staff.password);
  const tenants = new TenantsPage(page);
  await tenants.open();
  await hydrated(page);
  await tenants.importCsv(csv);
  await expect(page.getByText('Imported 3 registration(s) and 1 new tenant(s)')).toBeVisible();
  await expect(page.getByRole('table').filter({ hasText: 'Result' }).getByRole('row')).toHaveCount(4);
  await expect(page.getByRole('row', { name: new RegExp(apps[0]) })).toContainText('Added, with a new tenant');
  await expect(page.getByText(SECRET)).toHaveCount(0);

  const importCard = page.locator('section').filter({ hasText: 'Import or export registrations' });
  await importCard.getByRole('button', { name: 'Check everything now' }).click();
  await expect(importCard.getByRole('status').last()).toContainText(/All \d+ checked\./);

  await page.reload();
  await expect(page.getByRole('link', { name: 'Wingtip Toys' }), 'the new tenant is listed').toHaveCount(1);
  await page.getByRole('link', { name: 'Wingtip Toys' }).click();
  const rows = page.getByRole('row').filter({ hasText: 'E-mail through Microsoft Graph' });
  await expect(rows).toHaveCount(3);
  for (const row of await rows.all()) await expect(row).toContainText('Healthy');
  noPageErrors();
});
