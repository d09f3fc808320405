import { expect, test } from '@playwright/test';
import { loadShop } from './fixtures/shop-data';
import { TeamPage } from './fixtures/team-page';

// Counts the shop team's SEV1 incidents: runs before the import spec adds one (see
// playwright.config.ts).
test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('a team page lists its services, what to fix next and its risks', async ({ page, request }) => {
  const cards = await (await request.get('/api/v1/scorecards?period=2026-Q3&team=shop')).json();
  const team = new TeamPage(page);
  // Pages serve the last computed figures while an earlier spec's import (the on-call pages) is
  // recomputed: reload until they say they are current.
  await expect(async () => {
    await team.goto('shop', '2026-Q3');
    await expect(page.getByTestId('recomputing')).toHaveCount(0, { timeout: 1000 });
    await expect(team.fixes).toHaveCount(Math.min(cards.fix_next.length, 25), { timeout: 1000 });
  }).toPass({ timeout: 20000 });
  await expect(team.heading).toHaveText('Shop · 2026-Q3');
  await expect(team.summary).toHaveText(/^2 services/);
  await expect(team.fixes.first()).toHaveAttribute('data-check', cards.fix_next[0].check);
  await expect(team.fixes.first()).toHaveAttribute('data-service', cards.fix_next[0].service);
  // SHOP-A1 was due 2026-08-01 and is still open: 61 days overdue when the quarter ends.
  await expect(team.overdueRisks).toContainText('SHOP-A1');
  await expect(team.overdueRisks).toContainText('61 days overdue');
  // Only this team's SEV1.
  await expect(team.kpiValue('high_sev_count')).toHaveText('1');
});
