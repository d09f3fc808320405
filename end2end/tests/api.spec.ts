import * as fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { HomePage } from './fixtures/home-page';

test('teams sent as CSV are stored and counted on the overview', async ({ request, page }) => {
  const response = await request.post('/api/v1/teams', {
    headers: { 'Content-Type': 'text/csv' },
    data: 'slug,name\npayments,Payments\nsearch,Search\n',
  });
  expect(response.status(), await response.text()).toBe(200);
  expect(await response.json()).toMatchObject({ received: 2, created: 2, dry_run: false });

  const home = new HomePage(page);
  await home.goto();
  await expect(home.count('teams')).toHaveText('2');
});

test('the Evidence page downloads a pack and lists it afterwards', async ({ page }) => {
  await page.goto('/evidence');
  await expect(page.getByRole('heading', { name: 'Audit evidence' })).toBeVisible();
  await page.getByLabel('From').fill('2026-07-01');
  await page.getByLabel('To', { exact: true }).fill('2026-09-30');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download evidence pack' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('plumbline-evidence-2026-07-01-2026-09-30.zip');
  const file = await download.path();
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304');
  expect(bytes.includes(Buffer.from('manifest.json'))).toBe(true);

  await page.goto('/evidence');
  const row = page.getByRole('row', { name: /evidence:2026-07-01\.\.2026-09-30/ });
  await expect(row).toBeVisible();
  await expect(row.locator('code.hash')).toHaveText(/^[0-9a-f]{64}$/);
});
