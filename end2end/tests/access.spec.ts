import { expect, test, type Browser, type Page } from '@playwright/test';
import { signIn } from './fixtures/session';

// Managing access in the browser, on the server in OIDC mode: an admin grants a role to a
// person the identity provider gives none, and revokes it; an editor makes an API token,
// sees it once, uses it, and revokes it.

async function personIn(browser: Browser, login: string, from: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, login, from);
  return page;
}

/** The Access page's row of a user, by the email in its row header. */
function userRow(page: Page, email: string) {
  return page.locator('tr').filter({ has: page.getByRole('rowheader', { name: email }) });
}

test('an admin grants a role until a day on the Access page, and revokes it', async ({ browser }) => {
  // A login the provider knows no groups for: signed in, no role.
  const login = `newcomer-${Date.now()}`;
  const newcomer = await personIn(browser, login, '/tokens');
  await expect(newcomer.getByTestId('current-user')).toContainText('no role');
  expect((await newcomer.goto('/audit'))?.status()).toBe(403);

  const admin = await personIn(browser, 'admin-alice', '/');
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access' }).click();
  await expect(admin).toHaveURL(/\/access$/);
  const row = userRow(admin, `${login}@example.test`);
  await expect(row).toContainText('No role');
  const lastDay = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  await row.getByLabel('Role', { exact: true }).selectOption('auditor');
  await row.getByLabel('Last day (optional)').fill(lastDay);
  await row.getByRole('button', { name: 'Grant' }).click();
  const granted = userRow(admin, `${login}@example.test`);
  await expect(granted).toContainText('auditor');
  await expect(granted).toContainText('granted by user:');
  // An admin cannot revoke their own admin role, even one granted here (so the last admin cannot
  // lock everyone out).
  const alice = userRow(admin, 'admin-alice@example.test');
  await alice.getByLabel('Role', { exact: true }).selectOption('admin');
  await alice.getByRole('button', { name: 'Grant' }).click();
  await expect(userRow(admin, 'admin-alice@example.test')).toContainText('granted by user:');
  await expect(
    userRow(admin, 'admin-alice@example.test').getByRole('button', { name: 'Revoke the admin role of admin-alice@example.test' }),
  ).toHaveCount(0);

  // The role applies at the newcomer's next request, without signing in again.
  expect((await newcomer.goto('/audit'))?.status()).toBe(200);
  await expect(newcomer.getByTestId('current-user')).toContainText('auditor');
  await expect(newcomer.getByRole('heading', { level: 1 })).toContainText('Audit');

  await granted.getByRole('button', { name: `Revoke the auditor role of ${login}@example.test` }).click();
  await expect(userRow(admin, `${login}@example.test`)).toContainText('No role');
  expect((await newcomer.goto('/audit'))?.status()).toBe(403);

  // Both changes are in the audit log, by the admin.
  await admin.goto('/audit?action=role.granted');
  await expect(admin.getByRole('main')).toContainText('role.granted');
  await expect(admin.getByRole('main')).toContainText('admin-alice@example.test');
});

test('an editor creates an API token, sees it once, uses it and revokes it', async ({ browser }) => {
  const editor = await personIn(browser, 'editor-eve', '/');
  await editor.getByRole('link', { name: 'API tokens' }).click();
  await expect(editor).toHaveURL(/\/tokens$/);
  await expect(editor.getByRole('heading', { level: 1 })).toHaveText('API tokens');

  const name = `deploys-${Date.now()}`;
  await editor.getByLabel('Name').fill(name);
  await editor.getByLabel('Expires').selectOption('30');
  await editor.getByRole('button', { name: 'Create the token' }).click();
  const created = editor.getByTestId('created-token');
  await expect(created).toContainText('shown only this once');
  const secret = await created.getByLabel('Token').inputValue();
  expect(secret).toMatch(/^plb_[A-Za-z0-9_-]{40,}$/);
  const row = editor.locator('tr', { hasText: name });
  // An editor's ingest token is limited to their team.
  await expect(row).toContainText('ingest');
  await expect(row).toContainText('payments');
  await expect(row).toContainText('Active');

  const send = () =>
    editor.request.post('/api/v1/incidents?dry_run=true', {
      headers: { authorization: `Bearer ${secret}` },
      data: [],
    });
  expect((await send()).status()).toBe(200);

  // Shown once: after a reload only its prefix remains.
  await editor.reload();
  await expect(editor.getByTestId('created-token')).toHaveCount(0);
  await expect(editor.locator('tr', { hasText: name })).toContainText(secret.slice(0, 10));
  expect(await editor.content()).not.toContain(secret.slice(10));

  await editor.locator('tr', { hasText: name }).getByRole('button', { name: `Revoke the token ${name}` }).click();
  await expect(editor.locator('tr', { hasText: name })).toContainText('Revoked');
  expect((await send()).status()).toBe(401);
});
