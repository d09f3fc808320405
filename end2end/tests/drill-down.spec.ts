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
