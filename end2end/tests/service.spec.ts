import { expect, test } from '@playwright/test';
import { ServicePage } from './fixtures/service-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('a service page shows the scorecard, SLO, incidents and overdue actions of the period', async ({ page, request }) => {
  const api = await (await request.get('/api/v1/services/storefront/scorecard?period=2026-Q3')).json();
  const card = api.scorecards[0];

  const service = new ServicePage(page);
  await service.goto('storefront', { period: '2026-Q3' });
  await expect(service.score).toHaveText(`${card.score} / 100`);
  for (const check of card.checks) {
    await expect(service.checkRow(check.id)).toContainText(check.explanation);
  }
  // (998 + 990) / 2000 = 99.400 %, below the 99.5 % objective.
  const slo = service.slo('availability');
  await expect(slo).toContainText('99.400 %');
  await expect(slo).toContainText('Missed');
  await expect(slo.getByRole('img', { name: /availability: daily attainment/ })).toBeVisible();

  const incident = service.incident('SHOP-1');
  await expect(incident).toContainText('Storefront checkout errors');
  await expect(incident).toContainText('4 min');
  await expect(incident).toContainText('60 min');
  // Due 2026-08-01, still open: 61 days overdue when the quarter ends (2026-10-01).
  const overdue = service.action('SHOP-A1');
  await expect(overdue).toHaveClass(/overdue/);
  await expect(overdue).toContainText('61 days overdue');
  await expect(service.action('SHOP-A2')).not.toHaveClass(/overdue/);

  // The period picker changes the URL and the figures: nothing started in Q4.
  await service.period.show('2026-Q4');
  await expect(page).toHaveURL(/period=2026-Q4/);
  await expect(service.incidentsHeading(0)).toBeVisible();
});

test('an unknown service answers 404 with a way back', async ({ page }) => {
  const service = new ServicePage(page);
  const response = await service.goto('no-such-service');
  expect(response?.status()).toBe(404);
  await expect(service.error).toHaveText("There is no service 'no-such-service'.");
  await expect(service.allServicesLink).toBeVisible();
});

test('a service page says what it takes to reach the next level and how the score is weighted', async ({ page, request }) => {
  const card = (await (await request.get('/api/v1/services/storefront/scorecard?period=2026-Q3')).json()).scorecards[0];
  const service = new ServicePage(page);
  await service.goto('storefront', { period: '2026-Q3' });
  const next = page.getByTestId('next-level');
  await expect(next.getByRole('heading', { name: 'To reach the next level' })).toBeVisible();
  const order = ['bronze', 'silver', 'gold'];
  const target = card.level === null ? 'bronze' : order[order.indexOf(card.level) + 1];
  if (target) {
    // Every check of the next level or below that neither passes, is waived nor applies is listed.
    const blocking = card.checks.filter(
      (c: { level: string; status: string }) =>
        order.indexOf(c.level) <= order.indexOf(target) && (c.status === 'fail' || c.status === 'no_data'),
    );
    await expect(next.locator('li')).toHaveCount(blocking.length);
    for (const check of blocking) await expect(next).toContainText(check.title);
  }
  const applicable = card.checks.filter((c: { status: string }) => c.status !== 'not_applicable');
  const total = applicable.reduce((sum: number, c: { weight: number }) => sum + c.weight, 0);
  const passed = applicable.filter((c: { status: string }) => c.status === 'pass').reduce((sum: number, c: { weight: number }) => sum + c.weight, 0);
  await expect(page.getByTestId('score-explained')).toContainText(`${passed} of ${total} weight points pass (${card.score} / 100)`);
});
