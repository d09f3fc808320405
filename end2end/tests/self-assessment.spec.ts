import { expect, test } from '@playwright/test';
import { ReadinessPage } from './fixtures/readiness-page';
import { ServicePage } from './fixtures/service-page';
import { loadShop } from './fixtures/shop-data';

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('a self-assessment answered by the team is signed off by someone else and counts', async ({ page, request }) => {
  // Storefront is tier 0: every item of the default checklist applies.
  const items = ['runbook', 'on_call_rotation', 'slo_alerting', 'dashboards', 'rollback_procedure', 'dependency_map', 'capacity_plan', 'dr_plan', 'backup_and_restore'];
  // The team's editor answered through the API (a pipeline or the same form): not yet reviewed.
  const answers = items.map((item) => ({
    service: 'storefront', item, answer: 'yes', answered_by: 'eve@example.test',
    answered_at: new Date().toISOString(), evidence_url: `https://wiki.example.test/${item}`,
  }));
  expect((await request.post('/api/v1/self-assessments', { data: answers })).status()).toBe(200);
  const readiness = async () => {
    const card = (await (await request.get('/api/v1/services/storefront/scorecard')).json()).scorecards[0];
    return card.checks.find((c: { id: string }) => c.id === 'self_assessment_current').status;
  };
  expect(await readiness()).toBe('no_data');

  const checklist = new ReadinessPage(page);
  await checklist.goto('shop');
  const storefront = checklist.service('storefront');
  await expect(storefront.progress).toHaveText('9 of 9 answered, 9 awaiting review');
  // The local admin (another person than eve) signs each answer off.
  for (const item of items) {
    await storefront.signOff(item);
    await expect(storefront.item(item)).toContainText('Signed off');
  }
  await expect(storefront.progress).toHaveText('9 of 9 answered');
  expect(await readiness()).toBe('pass');
  const service = new ServicePage(page);
  await service.goto('storefront');
  await expect(service.checkRow('self_assessment_current')).toContainText('Pass');
  await expect(service.checkRow('self_assessment_current')).toContainText('Self-attested');

  // An answer given here is the admin's own: it waits for someone else's sign-off.
  await checklist.goto('shop');
  const row = storefront.item('capacity_plan');
  await row.getByLabel('Capacity plan: answer').selectOption('no');
  await storefront.saveButton('capacity_plan').click();
  await expect(row).toContainText('Awaiting review');
  await expect(row.getByRole('button', { name: 'Sign off capacity_plan' })).toHaveCount(0);
  await expect(storefront.progress).toHaveText('9 of 9 answered, 1 awaiting review');
});
