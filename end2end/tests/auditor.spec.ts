import { expect, test } from '@playwright/test';
import { loadShop } from './fixtures/shop-data';

// What an auditor does on the Evidence and Sample reviews pages (docs/control-tests.md,
// docs/sample-reviews.md), compared with what the API says.

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

const Q3 = 'from=2026-07-01&to=2026-09-30';

test('the evidence page shows each control test of the window as the API does', async ({ page, request }) => {
  const api = await (await request.get(`/api/v1/evidence/control-tests?${Q3}`)).json();
  await page.goto(`/evidence?${Q3}`);
  const panel = page.getByTestId('control-tests');
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText('Control tests, 2026-07-01 to 2026-09-30 (UTC)');
  expect(api.tests).toHaveLength(6);
  for (const t of api.tests) {
    const row = panel.locator(`tr[data-test="${t.id}"]`);
    await expect(row).toContainText(t.title);
    await expect(row.locator('td').nth(2)).toHaveText(String(t.population));
    await expect(row.locator('td').nth(3)).toHaveText(String(t.deviations.length));
    const word = { passed: 'Passed', failed: 'Failed', not_tested: 'Not tested: nothing to test' }[t.status as string];
    await expect(row.locator('td').nth(4)).toHaveText(word ?? '?');
  }
  // Another window, from the panel's own form.
  await panel.getByLabel('From', { exact: true }).fill('2026-08-01');
  await panel.getByLabel('To', { exact: true }).fill('2026-08-31');
  await panel.getByRole('button', { name: 'Test this window' }).click();
  await expect(page).toHaveURL(/from=2026-08-01&to=2026-08-31/);
  await expect(page.getByTestId('control-tests').getByRole('heading', { level: 2 })).toHaveText(
    'Control tests, 2026-08-01 to 2026-08-31 (UTC)',
  );
});

test('an auditor draws a sample, flags a record with a reason, and the review is on record', async ({ page, request }) => {
  await page.goto('/samples');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sample reviews');
  const form = page.getByRole('form', { name: 'Draw a sample' });
  await form.getByLabel('Population').selectOption('incidents');
  await form.getByLabel('From', { exact: true }).fill('2026-07-01');
  await form.getByLabel('To', { exact: true }).fill('2026-09-30');
  await form.getByLabel('how many').fill('5');
  await form.getByLabel('seed (empty: chosen and recorded)').fill('11');
  await form.getByRole('button', { name: 'Draw the sample' }).click();

  const sample = page.locator('section[data-sample]').first();
  await expect(sample).toContainText('incidents of 2026-07-01 to 2026-09-30');
  await expect(sample).toContainText('seed 11');
  const first = sample.locator('tr[data-item]').first();
  await expect(first).toContainText('pending');

  // A flag without a reason is refused, in words.
  await first.getByRole('button', { name: 'Flag' }).click();
  await expect(page.getByRole('alert')).toContainText('Say why the record is flagged.');
  await first.getByLabel('Comment').fill('No timeline attached');
  await first.getByRole('button', { name: 'Flag' }).click();
  await expect(page.locator('section[data-sample]').first().locator('tr[data-item]').first()).toContainText(
    'No timeline attached',
  );
  await expect(page.locator('section[data-sample]').first().locator('tr[data-item]').first()).toContainText('flagged');

  const audit = await (await request.get('/api/v1/audit?action=sample.reviewed')).json();
  const last = audit.items[audit.items.length - 1];
  expect(last.details.status).toBe('flagged');
  expect(last.details.comment).toBe('No timeline attached');
});
