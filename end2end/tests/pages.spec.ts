import { expect, test, type APIRequestContext } from '@playwright/test';

// A small, known organisation: two services of one team, one SLO, one incident, two actions.
async function load(request: APIRequestContext) {
  const batches: [string, unknown[]][] = [
    ['teams', [{ slug: 'shop', name: 'Shop' }]],
    [
      'services',
      [
        { slug: 'storefront', name: 'Storefront', tier: 0, team: 'shop' },
        { slug: 'catalog', name: 'Catalog', tier: 1, team: 'shop' },
      ],
    ],
    [
      'slos',
      [{ service: 'storefront', slug: 'availability', name: 'Availability', indicator: 'availability', objective: 99.5, window_days: 28 }],
    ],
    [
      'slo-measurements',
      [
        { service: 'storefront', slo: 'availability', day: '2026-07-01', good: 998, total: 1000 },
        { service: 'storefront', slo: 'availability', day: '2026-07-02', good: 990, total: 1000 },
      ],
    ],
    [
      'incidents',
      [
        {
          external_id: 'SHOP-1', title: 'Storefront checkout errors', severity: 'SEV1', services: ['storefront'],
          started_at: '2026-07-02T10:00:00Z', detected_at: '2026-07-02T10:04:00Z',
          acknowledged_at: '2026-07-02T10:10:00Z', mitigated_at: '2026-07-02T10:40:00Z', resolved_at: '2026-07-02T11:00:00Z',
        },
      ],
    ],
    [
      'actions',
      [
        { external_id: 'SHOP-A1', incident: 'SHOP-1', service: 'storefront', title: 'Add a canary', due_date: '2026-08-01', status: 'open' },
        { external_id: 'SHOP-A2', incident: 'SHOP-1', service: 'storefront', title: 'Alert on 5xx', due_date: '2026-07-20', status: 'done', completed_at: '2026-07-19T12:00:00Z' },
      ],
    ],
  ];
  for (const [kind, rows] of batches) {
    const response = await request.post(`/api/v1/${kind}`, { data: rows });
    expect(response.status(), `${kind}: ${await response.text()}`).toBe(200);
  }
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  await load(request);
});

test('the services list filters, sorts and links to a service', async ({ page }) => {
  await page.goto('/services?period=2026-Q3&team=shop&sort=service');
  const rows = page.locator('table.services tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).locator('code')).toHaveText('catalog');
  await expect(rows.nth(1).locator('code')).toHaveText('storefront');

  // The active column's link is named with its direction ("Service ▲").
  await page.locator('thead').getByRole('link', { name: /^Service\b/ }).click();
  await expect(page).toHaveURL(/desc=1/);
  await expect(rows.nth(0).locator('code')).toHaveText('storefront');

  await page.getByLabel('Tier').selectOption('1');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/tier=1/);
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0).locator('code')).toHaveText('catalog');

  await page.goto('/services?period=2026-Q3&team=shop');
  await page.getByRole('link', { name: 'storefront' }).click();
  await expect(page).toHaveURL(/\/services\/storefront\?period=2026-Q3$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Storefront' })).toBeVisible();
});

test('a service page shows the scorecard, SLO, incidents and overdue actions of the period', async ({ page, request }) => {
  const api = await (await request.get('/api/v1/services/storefront/scorecard?period=2026-Q3')).json();
  const card = api.scorecards[0];

  await page.goto('/services/storefront?period=2026-Q3');
  await expect(page.getByTestId('score')).toHaveText(`${card.score} / 100`);
  for (const check of card.checks) {
    await expect(page.locator(`tr[data-check="${check.id}"]`)).toContainText(check.explanation);
  }
  // (998 + 990) / 2000 = 99.400 %, below the 99.5 % objective.
  const slo = page.locator('article[data-slo="availability"]');
  await expect(slo).toContainText('99.400 %');
  await expect(slo).toContainText('Missed');
  await expect(slo.getByRole('img', { name: /availability: daily attainment/ })).toBeVisible();

  const incident = page.locator('tr[data-incident="SHOP-1"]');
  await expect(incident).toContainText('Storefront checkout errors');
  await expect(incident).toContainText('4 min');
  await expect(incident).toContainText('60 min');
  // Due 2026-08-01, still open: 61 days overdue when the quarter ends (2026-10-01).
  const overdue = page.locator('tr[data-action="SHOP-A1"]');
  await expect(overdue).toHaveClass(/overdue/);
  await expect(overdue).toContainText('61 days overdue');
  await expect(page.locator('tr[data-action="SHOP-A2"]')).not.toHaveClass(/overdue/);

  // The period picker changes the URL and the figures: nothing started in Q4.
  await page.getByRole('combobox', { name: 'Period' }).selectOption('2026-Q4');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/period=2026-Q4/);
  await expect(page.getByRole('heading', { name: 'Incidents (0)' })).toBeVisible();
});

test('an unknown service answers 404 with a way back', async ({ page }) => {
  const response = await page.goto('/services/no-such-service');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('alert')).toHaveText("There is no service 'no-such-service'.");
  await expect(page.getByRole('link', { name: 'All services' })).toBeVisible();
});

test('the overview shows the org KPIs of the chosen period, linked to their records', async ({ page, request }) => {
  const kpis = async (period: string) => (await (await request.get(`/api/v1/kpis?period=${period}&scope=org`)).json()).kpis;
  await page.goto('/?period=2026-Q3');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reliability overview · 2026-Q3');
  const high = page.locator('li[data-kpi="high_sev_count"] a.kpi-value');
  await expect(high).toHaveText(String((await kpis('2026-Q3')).high_sev_count));
  await expect(page.locator('li[data-kpi="overdue_actions"] a.kpi-value')).toHaveText(
    String((await kpis('2026-Q3')).overdue_actions.count),
  );
  // Levels by tier and the trend charts, each labelled.
  await expect(page.getByRole('table', { name: 'Scorecard levels by tier (services)' })).toBeVisible();
  await expect(page.getByRole('img', { name: /SEV0–1 incidents by period/ })).toBeVisible();

  // The period picker is a form: the period lands in the URL and the figures follow it.
  await page.getByRole('combobox', { name: 'Period' }).selectOption('2026-07');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect(page).toHaveURL(/\?period=2026-07$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reliability overview · 2026-07');
  await expect(high).toHaveText(String((await kpis('2026-07')).high_sev_count));
});

test('a team page lists its services, what to fix next and its risks', async ({ page, request }) => {
  const cards = await (await request.get('/api/v1/scorecards?period=2026-Q3&team=shop')).json();
  await page.goto('/teams/shop?period=2026-Q3');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Shop · 2026-Q3');
  await expect(page.getByTestId('team-summary')).toHaveText(/^2 services/);
  const fixes = page.locator('ol.fix-list > li');
  await expect(fixes).toHaveCount(Math.min(cards.fix_next.length, 25));
  await expect(fixes.first()).toHaveAttribute('data-check', cards.fix_next[0].check);
  await expect(fixes.first()).toHaveAttribute('data-service', cards.fix_next[0].service);
  // SHOP-A1 was due 2026-08-01 and is still open: 61 days overdue when the quarter ends.
  await expect(page.getByTestId('risk-overdue')).toContainText('SHOP-A1');
  await expect(page.getByTestId('risk-overdue')).toContainText('61 days overdue');
  // Only this team's SEV1.
  await expect(page.locator('li[data-kpi="high_sev_count"] a.kpi-value')).toHaveText('1');
});

test('a KPI drill-down lists the records behind the value, with the filter used', async ({ page }) => {
  await page.goto('/teams/shop?period=2026-Q3');
  await page.locator('li[data-kpi="high_sev_count"] a.kpi-value').click();
  await expect(page).toHaveURL(/\/kpis\/high_sev_count\?period=2026-Q3&scope=team%3Ashop$/);
  await expect(page.getByTestId('kpi-value')).toHaveText('1');
  await expect(page.getByTestId('kpi-filter')).toContainText('started_at in [2026-07-01T00:00:00Z, 2026-10-01T00:00:00Z)');
  await expect(page.getByTestId('kpi-counts')).toHaveText('1 listed, 1 in the population, 1 counted');
  const rows = page.locator('table.population tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('SHOP-1');
  await expect(rows.first()).toContainText('SEV1');
});

/** The text of a PDF, read by pdf.js (an independent parser: a malformed file fails here). */
async function pdfText(bytes: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= document.numPages; n++) {
    const content = await (await document.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  return pages.join('\n');
}

test('the quarterly report prints, and its server-made PDF downloads with the figures', async ({ page, request }) => {
  await page.goto('/reports/2026-Q3');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Quarterly reliability report · 2026-Q3');
  await expect(page.getByTestId('report-status')).toContainText('Draft.');
  const kpis = (await (await request.get('/api/v1/kpis?period=2026-Q3&scope=org')).json()).kpis;
  await expect(page.locator('tr[data-kpi="high_sev_count"] td').first()).toHaveText(String(kpis.high_sev_count));
  await expect(page.locator('tr[data-incident="SHOP-1"]')).toContainText('Storefront checkout errors');
  await expect(page.locator('tr[data-team="shop"]')).toContainText('Shop');

  // The print view: chrome hidden, and Chromium makes a PDF of it.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.site-header')).toBeHidden();
  const printed = await page.pdf({ format: 'A4' });
  expect(printed.subarray(0, 5).toString()).toBe('%PDF-');
  expect(await pdfText(printed)).toContain('Quarterly reliability report');
  await page.emulateMedia({ media: 'screen' });

  // The server's own PDF, downloaded as a user would.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download PDF' }).click()]);
  expect(download.suggestedFilename()).toBe('plumbline-report-2026-Q3.pdf');
  const fs = await import('node:fs');
  const bytes = fs.readFileSync(await download.path());
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  const text = await pdfText(bytes);
  for (const expected of ['Quarterly reliability report', '2026-Q3', 'SHOP-1', 'Storefront checkout errors', 'Shop', 'Definitions']) {
    expect(text).toContain(expected);
  }
});

test('the import page previews a bad file without writing, then applies a good one', async ({ page, request }) => {
  const teamSlugs = async () =>
    ((await (await request.get('/api/v1/teams?limit=1000')).json()).items as { slug: string }[]).map((t) => t.slug);
  await page.goto('/import');
  await expect(page.getByRole('heading', { level: 1, name: 'Import' })).toBeVisible();
  await page.getByLabel('Record kind', { exact: true }).selectOption('teams');

  // A bad row: previewed with its row, field and message; nothing written; Apply stays off.
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'teams-bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('slug,name\nimport-e2e-ok,Fine\nNot A Slug,Broken\n'),
  });
  await page.getByRole('button', { name: 'Preview (dry run)' }).click();
  await expect(page.getByTestId('import-summary')).toContainText('problem(s) in 2 rows: nothing was written');
  const problems = page.getByRole('table', { name: 'Row problems' }).locator('tbody tr');
  await expect(problems).toHaveCount(1);
  await expect(problems.first()).toContainText('2');
  await expect(problems.first()).toContainText('slug');
  await expect(page.getByRole('button', { name: 'Apply' })).toBeDisabled();
  expect(await teamSlugs()).not.toContain('import-e2e-ok');

  // A good file: the preview counts it, Apply writes exactly it, the history shows the batch.
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'teams-good.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('slug,name\nimport-e2e-ok,Fine\nimport-e2e-two,Two\n'),
  });
  await page.getByRole('button', { name: 'Preview (dry run)' }).click();
  await expect(page.getByTestId('import-summary')).toContainText('Preview: 2 rows, all valid — 2 would be created');
  expect(await teamSlugs()).not.toContain('import-e2e-ok');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('import-summary')).toContainText(/Applied as import batch \d+: 2 rows — 2 created/);
  expect(await teamSlugs()).toEqual(expect.arrayContaining(['import-e2e-ok', 'import-e2e-two']));
  const latest = page.getByRole('table', { name: /Import batches/ }).locator('tbody tr').first();
  await expect(latest).toContainText('teams-good.csv');
  await expect(latest).toContainText('applied');
});

test('the import page detects a Statuspage export and maps an unknown component through its options', async ({ page, request }) => {
  await load(request);
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
  await page.goto('/import');
  await page.getByLabel('Record kind', { exact: true }).selectOption('incidents');
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'incidents.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(statuspage)),
  });
  await page.getByLabel('Source', { exact: true }).fill('status-e2e');
  await page.getByRole('button', { name: 'Preview (dry run)' }).click();
  // Detected as Statuspage (a native JSON body must be an array): the unknown component is a row problem.
  await expect(page.getByTestId('import-summary')).toContainText('problem(s) in 1 rows: nothing was written');
  await expect(page.getByRole('table', { name: 'Row problems' })).toContainText('Legacy Web');

  await page.getByText('Options for OpenSLO, Statuspage and PagerDuty files').click();
  await page.getByLabel('Service map', { exact: true }).fill('Legacy Web=catalog');
  await page.getByRole('button', { name: 'Preview (dry run)' }).click();
  await expect(page.getByTestId('import-summary')).toContainText('Preview: 1 rows, all valid — 1 would be created');
  await expect(page.getByRole('list', { name: 'Notes on the file' })).toContainText('shortlink');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('import-summary')).toContainText(/Applied as import batch \d+: 1 rows — 1 created/);
  const latest = page.getByRole('table', { name: /Import batches/ }).locator('tbody tr').first();
  await expect(latest).toContainText('incidents.json (statuspage)');

  const listed = await (await request.get('/api/v1/incidents?source=status-e2e')).json();
  const incident = listed.items.find((i: { external_id: string }) => i.external_id === 'e2e-sp-1');
  expect(incident.services).toEqual(['catalog', 'storefront']);
  expect(incident.severity).toBe('SEV1');
  expect(incident.timeline).toHaveLength(1);
});

test('the theme switch cycles system, light and dark, and the choice survives a reload', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/services');
  const html = page.locator('html');
  const toggle = page.getByRole('button', { name: /^Theme: / });
  await expect(toggle).toHaveText('Theme: system');
  await expect(html).not.toHaveAttribute('data-theme', /./);
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(15, 19, 24)');
  // Rendered dark by the server from the cookie: no flash of the light theme.
  const response = await page.reload();
  expect(await response?.text()).toContain('data-theme="dark"');
  await expect(toggle).toHaveText('Theme: dark');
  await toggle.click();
  await expect(html).not.toHaveAttribute('data-theme', /./);
  await expect(toggle).toHaveText('Theme: system');
});

test('ingested markup is shown as text on every page and never runs', async ({ page, request }) => {
  const script = '<script>window.__pwned = 1</script>';
  const svg = '"><svg onload="window.__pwned = 2">';
  const batches: [string, unknown[]][] = [
    ['teams', [{ slug: 'xss', name: script }]],
    ['services', [{ slug: 'xss-svc', name: svg, tier: 0, team: 'xss' }]],
    ['slos', [{ service: 'xss-svc', slug: 'avail', name: svg, indicator: 'availability', objective: 99.9, window_days: 28 }]],
    ['slo-measurements', [{ service: 'xss-svc', slo: 'avail', day: '2026-07-01', good: 900, total: 1000 }]],
    [
      'incidents',
      [{ external_id: 'XSS-1', title: script + svg, severity: 'SEV1', services: ['xss-svc'], started_at: '2026-07-03T00:00:00Z' }],
    ],
    ['actions', [{ external_id: 'XSS-A1', service: 'xss-svc', title: svg, due_date: '2026-07-10', status: 'open' }]],
  ];
  for (const [kind, rows] of batches) {
    const response = await request.post(`/api/v1/${kind}`, { data: rows });
    expect(response.status(), `${kind}: ${await response.text()}`).toBe(200);
  }
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  for (const url of [
    '/?period=2026-Q3',
    '/services?period=2026-Q3&team=xss',
    '/services/xss-svc?period=2026-Q3',
    '/teams/xss?period=2026-Q3',
    '/kpis/high_sev_count?period=2026-Q3&scope=team%3Axss',
    '/reports/2026-Q3',
  ]) {
    await page.goto(url);
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), url).toBeUndefined();
    expect(await page.locator('main svg[onload]').count(), url).toBe(0);
    expect(await page.locator('main script').count(), url).toBe(0);
  }
  expect(dialogs).toEqual([]);
  // Shown as the text it is.
  await page.goto('/teams/xss?period=2026-Q3');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(script);
  await page.goto('/services/xss-svc?period=2026-Q3');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(svg);
  await expect(page.locator('tr[data-incident="XSS-1"]')).toContainText(script + svg);
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

  await page.goto('/teams/shop/self-assessment');
  const storefront = page.locator('section[data-service="storefront"]');
  await expect(storefront.getByTestId('readiness-progress')).toHaveText('9 of 9 answered, 9 awaiting review');
  // The local admin (another person than eve) signs each answer off.
  for (const item of items) {
    await storefront.getByRole('button', { name: `Sign off ${item}` }).click();
    await expect(storefront.locator(`tr[data-item="${item}"]`)).toContainText('Signed off');
  }
  await expect(storefront.getByTestId('readiness-progress')).toHaveText('9 of 9 answered');
  expect(await readiness()).toBe('pass');
  await page.goto('/services/storefront');
  await expect(page.locator('tr[data-check="self_assessment_current"]')).toContainText('Pass');
  await expect(page.locator('tr[data-check="self_assessment_current"]')).toContainText('Self-attested');

  // An answer given here is the admin's own: it waits for someone else's sign-off.
  await page.goto('/teams/shop/self-assessment');
  const row = storefront.locator('tr[data-item="capacity_plan"]');
  await row.getByLabel('Capacity plan: answer').selectOption('no');
  await row.getByRole('button', { name: 'Save capacity_plan' }).click();
  await expect(row).toContainText('Awaiting review');
  await expect(row.getByRole('button', { name: 'Sign off capacity_plan' })).toHaveCount(0);
  await expect(storefront.getByTestId('readiness-progress')).toHaveText('9 of 9 answered, 1 awaiting review');
});

// Screenshots for a person to look at, in test-results/ (not committed).
for (const [name, viewport] of [
  ['desktop', { width: 1440, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const) {
  test(`screenshots of the pages (${name})`, async ({ page }, testInfo) => {
    await page.setViewportSize(viewport);
    for (const [label, url] of [
      ['overview', '/?period=2026-Q3'],
      ['services', '/services?period=2026-Q3&team=shop'],
      ['service', '/services/storefront?period=2026-Q3'],
      ['team', '/teams/shop?period=2026-Q3'],
      ['drill-down', '/kpis/overdue_actions?period=2026-Q3'],
      ['report', '/reports/2026-Q3'],
      ['import', '/import'],
      ['self-assessment', '/teams/shop/self-assessment'],
    ]) {
      await page.goto(url);
      await page.screenshot({ path: testInfo.outputPath(`${label}-${name}.png`), fullPage: true });
      // Nothing wider than the viewport: the page scrolls vertically only.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${label} overflows horizontally at ${name}`).toBeLessThanOrEqual(0);
    }
  });
}
