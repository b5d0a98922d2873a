import { expect, test } from '@playwright/test';
import { createOrganisation, DashboardPage, failOnPageErrors, hydrated, LoginPage, simulator, TenantsPage } from './pages';

const staff = { email: 'dana@proseware-it.example', password: 'proseware managed services' };
const PROSEWARE = '9d9d9d9d-0000-4000-8000-000000000001';
const HEALTHY = '9d9d9d9d-0000-4000-8000-000000000002';
const NO_CONSENT = '9d9d9d9d-0000-4000-8000-000000000003';
const EXPIRING = '9d9d9d9d-0000-4000-8000-000000000004';
const SECRET = 'Pw9~dashboard.secret-valueForTheJourney';

test.beforeAll(() => createOrganisation('Proseware IT', staff.email, staff.password));

test('the dashboard counts what the checks found, filters from its address, keeps a filter over a reload, leads to the registration and sets a problem aside', async ({ page }) => {
  const noPageErrors = failOnPageErrors(page);
  const inDays = (days: number) => new Date(Date.now() + days * 86400 * 1000).toISOString().slice(0, 10);
  await simulator('/_admin/tenants', { id: PROSEWARE, domains: ['proseware.example'], display_name: 'Proseware', cloud: 'global' });
  for (const [client, roles] of [[HEALTHY, ['Mail.Send']], [NO_CONSENT, []], [EXPIRING, ['Mail.Send']]] as const) {
    await simulator('/_admin/apps', { tenant_id: PROSEWARE, client_id: client, roles,
      secrets: [{ value: SECRET, expires_at: Math.floor(Date.now() / 1000) + 200 * 86400 }] });
  }
  const csv = ['tenant,tenant_id,cloud,client_id,profiles,secret,secret_expires',
    `Proseware,${PROSEWARE},global,${HEALTHY},email,${SECRET},${inDays(200)}`,
    `Proseware,${PROSEWARE},global,${NO_CONSENT},email,${SECRET},${inDays(200)}`,
    `Proseware,${PROSEWARE},global,${EXPIRING},email,${SECRET},${inDays(10)}`].join('\n');

  const login = new LoginPage(page);
  await login.open();
  await login.signIn(staff.email, staff.password);
  const tenants = new TenantsPage(page);
  await tenants.open();
  await hydrated(page);
  await tenants.importCsv(csv);
  await expect(page.getByText('Imported 3 registration(s) and 1 new tenant(s)')).toBeVisible();
  const importCard = page.locator('section').filter({ hasText: 'Import or export registrations' });
  await importCard.getByRole('button', { name: 'Check everything now' }).click();
  await expect(importCard.getByRole('status').last()).toContainText('All 3 checked.');

  const dashboard = new DashboardPage(page);
  await dashboard.open();
  await expect(dashboard.count('Healthy')).toHaveText(/1$/);
  await expect(dashboard.count('Warning')).toHaveText(/1$/);
  await expect(dashboard.count('Failing')).toHaveText(/1$/);
  await expect(dashboard.count('Could not check')).toHaveText(/0$/);
  await expect(dashboard.count('Stale')).toHaveText(/0$/);
  await expect(dashboard.count('Never checked')).toHaveText(/0$/);
  await expect(dashboard.attention().getByRole('listitem').first()).toContainText('Admin consent has not been granted');
  await expect(page.getByRole('heading', { name: 'Expiring credentials' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Within 14 days (1)' })).toBeVisible();

  // The server wrote a date; the browser, once hydrated, says how long ago.
  const asOf = page.locator('.as-of time');
  await expect(asOf).toHaveText('just now');
  await expect(asOf).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  await dashboard.count('Failing').click();
  await expect(page).toHaveURL(/\?status=failing$/);
  await expect(dashboard.count('Failing')).toHaveAttribute('aria-current', 'true');
  const cell = dashboard.matrix().getByRole('link', { name: 'Proseware, E-mail through Microsoft Graph: Failing' });
  await expect(cell).toBeVisible();
  await expect(dashboard.matrix().getByRole('link', { name: /: Healthy|: Warning/ })).toHaveCount(0);

  await page.reload();
  await hydrated(page);
  await expect(dashboard.count('Failing')).toHaveAttribute('aria-current', 'true');
  await expect(cell).toBeVisible();

  // Arrow keys move between cells; Enter opens the registration.
  await dashboard.open();
  const first = dashboard.matrix().getByRole('link', { name: /^Proseware, E-mail/ });
  await first.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(first).toBeFocused();

  await dashboard.open('?status=failing');
  await cell.click();
  await expect(page).toHaveURL(/\/registrations\//);
  await expect(page.getByRole('heading', { level: 1, name: 'E-mail through Microsoft Graph' })).toBeVisible();

  // Setting the problem aside takes it off the list, not out of the counts.
  await dashboard.open();
  await dashboard.acknowledge('Proseware', "The customer's admin grants consent on Friday");
  const aside = page.getByText(/^Set aside \(1\)/);
  await expect(aside).toBeVisible();
  await aside.click();
  await expect(page.getByText("The customer's admin grants consent on Friday")).toBeVisible();
  await expect(dashboard.count('Failing')).toHaveText(/1$/);
  await expect(dashboard.openItems().filter({ hasText: 'Admin consent has not been granted' })).toHaveCount(0);
  await expect(dashboard.openItems().filter({ hasText: 'The client secret expires soon' })).toHaveCount(1);
  noPageErrors();
});
