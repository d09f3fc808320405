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
