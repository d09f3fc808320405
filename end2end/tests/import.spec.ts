import { expect, test } from '@playwright/test';
import { ImportPage } from './fixtures/import-page';
import { loadShop } from './fixtures/shop-data';

// The Statuspage import adds a SEV1 incident of the shop team, which the team and drill-down
// specs count: this spec runs in the `import` project, after the `pages` project (see
// playwright.config.ts). In order: each test's newest import batch is its own.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await loadShop(request);
});

test('the import page previews a bad file without writing, then applies a good one', async ({ page, request }) => {
  const teamSlugs = async () =>
    ((await (await request.get('/api/v1/teams?limit=1000')).json()).items as { slug: string }[]).map((t) => t.slug);
  const importPage = new ImportPage(page);
  await importPage.goto();
  await expect(importPage.heading).toBeVisible();
  await importPage.chooseKind('teams');

  // A bad row: previewed with its row, field and message; nothing written; Apply stays off.
  await importPage.chooseFile('teams-bad.csv', 'text/csv', 'slug,name\nimport-e2e-ok,Fine\nNot A Slug,Broken\n');
  await importPage.preview();
  await expect(importPage.summary).toContainText(/\d+ problems? in 2 rows: nothing was written/);
  await expect(importPage.problems).toHaveCount(1);
  await expect(importPage.problems.first()).toContainText('2');
  await expect(importPage.problems.first()).toContainText('slug');
  await expect(importPage.applyButton).toBeDisabled();
  expect(await teamSlugs()).not.toContain('import-e2e-ok');

  // A good file: the preview counts it, Apply writes exactly it, the history shows the batch.
  await importPage.chooseFile('teams-good.csv', 'text/csv', 'slug,name\nimport-e2e-ok,Fine\nimport-e2e-two,Two\n');
  await importPage.preview();
  await expect(importPage.summary).toContainText('Preview: 2 rows, all valid — 2 would be created');
  expect(await teamSlugs()).not.toContain('import-e2e-ok');
  await importPage.apply();
  await expect(importPage.summary).toContainText(/Applied as import batch \d+: 2 rows — 2 created/);
  expect(await teamSlugs()).toEqual(expect.arrayContaining(['import-e2e-ok', 'import-e2e-two']));
  await expect(importPage.latestBatch).toContainText('teams-good.csv');
  await expect(importPage.latestBatch).toContainText('applied');
});

test('the import page detects a Statuspage export and maps an unknown component through its options', async ({ page, request }) => {
  await loadShop(request);
  const statuspage = {
    page: { id: 'e2e', name: 'Shop status' },
    incidents: [
      {
        id: 'e2e-sp-1', name: 'Storefront and legacy web down', status: 'resolved', impact: 'critical',
        created_at: '2026-07-03T10:05:00Z', started_at: '2026-07-03T10:00:00Z', resolved_at: '2026-07-03T10:50:00Z',
        shortlink: 'https://stspg.io/e2e',
        incident_updates: [{ status: 'resolved', body: 'Fixed.', created_at: '2026-07-03T10:50:00Z' }],
        components: [{ name: 'Storefront' }, { name: 'Legacy Web' }],
      },
    ],
  };
  const importPage = new ImportPage(page);
  await importPage.goto();
  await importPage.chooseKind('incidents');
  await importPage.chooseFile('incidents.json', 'application/json', JSON.stringify(statuspage));
  await importPage.source.fill('status-e2e');
  await importPage.preview();
  // Detected as Statuspage (a native JSON body must be an array): the unknown component is a row problem.
  await expect(importPage.summary).toContainText(/\d+ problems? in 1 row: nothing was written/);
  await expect(importPage.problemsTable).toContainText('Legacy Web');

  await importPage.mapServices('Legacy Web=catalog');
  await importPage.preview();
  await expect(importPage.summary).toContainText('Preview: 1 rows, all valid — 1 would be created');
  await expect(importPage.notes).toContainText('shortlink');
  await importPage.apply();
  await expect(importPage.summary).toContainText(/Applied as import batch \d+: 1 rows — 1 created/);
  await expect(importPage.latestBatch).toContainText('incidents.json (statuspage)');

  const listed = await (await request.get('/api/v1/incidents?source=status-e2e')).json();
  const incident = listed.items.find((i: { external_id: string }) => i.external_id === 'e2e-sp-1');
  expect(incident.services).toEqual(['catalog', 'storefront']);
  expect(incident.severity).toBe('SEV1');
  expect(incident.timeline).toHaveLength(1);
});
