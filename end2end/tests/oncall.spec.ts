import { expect, test } from '@playwright/test';
import { OncallPage } from './fixtures/oncall-page';
import { ingest, loadShop } from './fixtures/shop-data';

/** Four pages of the shop in 2026-Q3 during one week's shift: a noisy rule nobody has reviewed. */
const PAGES = [
  { external_id: 'oc-1', service: 'storefront', rule: 'HighErrorRate', fired_at: '2026-08-04T10:00:00Z', paged: true, disposition: 'actionable' },
  { external_id: 'oc-2', service: 'storefront', rule: 'QueueBacklog', fired_at: '2026-08-05T02:00:00Z', paged: true },
  { external_id: 'oc-3', service: 'catalog', rule: 'QueueBacklog', fired_at: '2026-08-06T03:00:00Z', paged: true },
  // An alert rule name is untrusted text: it must show as text.
  { external_id: 'oc-4', service: 'catalog', rule: '<img src=x onerror=alert(1)>', fired_at: '2026-08-07T12:00:00Z', paged: true,
    labels: { note: '<script>alert(2)</script>' } },
];

test.beforeAll(async ({ request }) => {
  await loadShop(request);
  await ingest(request, [
    ['oncall-shifts', [{ team: 'shop', schedule: 'primary', person: 'eve', starts_at: '2026-08-03T09:00:00Z', ends_at: '2026-08-10T09:00:00Z' }]],
    ['alerts', PAGES],
  ]);
});

test('a noisy rule triaged on the On-call page moves precision, and the change is in the history', async ({ page, request }) => {
  const precision = async () => {
    const body = await (await request.get('/api/v1/kpis?period=2026-Q3&scope=team:shop')).json();
    return [body.kpis.alert_precision, body.kpis.alert_disposition_coverage];
  };
  const [before] = await precision();

  const oncall = new OncallPage(page);
  await oncall.goto('shop', '2026-Q3');
  await expect(oncall.rule('QueueBacklog')).toContainText('2');
  await expect(oncall.alert('api/oc-4')).toContainText('<img src=x onerror=alert(1)>');
  await expect(oncall.alert('api/oc-4')).toContainText('<script>alert(2)</script>');

  await oncall.triageRule('QueueBacklog', 'non_actionable', 'fires on every batch run');
  await expect(oncall.history).toContainText('every page of QueueBacklog in 2026-Q3');
  await expect(oncall.history).toContainText('Note: fires on every batch run');
  await expect(oncall.alert('api/oc-2')).toHaveAttribute('data-disposition', 'non_actionable');

  const [after, coverage] = await precision();
  expect(after).toBeLessThan(before ?? 1);
  expect(coverage).toBeGreaterThan(0);

  // The drill-down lists the pages behind the new value.
  await page.goto('/kpis/alert_precision?period=2026-Q3&scope=team:shop');
  await expect(page.locator('main')).toContainText('oc-2');
});
