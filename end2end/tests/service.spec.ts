import { expect, test } from '@playwright/test';
import { ServicePage } from './fixtures/service-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('a service page shows the scorecard, SLO, incidents and overdue actions of the period', async ({ page, request }) => {
  const api = await (await request.get('/api/v1/services/storefront/scorecard?period=2026-Q3')).json();
  const card = api.scorecards[0];

  const service = new ServicePage(page);
  await service.goto('storefront', { period: '2026-Q3' });
  await expect(service.score).toHaveText(`${card.score} / 100`);
  for (const check of card.checks) {
    await expect(service.checkRow(check.id)).toContainText(check.explanation);
  }
  // (998 + 990) / 2000 = 99.400 %, below the 99.5 % objective.
  const slo = service.slo('availability');
  await expect(slo).toContainText('99.400 %');
  await expect(slo).toContainText('Missed');
  await expect(slo.getByRole('img', { name: /availability: daily attainment/ })).toBeVisible();

  const incident = service.incident('SHOP-1');
  await expect(incident).toContainText('Storefront checkout errors');
  await expect(incident).toContainText('4 min');
  await expect(incident).toContainText('60 min');
  // Due 2026-08-01, still open: 61 days overdue when the quarter ends (2026-10-01).
  const overdue = service.action('SHOP-A1');
  await expect(overdue).toHaveClass(/overdue/);
  await expect(overdue).toContainText('61 days overdue');
  await expect(service.action('SHOP-A2')).not.toHaveClass(/overdue/);

  // The period picker changes the URL and the figures: nothing started in Q4.
  await service.period.show('2026-Q4');
  await expect(page).toHaveURL(/period=2026-Q4/);
  await expect(service.incidentsHeading(0)).toBeVisible();
});

test('an unknown service answers 404 with a way back', async ({ page }) => {
  const service = new ServicePage(page);
  const response = await service.goto('no-such-service');
  expect(response?.status()).toBe(404);
  await expect(service.error).toHaveText("There is no service 'no-such-service'.");
  await expect(service.allServicesLink).toBeVisible();
});

test('a service page says what it takes to reach the next level and how the score is weighted', async ({ page, request }) => {
  const card = (await (await request.get('/api/v1/services/storefront/scorecard?period=2026-Q3')).json()).scorecards[0];
  const service = new ServicePage(page);
  await service.goto('storefront', { period: '2026-Q3' });
  const next = page.getByTestId('next-level');
  await expect(next.getByRole('heading', { name: 'To reach the next level' })).toBeVisible();
  const order = ['bronze', 'silver', 'gold'];
  const target = card.level === null ? 'bronze' : order[order.indexOf(card.level) + 1];
  if (target) {
    // Every check of the next level or below that neither passes, is waived nor applies is listed.
    const blocking = card.checks.filter(
      (c: { level: string; status: string }) =>
        order.indexOf(c.level) <= order.indexOf(target) && (c.status === 'fail' || c.status === 'no_data'),
    );
    await expect(next.locator('li')).toHaveCount(blocking.length);
    for (const check of blocking) await expect(next).toContainText(check.title);
  }
  // Checks that do not apply, or count only from a later date (upcoming), are left out.
  const applicable = card.checks.filter((c: { status: string }) => !['not_applicable', 'upcoming'].includes(c.status));
  const total = applicable.reduce((sum: number, c: { weight: number }) => sum + c.weight, 0);
  const passed = applicable.filter((c: { status: string }) => c.status === 'pass').reduce((sum: number, c: { weight: number }) => sum + c.weight, 0);
  await expect(page.getByTestId('score-explained')).toContainText(`${passed} of ${total} weight points pass (${card.score} / 100)`);
});

test('a service page links to postmortem documents and DR evidence', async ({ page, request }) => {
  // A team and service of their own, so the other specs' figures stay as they are.
  const send = async (kind: string, rows: unknown[]) => {
    const response = await request.post(`/api/v1/${kind}`, { data: rows });
    expect(response.status(), await response.text()).toBe(200);
  };
  await send('teams', [{ slug: 'books', name: 'Books' }]);
  await send('services', [{ slug: 'ledger', name: 'Ledger', tier: 3, team: 'books' }]);
  await send('incidents', [{
    external_id: 'BOOKS-1', title: 'Ledger lag', severity: 'SEV2', services: ['ledger'],
    started_at: '2026-08-03T10:00:00Z', detected_at: '2026-08-03T10:05:00Z', mitigated_at: '2026-08-03T11:00:00Z',
  }]);
  await send('postmortems', [{ incident: 'BOOKS-1', status: 'published', published_at: '2026-08-05T09:00:00Z', url: 'https://wiki.example/postmortems/books-1' }]);
  await send('dr-tests', [{
    external_id: 'BOOKS-DR', service: 'ledger', scenario: 'restore', outcome: 'pass',
    performed_at: '2026-08-10T09:00:00Z', evidence_url: 'https://drills.example/books-dr',
  }]);
  // Ingestion refuses a link that is not a web link (the page would show it as text anyway).
  const unsafe = await request.post('/api/v1/dr-tests', {
    data: [{ external_id: 'BOOKS-DR-2', service: 'ledger', scenario: 'restore', outcome: 'pass', performed_at: '2026-08-11T09:00:00Z', evidence_url: 'javascript:alert(1)' }],
  });
  expect(unsafe.status()).toBe(422);
  const service = new ServicePage(page);
  await service.goto('ledger', { period: '2026-Q3' });
  const postmortem = service.incident('BOOKS-1').getByRole('link', { name: 'Published' });
  await expect(postmortem).toHaveAttribute('href', 'https://wiki.example/postmortems/books-1');
  await expect(postmortem).toHaveAttribute('rel', /noopener/);
  const dr = page.locator('tr[data-dr-test="BOOKS-DR"]');
  await expect(dr.getByRole('link', { name: 'Evidence' })).toHaveAttribute('href', 'https://drills.example/books-dr');
});

test('a service page shows its level and score by period, as the history API gives them', async ({ page, request }) => {
  const service = new ServicePage(page);
  // Earlier specs' imports may still be recomputed: reload until the page is current.
  await expect(async () => {
    const api = await (await request.get('/api/v1/services/storefront/history?to=2026-Q3')).json();
    await service.goto('storefront', { period: '2026-Q3' });
    await expect(page.getByTestId('recomputing')).toHaveCount(0, { timeout: 1000 });
    const history = page.getByTestId('history');
    expect(api.periods).toHaveLength(8);
    for (const point of api.periods) {
      const shown = point.standing ? String(point.standing.score ?? '–') : 'no scorecard';
      await expect(history.locator(`li[data-period="${point.period}"]`)).toContainText(shown, { timeout: 1000 });
    }
  }).toPass({ timeout: 20_000 });
  // The line is labelled with the same figures for screen readers.
  await expect(page.getByRole('img', { name: /^Score by period: 2024-Q4: / })).toBeVisible();
});
