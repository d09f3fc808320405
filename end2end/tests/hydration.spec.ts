import { expect, test } from '@playwright/test';
import { HomePage } from './fixtures/home-page';

test('the overview renders on the server and hydrates in the browser', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  const home = new HomePage(page);
  await home.goto();
  await expect(home.heading).toBeVisible();
  await expect(home.emptyState).toBeVisible();
  await expect(home.ingestHelp).toBeHidden();

  // Only works once the WASM bundle has hydrated the page.
  await home.showApiExample();
  await expect(home.apiToggle).toHaveAttribute('aria-expanded', 'true');
  await expect(home.apiToggle).toHaveText('Hide the API example');
  await expect(home.ingestHelp).toBeVisible();

  expect(problems).toEqual([]);
});
