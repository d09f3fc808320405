import { expect, test, type APIRequestContext } from '@playwright/test';

// A small, known organisation: two services of one team, one SLO, one incident, two actions.
async function load(request: APIRequestContext) {
  const batches: [string, unknown[]][] = [
    ['teams', [{ slug: 'shop', name: 'Shop' }]],
    [
      'services',
      [
        { slug: 'storefront', name: 'Storefront', tier: 0, team: 'shop' },
        { slug: 'catalog', name: 'Catalog', tier: 1, team: 'shop' },
      ],
    ],
    [
      'slos',
      [{ service: 'storefront', slug: 'availability', name: 'Availability', indicator: 'availability', objective: 99.5, window_days: 28 }],
    ],
    [
      'slo-measurements',
      [
        { service: 'storefront', slo: 'availability', day: '2026-07-01', good: 998, total: 1000 },
        { service: 'storefront', slo: 'availability', day: '2026-07-02', good: 990, total: 1000 },
      ],
    ],
    [
      'incidents',
      [
        {
          external_id: 'SHOP-1', title: 'Storefront checkout errors', severity: 'SEV1', services: ['storefront'],
          started_at: '2026-07-02T10:00:00Z', detected_at: '2026-07-02T10:04:00Z',
          acknowledged_at: '2026-07-02T10:10:00Z', mitigated_at: '2026-07-02T10:40:00Z', resolved_at: '2026-07-02T11:00:00Z',
        },
      ],
    ],
    [
      'actions',
      [
        { external_id: 'SHOP-A1', incident: 'SHOP-1', service: 'storefront', title: 'Add a canary', due_date: '2026-08-01', status: 'open' },
        { external_id: 'SHOP-A2', incident: 'SHOP-1', service: 'storefront', title: 'Alert on 5xx', due_date: '2026-07-20', status: 'done', completed_at: '2026-07-19T12:00:00Z' },
      ],
    ],
  ];
  for (const [kind, rows] of batches) {
    const response = await request.post(`/api/v1/${kind}`, { data: rows });
    expect(response.status(), `${kind}: ${await response.text()}`).toBe(200);
  }
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await load(request);
});

test('the services list filters, sorts and links to a service', async ({ page }) => {
  await page.goto('/services?period=2026-Q3&team=shop&sort=service');
  const rows = page.locator('table.services tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).locator('code')).toHaveText('catalog');
  await expect(rows.nth(1).locator('code')).toHaveText('storefront');

  // The active column's link is named with its direction ("Service ▲").
  await page.locator('thead').getByRole('link', { name: /^Service\b/ }).click();
  await expect(page).toHaveURL(/desc=1/);
  await expect(rows.nth(0).locator('code')).toHaveText('storefront');

  await page.getByLabel('Tier').selectOption('1');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/tier=1/);
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0).locator('code')).toHaveText('catalog');

  await page.goto('/services?period=2026-Q3&team=shop');
  await page.getByRole('link', { name: 'storefront' }).click();
  await expect(page).toHaveURL(/\/services\/storefront\?period=2026-Q3$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Storefront' })).toBeVisible();
});

test('a service page shows the scorecard, SLO, incidents and overdue actions of the period', async ({ page, request }) => {
  const api = await (await request.get('/api/v1/services/storefront/scorecard?period=2026-Q3')).json();
  const card = api.scorecards[0];

  await page.goto('/services/storefront?period=2026-Q3');
  await expect(page.getByTestId('score')).toHaveText(`${card.score} / 100`);
  for (const check of card.checks) {
    await expect(page.locator(`tr[data-check="${check.id}"]`)).toContainText(check.explanation);
  }
  // (998 + 990) / 2000 = 99.400 %, below the 99.5 % objective.
  const slo = page.locator('article[data-slo="availability"]');
  await expect(slo).toContainText('99.400 %');
  await expect(slo).toContainText('Missed');
  await expect(slo.getByRole('img', { name: /availability: daily attainment/ })).toBeVisible();

  const incident = page.locator('tr[data-incident="SHOP-1"]');
  await expect(incident).toContainText('Storefront checkout errors');
  await expect(incident).toContainText('4 min');
  await expect(incident).toContainText('60 min');
  // Due 2026-08-01, still open: 61 days overdue when the quarter ends (2026-10-01).
  const overdue = page.locator('tr[data-action="SHOP-A1"]');
  await expect(overdue).toHaveClass(/overdue/);
  await expect(overdue).toContainText('61 days overdue');
  await expect(page.locator('tr[data-action="SHOP-A2"]')).not.toHaveClass(/overdue/);

  // The period picker changes the URL and the figures: nothing started in Q4.
  await page.getByRole('textbox', { name: 'Period' }).fill('2026-Q4');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/period=2026-Q4/);
  await expect(page.getByRole('heading', { name: 'Incidents (0)' })).toBeVisible();
});

test('an unknown service answers 404 with a way back', async ({ page }) => {
  const response = await page.goto('/services/no-such-service');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('alert')).toHaveText("There is no service 'no-such-service'.");
  await expect(page.getByRole('link', { name: 'All services' })).toBeVisible();
});

// Screenshots for a person to look at, in test-results/ (not committed).
for (const [name, viewport] of [
  ['desktop', { width: 1440, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`screenshots of the service pages (${name})`, async ({ page }, testInfo) => {
    await page.setViewportSize(viewport);
    for (const [label, url] of [
      ['services', '/services?period=2026-Q3&team=shop'],
      ['service', '/services/storefront?period=2026-Q3'],
    ]) {
      await page.goto(url);
      await page.screenshot({ path: testInfo.outputPath(`${label}-${name}.png`), fullPage: true });
      // Nothing wider than the viewport: the page scrolls vertically only.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${label} overflows horizontally at ${name}`).toBeLessThanOrEqual(0);
    }
  });
}
