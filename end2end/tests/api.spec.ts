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
