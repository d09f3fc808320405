import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

// Every page, in the light and the dark theme, checked by axe-core against WCAG 2.1 A and AA:
// no serious or critical violation. Runs after the page specs (the `pages`, `import` and
// `screenshots` projects), so the pages hold data.
const pages = [
  '/',
  '/?period=2026-Q3',
  '/services?period=2026-Q3',
  '/services?period=2026-Q3&view=matrix',
  '/teams?period=2026-Q3',
  '/kpis?period=2026-Q3',
  '/reports',
  '/services/storefront?period=2026-Q3',
  '/teams/shop?period=2026-Q3',
  '/teams/shop/self-assessment',
  '/teams/shop/oncall?period=2026-Q3',
  '/kpis/high_sev_count?period=2026-Q3&scope=team%3Ashop',
  '/reports/2026-Q3',
  '/reports/2026-Q2',
  '/import',
  '/waivers',
  '/campaigns',
  '/campaigns/shop-dr-tests',
  '/access',
  '/jobs',
  '/notifications',
  '/tokens',
  '/audit',
  '/audit?from=2026-01-01&to=2030-12-31',
  '/evidence',
  '/evidence?from=2026-07-01&to=2026-09-30',
  '/samples',
  '/no-such-page',
];

// The system's light and dark themes, and dark chosen with the theme switch on a light system.
const themes = [
  { theme: 'light', system: 'light', chosen: null },
  { theme: 'dark', system: 'dark', chosen: null },
  { theme: 'dark (switch)', system: 'light', chosen: 'dark' },
] as const;

for (const { theme, system, chosen } of themes) {
  test(`every page passes axe-core in the ${theme} theme`, async ({ page, context, baseURL }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: system });
    if (chosen) {
      await context.addCookies([{ name: 'plumbline-theme', value: chosen, url: baseURL ?? '' }]);
    }
    const failures: string[] = [];
    for (const url of pages) {
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      if (chosen) {
        await expect(page.locator('html')).toHaveAttribute('data-theme', chosen);
      }
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      for (const violation of results.violations) {
        if (violation.impact === 'serious' || violation.impact === 'critical') {
          const targets = violation.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
          failures.push(`${url} [${theme}] ${violation.id} (${violation.impact}): ${violation.help} — ${targets}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
}
