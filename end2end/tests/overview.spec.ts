import { expect, test } from '@playwright/test';
import { OverviewPage } from './fixtures/overview-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('the overview shows the org KPIs of the chosen period, linked to their records', async ({ page, request }) => {
  const kpis = async (period: string) => (await (await request.get(`/api/v1/kpis?period=${period}&scope=org`)).json()).kpis;
  const overview = new OverviewPage(page);
  const high = overview.kpiValue('high_sev_count');
  // Pages serve the last computed figures while earlier specs' imports are recomputed: reload
  // until they are current.
  await expect(async () => {
    await overview.goto('2026-Q3');
    await expect(page.getByTestId('recomputing')).toHaveCount(0, { timeout: 1000 });
    await expect(high).toHaveText(String((await kpis('2026-Q3')).high_sev_count), { timeout: 1000 });
  }).toPass({ timeout: 20000 });
  await expect(overview.heading).toHaveText('Reliability overview · 2026-Q3');
  await expect(overview.kpiValue('overdue_actions')).toHaveText(String((await kpis('2026-Q3')).overdue_actions.count));
  // Levels by tier and the trend charts, each labelled.
  await expect(overview.levelsByTier).toBeVisible();
  await expect(overview.highSevTrend).toBeVisible();
  // The services that moved since the previous quarter are the API's, biggest move first.
  const movers = await (await request.get('/api/v1/scorecards/movers?period=2026-Q3&scope=org&limit=5')).json();
  const panel = page.getByTestId('movers');
  await expect(panel.getByRole('heading', { name: 'Movers since 2026-Q2' })).toBeVisible();
  for (const direction of ['improved', 'regressed']) {
    const listed = panel.locator(`[data-testid="movers-${direction}"] > li`);
    const expected: string[] = movers[direction].map((m: { service: string }) => m.service);
    await expect(listed).toHaveCount(expected.length);
    for (const [i, service] of expected.entries()) {
      await expect(listed.nth(i)).toHaveAttribute('data-service', service);
    }
  }

  // The period picker is a form: the period lands in the URL and the figures follow it.
  await overview.period.show('2026-07');
  await expect(page).toHaveURL(/\?period=2026-07$/);
  await expect(overview.heading).toHaveText('Reliability overview · 2026-07');
  await expect(high).toHaveText(String((await kpis('2026-07')).high_sev_count));
});

test('a quarter still running says so, and compares its counts at their pace', async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(page.getByTestId('period-span')).toContainText(/open, \d+ of \d+ days so far/);
  const change = page.locator('li[data-kpi="high_sev_count"] .delta');
  await expect(change).toContainText(/^so far · (on pace for \d+\.\d · (better|worse|unchanged) (than|from) \d{4}-Q\d \(\d+\)|no data for)/);
  // A point-in-time count is not projected: compared as it is, marked "so far".
  const overdue = page.locator('li[data-kpi="overdue_actions"] .delta');
  await expect(overdue).toContainText(/^so far · /);
  await expect(overdue).not.toContainText('on pace');
});

test('a period that has not begun is refused with a clear page, on the overview and the report', async ({ page }) => {
  for (const path of ['/?period=2099-Q1', '/reports/2099-Q1', '/teams/shop?period=2099-Q1']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(400);
    await expect(page.locator('main')).toContainText('2099-Q1 has not begun yet');
  }
});

test('the overview lists every team and shows the levels a tier cannot reach as such', async ({ page }) => {
  const overview = new OverviewPage(page);
  await overview.goto('2026-Q3');
  const team = page.locator('table.report-teams tr[data-team="shop"]');
  await expect(team.getByRole('link', { name: 'Shop' })).toHaveAttribute('href', '/teams/shop?period=2026-Q3');
  // Tier 3 has no Silver or Gold check in the default policy: not a zero, not a miss.
  const tier3 = page.locator('table.levels tr[data-tier="3"]');
  await expect(tier3).toContainText('cannot reach');
  await expect(tier3).toContainText('tops out at Bronze');
  // Targets come from the policy's [targets] table.
  await expect(page.locator('[data-kpi="slo_met_rate"] [data-testid="kpi-target"]')).toContainText(/target ≥ 95\.0\s%, (met|missed)/);
});
