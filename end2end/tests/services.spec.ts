import { expect, test } from '@playwright/test';
import { ServicePage } from './fixtures/service-page';
import { ServicesPage } from './fixtures/services-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
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
