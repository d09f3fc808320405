import { expect, test } from '@playwright/test';
import { DrillDownPage } from './fixtures/drill-down-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('the KPI index lists every pinned KPI in words, each linked to the same value on its drill-down', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'KPIs' }).click();
  await expect(page).toHaveURL(/\/kpis$/);
  await page.goto('/kpis?period=2026-Q3');
  await expect(page).toHaveTitle(/^KPIs · org · 2026-Q3 · Plumbline$/);
  await expect(page.locator('table.kpi-index tbody tr')).toHaveCount(43);
  for (const family of ['SLOs and error budgets', 'Incidents', 'Postmortems and actions', 'Disaster recovery', 'Changes', 'On-call', 'Capacity', 'Automation', 'Toil', 'Cost to serve', 'Stakeholder satisfaction']) {
    await expect(page.getByRole('heading', { name: family, level: 2 })).toBeVisible();
  }
  const mttr = page.locator('tr[data-kpi="mttr"]');
  await expect(mttr.locator('th')).toContainText('Time to restore');
  const value = (await mttr.getByRole('link').first().textContent())?.trim() ?? '';
  expect(value).toMatch(/^(median .+|no data)$/);
  await mttr.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/kpis\/mttr\?period=2026-Q3&scope=org$/);
  await expect(new DrillDownPage(page).value).toHaveText(value);
});

test('a period before any data reads "no data" on every KPI, never zero', async ({ page }) => {
  await page.goto('/kpis?period=2024-Q1');
  const values = page.locator('table.kpi-index tbody tr td:first-of-type a');
  await expect(values).toHaveCount(43);
  for (const text of await values.allTextContents()) expect(text.trim()).toBe('no data');
});

test('the audit log reads details as fields and filters by day', async ({ page }) => {
  const today = new Date().toISOString().slice(0, 10);
  await page.goto(`/audit?from=2026-01-01&to=${today}&action=import.applied`);
  const first = page.locator('table.data tbody tr').first();
  await expect(first).toContainText('import.applied');
  // Named fields, not a JSON dump; the stored JSON is one click away.
  await expect(first.locator('dl.audit-details dt').first()).toBeVisible();
  await expect(first.locator('details summary')).toHaveText('As recorded');
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', new RegExp(`from=2026-01-01T00%3A00%3A00Z`));
  // A window before anything happened is empty; a reversed one is refused in words.
  await page.goto('/audit?from=2020-01-01&to=2020-01-31');
  await expect(page.getByText('No events match.')).toBeVisible();
  await page.goto('/audit?from=2026-02-01&to=2026-01-01');
  await expect(page.getByRole('main')).toContainText('ends (2026-01-01) before it starts (2026-02-01)');
});
