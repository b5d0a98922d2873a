import { expect, test } from '@playwright/test';

import { ApiTokensPage, createOrganisation, failOnPageErrors, hydrated, LoginPage, TenantsPage } from './pages';

const admin = { email: 'ada@apitokens.example', password: 'a passphrase for the token admin' };

test('an admin makes an API token that is shown once, a script lists tenants with it, and revoking it stops it at once', async ({ page, request }) => {
  createOrganisation('Token Managed IT', admin.email, admin.password);
  const noPageErrors = failOnPageErrors(page, [/status of 422/]);
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(admin.email, admin.password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const tenants = new TenantsPage(page);
  await tenants.open();
  await tenants.add({ name: 'Bellows College', tenantId: '9a9a9a9a-0000-4000-8000-000000000001', domain: '', cloud: 'Global (commercial)' });
  await expect(page.getByRole('link', { name: 'Bellows College' })).toBeVisible();

  const tokens = new ApiTokensPage(page);
  await tokens.open();
  await expect(page.getByText('No API tokens yet.')).toBeVisible();

  // A refusal names its field and keeps what was typed.
  await tokens.create('PSA sync', [], '30');
  await expect(page.getByText('Choose at least one scope: read, write or checks.')).toBeVisible();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('PSA sync');

  await tokens.create('PSA sync', ['read'], '30');
  const token = await tokens.newToken().inputValue();
  expect(token).toMatch(/^tnty_[0-9a-f]{32}_/);

  const listed = await request.get('/api/v1/tenants', { headers: { Authorization: `Bearer ${token}` } });
  expect(listed.status()).toBe(200);
  expect((await listed.json()).items.map((t: { display_name: string }) => t.display_name)).toEqual(['Bellows College']);
  expect(listed.headers()['ratelimit-policy']).toContain('"per-token"');
  const writing = await request.post('/api/v1/tenants', { headers: { Authorization: `Bearer ${token}` }, data: { display_name: 'Nope' } });
  expect(writing.status()).toBe(403);
  expect((await writing.json()).code).toBe('insufficient_scope');

  await page.reload();
  await hydrated(page);
  await expect(tokens.row('PSA sync')).toContainText('read');
  await expect(tokens.row('PSA sync')).toContainText('Active');
  await expect(page.getByText(token)).toHaveCount(0);
  await tokens.revoke('PSA sync');
  await expect(tokens.row('PSA sync')).toContainText('Revoked');

  const refused = await request.get('/api/v1/tenants', { headers: { Authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
  expect(refused.headers()['content-type']).toBe('application/problem+json');

  const docs = await request.get('/api/v1/docs');
  expect(docs.status()).toBe(200);
  await page.goto('/api/v1/docs');
  await expect(page.getByRole('heading', { name: 'Tenantry API, version 1' })).toBeVisible();
  await expect(page.getByText('GET /registrations', { exact: true })).toBeVisible();
  noPageErrors();
});
