import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { DrillDownPage } from './fixtures/drill-down-page';
import { ReportPage } from './fixtures/report-page';
import { loadShop } from './fixtures/shop-data';

// Publishing a quarter from its report page, then a late import: the published report stays as
// it was, and every page that shows the quarter says which figures the live data now disagrees
// with, linked to today's records. Uses 2026-Q2, given a deployment of its own (which no
// scorecard check reads), so the other specs keep 2026-Q3 as a draft.
test.beforeAll(async ({ request }) => {
  await loadShop(request);
  const deployment = await request.post('/api/v1/deployments', {
    data: [{ external_id: 'SHOP-D-Q2', service: 'storefront', deployed_at: '2026-05-04T10:00:00Z', outcome: 'success' }],
  });
  expect(deployment.status(), await deployment.text()).toBe(200);
});

test('an admin publishes a quarter after confirming, and a late record shows as a difference', async ({ page, request }) => {
  const report = new ReportPage(page);
  await report.goto('2026-Q2');
  await expect(report.status).toContainText('Draft.');
  await expect(report.status).toContainText('has ended but is not published');
  // Nothing is published without the confirmation.
  await expect(report.publishButton('2026-Q2')).toBeDisabled();
  await report.confirmPublishing.check();
  await report.publishButton('2026-Q2').click();
  await expect(report.status).toContainText('Published');
  await expect(report.status).toContainText('by local');
  await expect(report.liveChanges).toHaveCount(0);
  await expect(report.publishButton('2026-Q2')).toHaveCount(0);
  await expect(report.kpiValue('high_sev_count')).toHaveText('0');

  await page.goto('/?period=2026-Q2');
  await expect(page.getByTestId('period-span')).toContainText('published');

  // An incident of the quarter, reported late.
  const late = await request.post('/api/v1/incidents', {
    data: [{
      external_id: 'SHOP-LATE', title: 'Late-reported storefront outage', severity: 'SEV1', services: ['storefront'],
      started_at: '2026-05-10T08:00:00Z', detected_at: '2026-05-10T08:05:00Z', mitigated_at: '2026-05-10T09:00:00Z',
    }],
  });
  expect(late.status(), await late.text()).toBe(200);

  // The report is the published one, with the difference named and linked once the live
  // figures are recomputed (in the background: a reader meanwhile gets the last ones at once).
  await expect(async () => {
    await report.goto('2026-Q2');
    await expect(report.liveChanges).toContainText('Live figures differ from the published ones', { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(report.status).toContainText('Published');
  await expect(report.kpiValue('high_sev_count')).toHaveText('0');
  const change = report.liveChanges.getByRole('link', { name: 'SEV0–1 incidents: published 0, now 1' });
  await expect(change).toBeVisible();

  // The drill-down it links to lists today's record and says what was published.
  await change.click();
  const drill = new DrillDownPage(page);
  await expect(drill.value).toContainText('1');
  await expect(page.getByTestId('published-figure')).toContainText('as 0');
  await expect(drill.rows.filter({ hasText: 'SHOP-LATE' })).toHaveCount(1);

  // The overview and the reports index say so too.
  await page.goto('/?period=2026-Q2');
  await expect(page.getByTestId('period-span')).toContainText('live figures differ');
  await expect(page.getByTestId('live-changes')).toContainText('SEV0–1 incidents: published 0, now 1');
  await page.goto('/reports');
  await expect(page.locator('tr[data-period="2026-Q2"]')).toContainText('published, live figures differ');
  await expect(page.locator('tr[data-period="2026-Q3"]')).toContainText('draft');

  // The restatements, linked from the report: reproduced as known at publication, the late
  // record named with its batch, and the figure that moved — as the API says.
  await report.goto('2026-Q2');
  await page.getByRole('link', { name: 'Restatements of 2026-Q2' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Restatements of 2026-Q2');
  await expect(page.getByTestId('reproduction')).toContainText('Reproduced');
  const api = await (await request.get('/api/v1/snapshots/2026-Q2/restatements')).json();
  expect(api.reproduced).toBe(true);
  expect(api.changes.map((c: { key: string }) => c.key)).toEqual(['SHOP-LATE']);
  const rows = page.getByTestId('changes').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('incident SHOP-LATE');
  await expect(rows.first()).toContainText('created');
  await expect(rows.first()).toContainText(`#${api.changes[0].batches[0].id} incidents by local`);
  const moved = page.getByTestId('moved-figures').locator('tr[data-kpi="high_sev_count"]');
  await expect(moved).toContainText('0');
  await expect(moved.locator('td').nth(1)).toHaveText('1');
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
});

test('a quarter before any data cannot be published', async ({ page }) => {
  const report = new ReportPage(page);
  await report.goto('2025-Q4');
  await expect(report.status).toContainText('Draft.');
  await expect(report.publishButton('2025-Q4')).toHaveCount(0);
  await expect(report.kpiValue('high_sev_count')).toHaveText('—');
});

test('an open quarter cannot be published and says when it can', async ({ page }) => {
  const report = new ReportPage(page);
  const now = new Date();
  const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
  await report.goto(quarter);
  await expect(report.status).toContainText('still running');
  await expect(report.publishButton(quarter)).toHaveCount(0);
});
