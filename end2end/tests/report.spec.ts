import * as fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { AppHeader } from './fixtures/app-header';
import { pdfPageCount, pdfText } from './fixtures/pdf';
import { ReportPage } from './fixtures/report-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('the quarterly report prints, and its server-made PDF downloads with the figures', async ({ page, request }) => {
  const report = new ReportPage(page);
  const kpis = (await (await request.get('/api/v1/kpis?period=2026-Q3&scope=org')).json()).kpis;
  // The report serves the last computed figures while earlier specs' imports are recomputed:
  // reload until they say they are current.
  await expect(async () => {
    await report.goto('2026-Q3');
    await expect(page.getByTestId('recomputing')).toHaveCount(0, { timeout: 1000 });
    await expect(report.kpiValue('high_sev_count')).toHaveText(String(kpis.high_sev_count), { timeout: 1000 });
  }).toPass({ timeout: 20000 });
  await expect(report.heading).toHaveText('Quarterly reliability report · 2026-Q3');
  await expect(report.status).toContainText('Draft.');
  await expect(report.incident('SHOP-1')).toContainText('Storefront checkout errors');
  await expect(report.team('shop')).toContainText('Shop');
  // The summary is written from the figures, and each headline shows a year earlier and its target.
  await expect(page.getByTestId('executive-summary')).toContainText(`${kpis.high_sev_count} SEV0–1 incident`);
  await expect(page.locator('table.report-kpis thead')).toContainText('2025-Q3');
  await expect(page.locator('tr[data-kpi="slo_met_rate"]')).toContainText(/target ≥ 95\.0\s%, (met|missed)/);

  // The print view: chrome hidden, and Chromium makes a PDF of it.
  await page.emulateMedia({ media: 'print' });
  await expect(new AppHeader(page).root).toBeHidden();
  const printed = await page.pdf({ format: 'A4' });
  expect(printed.subarray(0, 5).toString()).toBe('%PDF-');
  expect(await pdfText(printed)).toContain('Quarterly reliability report');
  // Four A4 pages at most (docs/reports.md, "Print").
  expect(await pdfPageCount(printed)).toBeLessThanOrEqual(4);
  await page.emulateMedia({ media: 'screen' });

  // The server's own PDF, downloaded as a user would.
  const download = await report.downloadPdf();
  expect(download.suggestedFilename()).toBe('plumbline-report-2026-Q3.pdf');
  const bytes = fs.readFileSync(await download.path());
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  const text = await pdfText(bytes);
  for (const expected of ['Quarterly reliability report', '2026-Q3', 'SHOP-1', 'Storefront checkout errors', 'Shop', 'Definitions', 'Executive summary', 'Target']) {
    expect(text).toContain(expected);
  }
});
