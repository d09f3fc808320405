import { expect, test } from '@playwright/test';
import { AccessPage } from './fixtures/access-page';
import { AppHeader } from './fixtures/app-header';
import { AuditPage } from './fixtures/audit-page';
import { personIn } from './fixtures/session';
import { TokensPage } from './fixtures/tokens-page';

// Managing access in the browser, on the server in OIDC mode: an admin grants a role to a
// person the identity provider gives none, and revokes it; an editor makes an API token,
// sees it once, uses it, and revokes it.

test('an admin grants a role until a day on the Access page, and revokes it', async ({ browser }) => {
  // A login the provider knows no groups for: signed in, no role.
  const login = `newcomer-${Date.now()}`;
  const email = `${login}@example.test`;
  const newcomer = await personIn(browser, login, '/tokens');
  const newcomerAudit = new AuditPage(newcomer);
  await expect(new AppHeader(newcomer).currentUser).toContainText('no role');
  expect((await newcomerAudit.goto())?.status()).toBe(403);

  const admin = await personIn(browser, 'admin-alice', '/');
  await new AppHeader(admin).navLink('Access').click();
  await expect(admin).toHaveURL(/\/access$/);
  const access = new AccessPage(admin);
  await expect(access.user(email)).toContainText('No role');
  const lastDay = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  await access.grant(email, 'auditor', lastDay);
  await expect(access.user(email)).toContainText('auditor');
  await expect(access.user(email)).toContainText('granted by user:');
  // An admin cannot revoke their own admin role, even one granted here (so the last admin cannot
  // lock everyone out).
  await access.grant('admin-alice@example.test', 'admin');
  await expect(access.user('admin-alice@example.test')).toContainText('granted by user:');
  await expect(access.revokeButton('admin-alice@example.test', 'admin')).toHaveCount(0);

  // The role applies at the newcomer's next request, without signing in again.
  expect((await newcomerAudit.goto())?.status()).toBe(200);
  await expect(new AppHeader(newcomer).currentUser).toContainText('auditor');
  await expect(newcomerAudit.heading).toContainText('Audit');

  await access.revoke(email, 'auditor');
  await expect(access.user(email)).toContainText('No role');
  expect((await newcomerAudit.goto())?.status()).toBe(403);

  // Both changes are in the audit log, by the admin.
  const adminAudit = new AuditPage(admin);
  await adminAudit.goto({ action: 'role.granted' });
  await expect(adminAudit.main).toContainText('role.granted');
  await expect(adminAudit.main).toContainText('admin-alice@example.test');
});

test('an editor creates an API token, sees it once, uses it and revokes it', async ({ browser }) => {
  const editor = await personIn(browser, 'editor-eve', '/');
  await new AppHeader(editor).tokensLink.click();
  await expect(editor).toHaveURL(/\/tokens$/);
  const tokens = new TokensPage(editor);
  await expect(tokens.heading).toHaveText('API tokens');

  const name = `deploys-${Date.now()}`;
  await tokens.create(name, '30');
  await expect(tokens.created).toContainText('shown only this once');
  const secret = await tokens.secret.inputValue();
  expect(secret).toMatch(/^plb_[A-Za-z0-9_-]{40,}$/);
  const row = tokens.token(name);
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
  await expect(tokens.created).toHaveCount(0);
  await expect(tokens.token(name)).toContainText(secret.slice(0, 10));
  expect(await editor.content()).not.toContain(secret.slice(10));

  await tokens.revoke(name);
  await expect(tokens.token(name)).toContainText('Revoked');
  expect((await send()).status()).toBe(401);
});
