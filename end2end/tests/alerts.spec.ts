import { expect, test } from '@playwright/test';

import {
  AlertsPage, createOrganisation, failOnPageErrors, hydrated, LoginPage, RegistrationPage, signedWith, simulator, TenantPage, TenantsPage, webhookReceiver,
} from './pages';

const admin = { email: 'ari@alerting.example', password: 'a passphrase for the alerting admin' };

test('an admin adds a webhook, keeps its secret, and sees a test to an address inside the network given up with the reason', async ({ page }) => {
  createOrganisation('Alerting Managed IT', admin.email, admin.password);
  const noPageErrors = failOnPageErrors(page, [/status of 422/]);
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(admin.email, admin.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  const alerts = new AlertsPage(page);
  await alerts.open();
  await expect(page.getByText('No channels yet: alerts go nowhere.')).toBeVisible();

  await alerts.addWebhook('PSA tickets', 'http://hooks.example.com/tenantry');
  await expect(page.getByText('The address must start with https://.')).toBeVisible();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('PSA tickets');

  await alerts.addWebhook('PSA tickets', 'https://10.0.0.1/hooks/tenantry');
  await expect(alerts.signingSecret()).toHaveValue(/^whsec_/);
  await page.getByRole('link', { name: 'Show it in the list' }).click();
  await expect(page.getByRole('heading', { name: 'PSA tickets' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText(/^Webhook \(signed JSON, for ticketing tools\) to 10\.0\.0\.1/)).toBeVisible();
  await expect(alerts.signingSecret()).toHaveCount(0);

  // Rotating the secret shows the new one once; both sign until the rotation ends.
  await page.getByRole('button', { name: 'Rotate the signing secret of PSA tickets' }).click();
  await expect(page.getByLabel('New signing secret')).toHaveValue(/^whsec_/);
  await page.getByRole('link', { name: 'Done' }).click();
  await hydrated(page);
  await expect(page.getByText('Signed with the new and the old secret while the receiver switches.')).toBeVisible();
  await page.getByRole('button', { name: 'Stop signing messages to PSA tickets with the old secret' }).click();
  await expect(page.getByRole('button', { name: 'Rotate the signing secret of PSA tickets' })).toBeVisible();
  await hydrated(page);

  await page.getByRole('button', { name: 'Send a test to PSA tickets' }).click();
  await expect(alerts.log('PSA tickets')).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(alerts.log('PSA tickets')).toContainText('Given up', { timeout: 500 });
  }).toPass();
  await expect(alerts.log('PSA tickets')).toContainText('webhooks go only to public addresses');

  noPageErrors();
});

test('a registration that loses consent in Microsoft is told once to the webhook, signed, and only as the channel\'s rules allow', async ({ page }) => {
  const wingtip = { email: 'wes@wingtipalerts.example', password: 'a passphrase for wingtip alerts' };
  const TENANT = '8d8d8d8d-0000-4000-8000-000000000001';
  const CLIENT = '8d8d8d8d-0000-4000-8000-000000000002';
  const SECRET = 'Wt8~alerted.secret-valueForTheJourney';
  createOrganisation('Wingtip Alerts MSP', wingtip.email, wingtip.password);
  await simulator('/_admin/tenants', { id: TENANT, domains: ['alpine.example'], display_name: 'Alpine Ski House', cloud: 'global' });
  await simulator('/_admin/apps', { tenant_id: TENANT, client_id: CLIENT, display_name: 'Tenantry Mail Sender', roles: ['Mail.Send'],
    secrets: [{ value: SECRET, expires_at: Math.floor(Date.now() / 1000) + 200 * 86400 }] });
  const hook = await webhookReceiver();
  const noPageErrors = failOnPageErrors(page);

  const login = new LoginPage(page);
  await login.open();
  await login.signIn(wingtip.email, wingtip.password);
  const tenants = new TenantsPage(page);
  await tenants.open();
  await tenants.add({ name: 'Alpine Ski House', tenantId: TENANT, domain: '', cloud: 'Global (commercial)' });
  await page.getByRole('link', { name: 'Alpine Ski House' }).click();
  await new TenantPage(page).recordEmailRegistration(CLIENT, SECRET, 200);
  const registrationUrl = page.url();
  const registration = new RegistrationPage(page);
  await registration.checkNow();
  await expect(registration.standing()).toContainText('Healthy');

  const alerts = new AlertsPage(page);
  await alerts.open();
  await alerts.addWebhook('Service desk', hook.url);
  const secret = await alerts.signingSecret().inputValue();
  await page.getByRole('link', { name: 'Show it in the list' }).click();
  await hydrated(page);
  await expect(alerts.told('Service desk')).toContainText('All events');

  // Only critical problems, and not the flapping summaries.
  await alerts.changeRules('Service desk', async (form) => {
    await form.getByLabel('A registration keeps changing').uncheck();
    await form.getByLabel('From severity').selectOption({ label: 'Only critical problems' });
  });
  await expect(alerts.told('Service desk')).toContainText('Only critical problems');
  await expect(alerts.told('Service desk')).toContainText('A registration starts failing');
  await expect(alerts.told('Service desk')).not.toContainText('A registration keeps changing');

  // Alpine's admin takes the consent back in Entra.
  await simulator(`/_admin/apps/${CLIENT}/roles`, { revoke: ['Mail.Send'] });
  await page.goto(registrationUrl);
  await hydrated(page);
  await registration.checkNow();
  await expect(registration.standing()).toContainText('Failing');
  await expect.poll(() => hook.received.length, { timeout: 20_000 }).toBe(1);
  const alert = JSON.parse(hook.received[0].body);
  expect(alert.type).toBe('registration.consent_removed');
  expect(alert.tenant.name).toBe('Alpine Ski House');
  expect(alert.finding.code).toBe('consent_missing');
  expect(signedWith(secret, hook.received[0])).toBe(true);

  // Checked again and still failing: nothing more. Granted again: the
  // recovery is only "info", below this channel's rules.
  await registration.checkNow();
  await simulator(`/_admin/apps/${CLIENT}/roles`, { grant: ['Mail.Send'] });
  await registration.checkNow();
  await expect(registration.standing()).toContainText('Healthy');
  await page.waitForTimeout(5_000);
  expect(hook.received).toHaveLength(1);

  await alerts.open();
  await expect(alerts.log('Service desk')).toContainText('registration.consent_removed');
  await expect(alerts.log('Service desk')).toContainText('Delivered');
  await hook.close();
  noPageErrors();
});
