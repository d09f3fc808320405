import { expect, test } from '@playwright/test';
import { AppHeader } from './fixtures/app-header';
import { ServicesPage } from './fixtures/services-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('the theme switch cycles system, light and dark, and the choice survives a reload', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await new ServicesPage(page).goto();
  const html = page.locator('html');
  const toggle = new AppHeader(page).themeToggle;
  await expect(toggle).toHaveText('Theme: system');
  await expect(html).not.toHaveAttribute('data-theme', /./);
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(15, 19, 24)');
  // Rendered dark by the server from the cookie: no flash of the light theme.
  const response = await page.reload();
  expect(await response?.text()).toContain('data-theme="dark"');
  await expect(toggle).toHaveText('Theme: dark');
  await toggle.click();
  await expect(html).not.toHaveAttribute('data-theme', /./);
  await expect(toggle).toHaveText('Theme: system');
});
