import { expect, test, type Browser, type Page } from '@playwright/test';
import { signIn } from './fixtures/session';

// Two people, two browsers, against the server in OIDC mode (see playwright.config.ts): a team
// editor (editor-eve, team `payments`) and an admin of no team (admin-alice). The editor
// answers the readiness checklist and asks for a waiver; the admin signs the answers off and
// approves the waiver; the service page changes accordingly.

const SERVICE = 'wallet';
// Wallet is tier 1: every item of the default checklist applies.
const ITEMS = ['runbook', 'on_call_rotation', 'slo_alerting', 'dashboards', 'rollback_procedure', 'dependency_map', 'capacity_plan', 'dr_plan', 'backup_and_restore'];

async function personIn(browser: Browser, login: string, from: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, login, from);
  return page;
}

/** The admin makes an ingest token and loads a small organisation with it. */
async function load(admin: Page): Promise<void> {
  const base = new URL(admin.url()).origin;
  const created = await admin.request.post('/api/v1/tokens', {
    headers: { origin: base },
    data: { name: `workflows-${Date.now()}`, scopes: ['ingest', 'read'] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const token = (await created.json()).token as string;
  const batches: [string, unknown[]][] = [
    ['teams', [{ slug: 'payments', name: 'Payments' }, { slug: 'platform', name: 'Platform' }]],
    ['services', [{ slug: SERVICE, name: 'Wallet', tier: 1, team: 'payments' }]],
  ];
  for (const [kind, rows] of batches) {
    const response = await admin.request.post(`/api/v1/${kind}`, {
      headers: { authorization: `Bearer ${token}` },
      data: rows,
    });
    expect(response.status(), `${kind}: ${await response.text()}`).toBe(200);
  }
}

function checkRow(page: Page, check: string) {
  return page.getByRole('table', { name: /Each check with its value/ }).locator(`tr[data-check="${check}"]`);
}

test('an editor answers the checklist and an admin of another team signs it off', async ({ browser }) => {
  const admin = await personIn(browser, 'admin-alice', '/services');
  await load(admin);
  const editor = await personIn(browser, 'editor-eve', `/teams/payments/self-assessment`);

  await editor.goto(`/services/${SERVICE}`);
  const readiness = checkRow(editor, 'self_assessment_current');
  await expect(readiness).not.toContainText('Pass');
  const scoreBefore = await editor.getByTestId('score').textContent();

  await editor.goto('/teams/payments/self-assessment');
  for (const item of ITEMS) {
    const row = editor.locator(`section[data-service="${SERVICE}"] tr[data-item="${item}"]`);
    await row.getByLabel(/answer$/).selectOption('yes');
    await row.getByLabel(/evidence URL$/).fill(`https://wiki.example.test/${item}`);
    await row.getByRole('button', { name: `Save ${item}` }).click();
    await expect(editor.locator(`section[data-service="${SERVICE}"] tr[data-item="${item}"]`)).toContainText('Awaiting review');
  }
  await expect(editor.getByTestId('readiness-progress')).toContainText('9 of 9 answered, 9 awaiting review');
  // The editor cannot sign off their own answers.
  await expect(editor.getByRole('button', { name: /^Sign off / })).toHaveCount(0);

  await admin.goto('/teams/payments/self-assessment');
  for (const item of ITEMS) {
    await admin.getByRole('button', { name: `Sign off ${item}` }).click();
    await expect(admin.locator(`section[data-service="${SERVICE}"] tr[data-item="${item}"]`)).toContainText('Signed off');
  }
  await expect(admin.getByTestId('readiness-progress')).toHaveText('9 of 9 answered');

  await editor.goto(`/services/${SERVICE}`);
  await expect(checkRow(editor, 'self_assessment_current')).toContainText('Pass');
  await expect(checkRow(editor, 'self_assessment_current')).toContainText('Self-attested');
  expect(await editor.getByTestId('score').textContent()).not.toBe(scoreBefore);
});

test('an editor asks to waive a failing check and another admin approves it', async ({ browser }) => {
  const admin = await personIn(browser, 'admin-alice', '/services');
  await load(admin);
  const editor = await personIn(browser, 'editor-eve', `/services/${SERVICE}`);

  // Wallet has no SLO: the Bronze check fails, so the service has no level.
  await expect(checkRow(editor, 'active_slo')).toContainText(/Fail|No data/);
  const section = editor.locator('#waivers');
  await section.getByLabel('Check to waive').selectOption('active_slo');
  await section.getByLabel('Reason').fill('SLOs are being defined with the new product owner');
  const lastDay = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await section.getByLabel('Last day').fill(lastDay);
  await section.getByRole('button', { name: 'Request the waiver' }).click();
  await expect(editor.locator('#waivers')).toContainText('Awaiting a decision');
  await expect(editor.locator('#waivers')).toContainText(lastDay);
  await expect(checkRow(editor, 'active_slo')).not.toContainText('Waived');

  await admin.goto('/waivers');
  const pending = admin.getByRole('table', { name: /awaiting a decision/ }).getByRole('row').filter({ hasText: SERVICE });
  await expect(pending).toContainText('eve@example.test');
  await pending.getByLabel(/^Note on the waiver/).fill('Agreed: revisit at the next review');
  await pending.getByRole('button', { name: /^Approve the waiver/ }).click();
  await expect(admin.getByRole('table', { name: /Decided waiver requests/ })).toContainText('Approved');

  await editor.goto(`/services/${SERVICE}`);
  await expect(checkRow(editor, 'active_slo')).toContainText('Waived');
  await expect(checkRow(editor, 'active_slo')).toContainText('alice@example.test');
  await expect(editor.locator('section:has(#exemptions-heading)')).toContainText('SLOs are being defined');
  await expect(editor.locator('#waivers')).toContainText('Approved');
});
