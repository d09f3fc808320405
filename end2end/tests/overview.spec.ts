import { expect, test } from '@playwright/test';
import { OverviewPage } from './fixtures/overview-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('the overview shows the org KPIs of the chosen period, linked to their records', async ({ page, request }) => {
  const kpis = async (period: string) => (await (await request.get(`/api/v1/kpis?period=${period}&scope=org`)).json()).kpis;
  const overview = new OverviewPage(page);
  await overview.goto('2026-Q3');
  await expect(overview.heading).toHaveText('Reliability overview · 2026-Q3');
  const high = overview.kpiValue('high_sev_count');
  await expect(high).toHaveText(String((await kpis('2026-Q3')).high_sev_count));
  await expect(overview.kpiValue('overdue_actions')).toHaveText(String((await kpis('2026-Q3')).overdue_actions.count));
  // Levels by tier and the trend charts, each labelled.
  await expect(overview.levelsByTier).toBeVisible();
  await expect(overview.highSevTrend).toBeVisible();

  // The period picker is a form: the period lands in the URL and the figures follow it.
  await overview.period.show('2026-07');
  await expect(page).toHaveURL(/\?period=2026-07$/);
  await expect(overview.heading).toHaveText('Reliability overview · 2026-07');
  await expect(high).toHaveText(String((await kpis('2026-07')).high_sev_count));
});
