import { expect, test } from '@playwright/test';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('an admin subscribes a team to its weekly digest and ends the subscription', async ({ page }) => {
  await page.goto('/notifications');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notifications');
  // This server has no mail server: the page says so before anyone relies on email.
  await expect(page.getByTestId('no-mail-server')).toBeVisible();
  const form = page.getByRole('form', { name: 'Add a subscription' });
  await form.getByLabel('Team').selectOption('shop');
  await form.getByLabel('Channel').selectOption('webhook');
  await form.getByLabel('Email address or webhook URL').fill('not a url');
  await form.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page.getByRole('alert')).toContainText("'not a url' is not an http(s) URL.");

  await form.getByLabel('Team').selectOption('shop');
  await form.getByLabel('Channel').selectOption('webhook');
  await form.getByLabel('Email address or webhook URL').fill('http://127.0.0.1:9/shop-hook');
  await form.getByRole('button', { name: 'Subscribe' }).click();
  const row = page.getByTestId('subscriptions').locator('tr', { hasText: 'http://127.0.0.1:9/shop-hook' });
  await expect(row).toContainText('shop');
  await expect(row).toContainText('webhook');
  await row.getByText('Signing secret').click();
  await expect(row.locator('details code')).toHaveText(/^[0-9a-f]{48}$/);

  await row.getByRole('button', { name: /End the subscription of shop/ }).click();
  await expect(
    page.getByTestId('subscriptions').locator('tr', { hasText: 'http://127.0.0.1:9/shop-hook' }),
  ).toContainText('Ended');
});
