import * as fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { EvidencePage } from './fixtures/evidence-page';
import { OverviewPage } from './fixtures/overview-page';

test('teams sent as CSV are stored and counted on the overview', async ({ request, page }) => {
  const response = await request.post('/api/v1/teams', {
    headers: { 'Content-Type': 'text/csv' },
    data: 'slug,name\npayments,Payments\nsearch,Search\n',
  });
  expect(response.status(), await response.text()).toBe(200);
  expect(await response.json()).toMatchObject({ received: 2, created: 2, dry_run: false });

  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.count('teams')).toHaveText('2');
});

test('the Evidence page downloads a pack and lists it afterwards', async ({ page }) => {
  const evidence = new EvidencePage(page);
  await evidence.goto();
  await expect(evidence.heading).toBeVisible();
  const download = await evidence.downloadPack('2026-07-01', '2026-09-30');
  expect(download.suggestedFilename()).toBe('plumbline-evidence-2026-07-01-2026-09-30.zip');
  const file = await download.path();
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304');
  expect(bytes.includes(Buffer.from('manifest.json'))).toBe(true);

  await evidence.goto();
  const row = evidence.pack('2026-07-01', '2026-09-30');
  await expect(row).toBeVisible();
  await expect(row.locator('code.hash')).toHaveText(/^[0-9a-f]{64}$/);
});
