import { expect, test } from '@playwright/test';
import { ServicePage } from './fixtures/service-page';
import { ingest, loadShop } from './fixtures/shop-data';
import { TeamPage } from './fixtures/team-page';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('ingested markup is shown as text on every page and never runs', async ({ page, request }) => {
  const script = '<script>window.__pwned = 1</script>';
  const svg = '"><svg onload="window.__pwned = 2">';
  await ingest(request, [
    ['teams', [{ slug: 'xss', name: script }]],
    ['services', [{ slug: 'xss-svc', name: svg, tier: 0, team: 'xss' }]],
    ['slos', [{ service: 'xss-svc', slug: 'avail', name: svg, indicator: 'availability', objective: 99.9, window_days: 28 }]],
    ['slo-measurements', [{ service: 'xss-svc', slo: 'avail', day: '2026-07-01', good: 900, total: 1000 }]],
    [
      'incidents',
      [{ external_id: 'XSS-1', title: script + svg, severity: 'SEV1', services: ['xss-svc'], started_at: '2026-07-03T00:00:00Z' }],
    ],
    ['actions', [{ external_id: 'XSS-A1', service: 'xss-svc', title: svg, due_date: '2026-07-10', status: 'open' }]],
  ]);
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  for (const url of [
    '/?period=2026-Q3',
    '/services?period=2026-Q3&team=xss',
    '/services/xss-svc?period=2026-Q3',
    '/teams/xss?period=2026-Q3',
    '/kpis/high_sev_count?period=2026-Q3&scope=team%3Axss',
    '/reports/2026-Q3',
  ]) {
    await page.goto(url);
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), url).toBeUndefined();
    expect(await page.locator('main svg[onload]').count(), url).toBe(0);
    expect(await page.locator('main script').count(), url).toBe(0);
  }
  expect(dialogs).toEqual([]);
  // Shown as the text it is.
  const team = new TeamPage(page);
  await team.goto('xss', '2026-Q3');
  await expect(team.heading).toContainText(script);
  const service = new ServicePage(page);
  await service.goto('xss-svc', { period: '2026-Q3' });
  await expect(service.heading).toHaveText(svg);
  await expect(service.incident('XSS-1')).toContainText(script + svg);
});
