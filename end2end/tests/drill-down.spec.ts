import { expect, test } from '@playwright/test';
import { DrillDownPage } from './fixtures/drill-down-page';
import { loadShop } from './fixtures/shop-data';
import { TeamPage } from './fixtures/team-page';

// Counts the shop team's SEV1 incidents: runs before the import spec adds one (see
// playwright.config.ts).
test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('a KPI drill-down lists the records behind the value, with the filter used', async ({ page }) => {
  const team = new TeamPage(page);
  await team.goto('shop', '2026-Q3');
  await team.kpiValue('high_sev_count').click();
  await expect(page).toHaveURL(/\/kpis\/high_sev_count\?period=2026-Q3&scope=team%3Ashop$/);
  const drillDown = new DrillDownPage(page);
  await expect(drillDown.value).toHaveText('1');
  await expect(drillDown.filter).toContainText('started_at in [2026-07-01T00:00:00Z, 2026-10-01T00:00:00Z)');
  await expect(drillDown.counts).toHaveText('1 listed, 1 in the population, 1 counted');
  await expect(drillDown.rows).toHaveCount(1);
  await expect(drillDown.rows.first()).toContainText('SHOP-1');
  await expect(drillDown.rows.first()).toContainText('SEV1');
});

test('a drill-down reads as an evidence table: titles, durations in words, sortable, and a CSV of the same records', async ({ page, request }) => {
  const drillDown = new DrillDownPage(page);
  await drillDown.goto('mttr', '2026-Q3', 'team:shop');
  await expect(drillDown.headers).toHaveText(
    ['ID', 'Title', 'Severity', 'Service', 'Detected', 'Mitigated', 'In population', 'Counted', 'Duration', 'Note'].map((t) => new RegExp(`^${t}`)),
  );
  await drillDown.sortBy('Duration');
  await expect(page).toHaveURL(/sort=9/);
  await expect(drillDown.headers.nth(8)).toHaveAttribute('aria-sort', 'ascending');

  const api = await (await request.get('/api/v1/kpis/mttr/population?period=2026-Q3&scope=team:shop')).json();
  const csvUrl = await drillDown.csv.getAttribute('href');
  expect(csvUrl).toContain('/api/v1/kpis/mttr/population.csv?period=2026-Q3&scope=team:shop');
  const csv = await (await request.get(csvUrl!)).text();
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toBe('ID,Title,Severity,Service,Detected,Mitigated,In population,Counted,Duration,Note');
  const csvIds = lines.slice(1).map((line) => line.split(',')[0]).sort();
  const apiIds = api.records.map((r: { id: string }) => r.id).sort();
  expect(csvIds).toEqual(apiIds);
  await expect(drillDown.rows).toHaveCount(apiIds.length);
});
