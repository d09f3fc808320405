import { expect, test } from '@playwright/test';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

// Every page names itself in the browser tab (and in history and bookmarks).
test('each page has a title of its own', async ({ page }) => {
  const titles: [string, RegExp][] = [
    ['/?period=2026-Q3', /^Reliability overview · 2026-Q3 · Plumbline$/],
    ['/services', /^Services · Plumbline$/],
    ['/services/storefront?period=2026-Q3', /^Storefront · 2026-Q3 · Plumbline$/],
    ['/teams/shop?period=2026-Q3', /^Shop · 2026-Q3 · Plumbline$/],
    ['/teams/shop/oncall?period=2026-Q3', /^On-call · Shop · 2026-Q3 · Plumbline$/],
    ['/kpis/mttr?period=2026-Q3&scope=team:shop', /^Time to restore \(median\) · team:shop · 2026-Q3 · Plumbline$/],
    ['/reports/2026-Q3', /^Quarterly report · 2026-Q3 · Plumbline$/],
    ['/import', /^Import · Plumbline$/],
    ['/waivers', /^Waivers · Plumbline$/],
    ['/campaigns', /^Campaigns · Plumbline$/],
    ['/notifications', /^Notifications · Plumbline$/],
    ['/no-such-page', /^Page not found · Plumbline$/],
  ];
  for (const [path, title] of titles) {
    await page.goto(path);
    await expect(page, path).toHaveTitle(title);
  }
});

test('the reports index lists recent quarters with their state, reachable from the navigation', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await expect(page).toHaveURL(/\/reports$/);
  await expect(page).toHaveTitle(/^Quarterly reports · Plumbline$/);
  const rows = page.locator('table.reports tbody tr');
  await expect(rows).toHaveCount(8);
  // The newest is the running quarter; ended quarters are drafts until published.
  await expect(rows.first()).toContainText('open');
  await expect(page.locator('tr[data-period="2026-Q3"] td').nth(1)).toHaveText(/^(draft|published)$/);
  await page.locator('tr[data-period="2026-Q3"] th a').click();
  await expect(page).toHaveURL(/\/reports\/2026-Q3$/);
});

test('the teams index lists every team with its levels and figures, by name, linked to its page', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).click();
  await expect(page).toHaveURL(/\/teams$/);
  await page.goto('/teams?period=2026-Q3');
  await expect(page).toHaveTitle(/^Teams · 2026-Q3 · Plumbline$/);
  const shop = page.locator('tr[data-team="shop"]');
  await expect(shop.locator('th')).toHaveText('Shop');
  await expect(shop.locator('td').first()).toHaveText('2');
  await shop.getByRole('link', { name: 'Shop' }).click();
  await expect(page).toHaveURL(/\/teams\/shop\?period=2026-Q3$/);
});
