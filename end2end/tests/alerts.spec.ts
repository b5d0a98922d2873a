import { expect, test } from '@playwright/test';

import { AlertsPage, createOrganisation, failOnPageErrors, hydrated, LoginPage } from './pages';

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

  await page.getByRole('button', { name: 'Send a test to PSA tickets' }).click();
  await expect(alerts.log('PSA tickets')).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(alerts.log('PSA tickets')).toContainText('Given up', { timeout: 500 });
  }).toPass();
  await expect(alerts.log('PSA tickets')).toContainText('webhooks go only to public addresses');

  noPageErrors();
});
