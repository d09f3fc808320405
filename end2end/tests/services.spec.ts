import { expect, test } from '@playwright/test';
import { ServicePage } from './fixtures/service-page';
import { ServicesPage } from './fixtures/services-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
  // 2026-Q2 gets a record of its own (the publication spec sends the same one), so the change
  // column has a previous period with data to compare with.
  const deployment = await request.post('/api/v1/deployments', {
    data: [{ external_id: 'SHOP-D-Q2', service: 'storefront', deployed_at: '2026-05-04T10:00:00Z', outcome: 'success' }],
  });
  expect(deployment.status(), await deployment.text()).toBe(200);
});

test('the services list filters, sorts and links to a service', async ({ page }) => {
  const services = new ServicesPage(page);
  await services.goto({ period: '2026-Q3', team: 'shop', sort: 'service' });
  await expect(services.rows).toHaveCount(2);
  await expect(services.slug(0)).toHaveText('catalog');
  await expect(services.slug(1)).toHaveText('storefront');

  // The active column's link is named with its direction ("Service ▲").
  await services.sortBy('Service');
  await expect(page).toHaveURL(/desc=1/);
  await expect(services.slug(0)).toHaveText('storefront');

  await services.filterByTier('1');
  await expect(page).toHaveURL(/tier=1/);
  await expect(services.rows).toHaveCount(1);
  await expect(services.slug(0)).toHaveText('catalog');

  await services.goto({ period: '2026-Q3', team: 'shop' });
  await services.openService('storefront');
  await expect(page).toHaveURL(/\/services\/storefront\?period=2026-Q3$/);
  await expect(new ServicePage(page).titled('Storefront')).toBeVisible();
});

test('the services list names the checks to fix, the change since the previous period, and shows a checks matrix', async ({ page, request }) => {
  const card = async (period: string) =>
    (await (await request.get(`/api/v1/services/storefront/scorecard?period=${period}`)).json()).scorecards[0];
  const [now, before] = [await card('2026-Q3'), await card('2026-Q2')];
  const services = new ServicesPage(page);
  await services.goto({ period: '2026-Q3', team: 'shop' });
  const row = page.locator('tr[data-service="storefront"]');
  // The team's name, not its slug.
  await expect(row.getByRole('link', { name: 'Shop', exact: true })).toBeVisible();
  // Every check the API reports failing or without data is named in the row.
  for (const check of now.checks.filter((c: { status: string }) => c.status === 'fail' || c.status === 'no_data')) {
    await expect(row.locator('.check-names')).toContainText(check.title);
  }
  const delta = now.score - before.score;
  await expect(row.getByTestId('change')).toContainText(delta === 0 ? 'score unchanged' : `score ${delta > 0 ? '+' : ''}${delta}`);

  await page.getByRole('link', { name: /Show which checks each service passes/ }).click();
  await expect(page).toHaveURL(/view=matrix/);
  const cells = page.locator('table.check-matrix tr[data-service="storefront"] td');
  await expect(cells).toHaveCount(now.checks.length);
  const labels: Record<string, string> = { pass: 'Pass', fail: 'Fail', no_data: 'No data', waived: 'Waived', not_applicable: 'Not applicable', upcoming: 'Upcoming' };
  for (const [index, check] of now.checks.entries()) {
    await expect(cells.nth(index)).toHaveAttribute('title', `${check.title}: ${labels[check.status]}`);
  }
});

test('on a phone every field of a service is shown, labelled', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const services = new ServicesPage(page);
  await services.goto({ period: '2026-Q3', team: 'shop' });
  const row = page.locator('tr[data-service="storefront"]');
  for (const label of ['Team', 'Tier', 'Level', 'Score', 'Change', 'To fix']) {
    await expect(row.locator(`td[data-label="${label}"]`)).toBeVisible();
  }
});
