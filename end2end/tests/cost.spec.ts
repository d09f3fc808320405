import { expect, test } from '@playwright/test';
import { DrillDownPage } from './fixtures/drill-down-page';
import { ingest, loadShop } from './fixtures/shop-data';
import { TeamPage } from './fixtures/team-page';

/** A respondent's hash: 64 hex digits. */
const hash = (n: number): string => n.toString(16).padStart(64, '0');

// The shop's monthly costs (USD per request for storefront, EUR per order for catalog) and five
// stakeholders' scores of 2026-Q3. None is in 2024-Q1, which the KPI index spec reads as empty.
test.beforeAll(async ({ request }) => {
  await loadShop(request);
  await ingest(request, [
    [
      'costs',
      [
        { service: 'storefront', month: '2026-06', amount: 900, currency: 'USD', unit_driver: 'request', units: 2000000 },
        { service: 'storefront', month: '2026-07', amount: 300, currency: 'USD', unit_driver: 'request', units: 1000000 },
        { service: 'storefront', month: '2026-08', amount: 500, currency: 'USD', unit_driver: 'request', units: 1000000 },
        { service: 'catalog', month: '2026-09', amount: 60, currency: 'EUR', unit_driver: 'order', units: 1200 },
      ],
    ],
    [
      'survey-responses',
      [4, 5, 4, 3, 5].map((score, i) => ({
        survey: 'shop-2026-q3', respondent: hash(i + 1), role: 'product manager', team: 'shop',
        answered_at: '2026-08-03T09:00:00Z', score,
      })),
    ],
  ]);
});

test("a team page reads its unit cost beside its SLO met rate, and its stakeholders' mean score", async ({ page, request }) => {
  const team = new TeamPage(page);
  const cost = page.getByTestId('cost-panel');
  await expect(async () => {
    await team.goto('shop', '2026-Q3');
    await expect(page.getByTestId('recomputing')).toHaveCount(0, { timeout: 1000 });
    await expect(cost.getByTestId('cost-rows')).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20000 });
  // 800 ÷ 2,000,000 in Q3 against 900 ÷ 2,000,000 in Q2; the change only beside both met rates.
  const usd = cost.locator('tr', { hasText: 'USD per request' });
  await expect(usd).toContainText('0.0004');
  await expect(usd).toContainText('0.00045');
  const met = async (period: string) =>
    (await (await request.get(`/api/v1/kpis?period=${period}&scope=team:shop`)).json()).kpis.slo_met_rate;
  if ((await met('2026-Q2')) !== null && (await met('2026-Q3')) !== null) {
    await expect(usd).toContainText('−11.1 %');
  } else {
    await expect(usd).toContainText('Not compared: no SLO met rate in both periods');
  }
  await expect(cost.locator('tr', { hasText: 'EUR per order' })).toContainText('No cost in the previous period');
  await expect(page.getByTestId('satisfaction-panel').locator('a.kpi-value')).toHaveText('4.20 / 5');

  // Each figure links to the costs behind it: one unit cost per currency and driver.
  await usd.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/kpis\/unit_cost\?period=2026-Q3&scope=team(%3A|:)shop$/);
  await expect(new DrillDownPage(page).value).toHaveText('2 unit costs, one per currency and driver');
});
