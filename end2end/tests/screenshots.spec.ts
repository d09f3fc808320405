import { expect, test } from '@playwright/test';
import { loadShop } from './fixtures/shop-data';

// Screenshots for a person to look at, in test-results/ (not committed).
test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

for (const [name, viewport] of [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`screenshots of the pages (${name})`, async ({ page }, testInfo) => {
    await page.setViewportSize(viewport);
    for (const [label, url] of [
      ['overview', '/?period=2026-Q3'],
      ['services', '/services?period=2026-Q3&team=shop'],
      ['services-matrix', '/services?period=2026-Q3&view=matrix'],
      ['teams', '/teams?period=2026-Q3'],
      ['reports', '/reports'],
      ['report-published', '/reports/2026-Q2'],
      ['service', '/services/storefront?period=2026-Q3'],
      ['team', '/teams/shop?period=2026-Q3'],
      ['drill-down', '/kpis/overdue_actions?period=2026-Q3'],
      ['kpis', '/kpis?period=2026-Q3'],
      ['report', '/reports/2026-Q3'],
      ['import', '/import'],
      ['self-assessment', '/teams/shop/self-assessment'],
      ['oncall', '/teams/shop/oncall?period=2026-Q3'],
    ]) {
      await page.goto(url);
      await page.screenshot({ path: testInfo.outputPath(`${label}-${name}.png`), fullPage: true });
      // Nothing wider than the viewport: the page scrolls vertically only.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${label} overflows horizontally at ${name}`).toBeLessThanOrEqual(0);
    }
  });
}
