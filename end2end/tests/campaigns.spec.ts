import { expect, test } from '@playwright/test';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

/** A day `days` from the server's today (its clock is not moved in this project). */
function dayFromToday(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

test('an admin starts a campaign and its page shows where each service stands, as the API does', async ({
  page,
  request,
}) => {
  const deadline = dayFromToday(45);
  await page.goto('/campaigns');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Campaigns');
  const form = page.getByRole('form', { name: 'Start a campaign' });
  await form.getByLabel('Title').fill('Shop DR tests');
  await form.getByLabel('Owner').fill('sre-leads@example.test');
  await form.getByLabel('Recent passing DR test (Silver)').check();
  await form.getByLabel('Chosen by').selectOption('teams');
  await form.getByLabel('Tiers, teams or services').fill('shop');
  await form.getByLabel('Deadline').fill(deadline);
  await form.getByRole('button', { name: 'Start the campaign' }).click();

  const row = page.locator('tr[data-campaign="shop-dr-tests"]');
  await expect(row).toBeVisible();
  await expect(row).toContainText('Recent passing DR test passes');
  await expect(row).toContainText('team shop');
  await expect(row).toContainText(deadline);

  const api = await (await request.get('/api/v1/campaigns/shop-dr-tests')).json();
  expect(api.now.total).toBe(2);
  await row.getByRole('link', { name: 'Shop DR tests' }).click();
  await expect(page).toHaveURL(/\/campaigns\/shop-dr-tests$/);
  await expect(page).toHaveTitle(/^Shop DR tests · Plumbline$/);
  await expect(page.getByTestId('campaign-headline')).toHaveText(
    `${api.now.met} of ${api.now.total} services meet the goal now; 45 days left.`,
  );
  // The burn-up starts on the day the campaign did.
  await expect(page.getByTestId('burn-up').locator('tr[data-day]')).toHaveCount(1);
  await expect(page.getByTestId('burn-up').locator(`tr[data-day="${dayFromToday(0)}"]`)).toContainText(
    `${api.now.met} of ${api.now.total}`,
  );
  await expect(page.getByTestId('campaign-teams').locator('tr[data-team="shop"]')).toContainText(
    `${api.now.met} of ${api.now.total}`,
  );
  const open = api.now.services.filter((s: { met: boolean }) => !s.met);
  if (open.length > 0) {
    const first = page.getByTestId('campaign-open').locator(`tr[data-service="${open[0].service}"]`);
    await expect(first).toContainText(open[0].open[0].title);
    await expect(first).toContainText('Fix:');
  }

  // The team page lists it with the team's share.
  await page.goto('/teams/shop');
  const panel = page.getByTestId('team-campaigns');
  await expect(panel.locator('li[data-campaign="shop-dr-tests"]')).toContainText(
    `${api.now.met} of ${api.now.total}`,
  );

  // The admin changes the deadline; the change is an audit event.
  await page.goto('/campaigns/shop-dr-tests');
  const edit = page.getByRole('form', { name: 'Change the campaign' });
  await edit.getByLabel('Deadline').fill(dayFromToday(60));
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('campaign-headline')).toContainText('60 days left');
  const audit = await (await request.get('/api/v1/audit?action=campaign.changed')).json();
  expect(JSON.stringify(audit)).toContain('shop-dr-tests');
});

test('a campaign form with a mistake says what is wrong and starts nothing', async ({ page, request }) => {
  await page.goto('/campaigns');
  const form = page.getByRole('form', { name: 'Start a campaign' });
  await form.getByLabel('Title').fill('Nobody');
  await form.getByLabel('Owner').fill('x');
  await form.getByLabel('Recent passing DR test (Silver)').check();
  await form.getByLabel('Chosen by').selectOption('teams');
  await form.getByLabel('Tiers, teams or services').fill('no-such-team');
  await form.getByLabel('Deadline').fill(dayFromToday(10));
  await form.getByRole('button', { name: 'Start the campaign' }).click();
  await expect(page.getByRole('alert')).toContainText("There is no team 'no-such-team'.");
  const list = await (await request.get('/api/v1/campaigns')).json();
  expect(list.campaigns.map((c: { slug: string }) => c.slug)).not.toContain('nobody');
});
