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

test('a team page dates what breaks next in its services, as the forecast API does', async ({ page, request }) => {
  const api = await (await request.get('/api/v1/forecast?scope=team:shop&horizon_days=90')).json();
  const events: { day: string; service: string }[] = api.services.flatMap(
    (s: { service: string; events: { day: string }[] }) => s.events.map((e) => ({ day: e.day, service: s.service })),
  );
  events.sort((a, b) => a.day.localeCompare(b.day) || a.service.localeCompare(b.service));
  const team = new TeamPage(page);
  const forecast = page.getByTestId('forecast');
  // The first forecast is computed in the background: reload until it is shown.
  await expect(async () => {
    await team.goto('shop');
    await expect(forecast).not.toContainText('being computed', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(forecast.getByRole('heading', { name: 'What breaks next' })).toBeVisible();
  await expect(forecast).toContainText(api.assumption);
  const listed = forecast.locator('ol.forecast > li');
  await expect(listed).toHaveCount(Math.min(events.length, 40));
  for (const [i, event] of events.slice(0, 5).entries()) {
    await expect(listed.nth(i)).toHaveAttribute('data-day', event.day);
    await expect(listed.nth(i)).toHaveAttribute('data-service', event.service);
  }
  if (events.length === 0) await expect(page.getByTestId('forecast-empty')).toBeVisible();
  // The calendar feed of the same forecast.
  const feed = await request.get('/api/v1/teams/shop/forecast.ics');
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toContain('text/calendar');
  expect((await feed.text()).split('BEGIN:VEVENT').length - 1).toBe(events.length);
});

