import { expect, test } from '@playwright/test';
import { OverviewPage } from './fixtures/overview-page';

test('the overview renders on the server and hydrates in the browser', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  const overview = new OverviewPage(page);
  await overview.goto();
  await expect(overview.heading).toBeVisible();
  await expect(overview.emptyState).toBeVisible();
  await expect(overview.ingestHelp).toBeHidden();

  // Only works once the WASM bundle has hydrated the page.
  await overview.showApiExample();
  await expect(overview.apiToggle).toHaveAttribute('aria-expanded', 'true');
  await expect(overview.apiToggle).toHaveText('Hide the API example');
  await expect(overview.ingestHelp).toBeVisible();

  expect(problems).toEqual([]);
});

test('pages load the script, module and stylesheet under content-hashed names, cached for good', async ({ page, request }) => {
  const loaded: string[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith('/pkg/')) loaded.push(`${response.status()} ${path}`);
  });
  const overview = new OverviewPage(page);
  await overview.goto();
  await overview.showApiExample();
  await expect(overview.apiToggle).toHaveAttribute('aria-expanded', 'true');
  const hashed = /^200 \/pkg\/plumbline-[0-9a-f]{16}\.(js|wasm|css)$/;
  expect(loaded.length, loaded.join(', ')).toBeGreaterThanOrEqual(3);
  for (const entry of loaded) expect(entry).toMatch(hashed);
  const kinds = new Set(loaded.map((entry) => entry.split('.').pop()));
  expect([...kinds].sort()).toEqual(['css', 'js', 'wasm']);

  const wasm = loaded.find((entry) => entry.endsWith('.wasm'))!.split(' ')[1];
  const response = await request.get(wasm);
  expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(response.headers()['content-type']).toBe('application/wasm');
  // Another build's files are not served in their place.
  expect((await request.get('/pkg/plumbline-0000000000000000.wasm')).status()).toBe(404);
  expect((await request.get('/pkg/plumbline.css')).headers()['cache-control']).toBe('no-cache');
});
