import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineConfig } from '@playwright/test';

// Run through `cargo xtask test`, which builds the site and sets PLUMBLINE_BIN and
// LEPTOS_SITE_ROOT. Run by hand, the debug build in ../target is used.
const repoRoot = path.resolve(__dirname, '..');
const serverBin = process.env.PLUMBLINE_BIN ?? path.join(repoRoot, 'target/debug/plumbline');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.join(repoRoot, 'target/site');
const siteAddr = '127.0.0.1:3917';

// Set PLUMBLINE_BASE_URL to test a server you started yourself; otherwise Playwright starts
// one on an empty embedded database in a fresh folder.
const externalBaseURL = process.env.PLUMBLINE_BASE_URL;

// This file is loaded by the runner and again by each worker: workers inherit the folder
// through the environment instead of making their own.
if (!externalBaseURL && !process.env.PLUMBLINE_E2E_DATA_DIR) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-e2e-'));
  process.env.PLUMBLINE_E2E_DATA_DIR = dataDir;
  process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
}

// The `login` project signs in through a real OpenID Connect provider (oidc/provider.mjs on
// 127.0.0.1:3918) against a second server in OIDC mode on its own empty database. Set
// PLUMBLINE_OIDC_BASE_URL to test an OIDC-mode server you started yourself (then start the
// provider yourself too: `node oidc/provider.mjs`).
const oidcSiteAddr = '127.0.0.1:3919';
const oidcIssuer = 'http://127.0.0.1:3918';
const externalOidcBaseURL = process.env.PLUMBLINE_OIDC_BASE_URL;

if (!externalOidcBaseURL && !process.env.PLUMBLINE_E2E_OIDC_DATA_DIR) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plumbline-e2e-oidc-'));
  process.env.PLUMBLINE_E2E_OIDC_DATA_DIR = dataDir;
  process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
}

/**
 * Whether the command line selects `project` (Playwright starts every web server whatever
 * projects run, so `--project hydration` would otherwise also need the provider and the
 * OIDC-mode server to come up).
 */
function projectSelected(project: string): boolean {
  const args = process.argv.slice(2);
  const selected: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--project=')) selected.push(args[i].slice('--project='.length));
    else if (args[i] === '--project') {
      while (i + 1 < args.length && !args[i + 1].startsWith('-')) selected.push(args[++i]);
    }
  }
  if (selected.length === 0) return true;
  return selected.some((pattern) => {
    const glob = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    return new RegExp(`^${glob}$`, 'i').test(project);
  });
}

export default defineConfig({
  testDir: 'tests',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  // A run stuck past this fails with what was still running (a whole run takes about 10 min).
  globalTimeout: 20 * 60_000,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    baseURL: externalBaseURL ?? `http://${siteAddr}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  // The hydration and API specs share one server and database: the hydration spec expects
  // it empty, so it runs first and the API spec, which adds data, after it. The page specs
  // come next on the same server, each loading the same small organisation first
  // (tests/fixtures/shop-data.ts). The import spec adds a SEV1 incident of its team, which the
  // team and drill-down specs count, so it runs after them; the screenshots and the a11y spec
  // look at every page once all that data is in. The login spec has a server of its own (below).
  projects: [
    { name: 'hydration', testMatch: /hydration\.spec\.ts$/ },
    { name: 'api', testMatch: /api\.spec\.ts$/, dependencies: ['hydration'] },
    // Every spec no other project takes (one per page or action: services.spec.ts, …).
    {
      name: 'pages',
      testMatch: /\.spec\.ts$/,
      testIgnore: /[\\/](hydration|api|import|screenshots|a11y|login|workflows|access)\.spec\.ts$/,
      dependencies: ['api'],
    },
    { name: 'import', testMatch: /[\\/]import\.spec\.ts$/, dependencies: ['pages'] },
    { name: 'screenshots', testMatch: /[\\/]screenshots\.spec\.ts$/, dependencies: ['import'] },
    { name: 'a11y', testMatch: /a11y\.spec\.ts$/, dependencies: ['screenshots'] },
    {
      name: 'login',
      testMatch: /login\.spec\.ts$/,
      use: { baseURL: externalOidcBaseURL ?? `http://${oidcSiteAddr}` },
    },
    // People signed in through the provider (editors, admins, a newcomer), on the OIDC server:
    // readiness, waivers, and managing access and API tokens.
    {
      name: 'workflows',
      testMatch: /(workflows|access)\.spec\.ts$/,
      use: { baseURL: externalOidcBaseURL ?? `http://${oidcSiteAddr}` },
      dependencies: ['login'],
    },
  ],
  webServer: [
    // The server the `hydration` and `api` projects use, in local mode.
    ...(externalBaseURL
      ? []
      : [
          {
            command: `"${serverBin}" serve`,
            cwd: repoRoot,
            env: {
              LEPTOS_SITE_ADDR: siteAddr,
              LEPTOS_SITE_ROOT: siteRoot,
              PLUMBLINE_DATA_DIR: process.env.PLUMBLINE_E2E_DATA_DIR ?? '',
              PLUMBLINE_DEMO: 'off',
            },
            url: `http://${siteAddr}/healthz`,
            reuseExistingServer: false,
            timeout: 60_000,
            stdout: 'pipe' as const,
            stderr: 'pipe' as const,
          },
        ]),
    // The `login` project's provider, then its server in OIDC mode (started in this order:
    // the server may read the provider's discovery document at startup).
    ...(externalOidcBaseURL || !(projectSelected('login') || projectSelected('workflows'))
      ? []
      : [
          {
            name: 'OIDC provider',
            command: 'node oidc/provider.mjs',
            cwd: __dirname,
            url: `${oidcIssuer}/.well-known/openid-configuration`,
            reuseExistingServer: false,
            timeout: 30_000,
            stdout: 'pipe' as const,
            stderr: 'pipe' as const,
          },
          {
            name: 'OIDC server',
            command: `"${serverBin}" serve`,
            cwd: repoRoot,
            env: {
              LEPTOS_SITE_ADDR: oidcSiteAddr,
              LEPTOS_SITE_ROOT: siteRoot,
              PLUMBLINE_DATA_DIR: process.env.PLUMBLINE_E2E_OIDC_DATA_DIR ?? '',
              PLUMBLINE_DEMO: 'off',
              PLUMBLINE_PUBLIC_URL: `http://${oidcSiteAddr}`,
              PLUMBLINE_OIDC_ISSUER: oidcIssuer,
              PLUMBLINE_OIDC_CLIENT_ID: 'plumbline-e2e',
              PLUMBLINE_OIDC_CLIENT_SECRET: 'e2e-secret-not-for-production',
              PLUMBLINE_ROLE_GROUPS: 'plumbline-admins:admin,sre:editor,auditors:auditor,staff:viewer',
              PLUMBLINE_TEAM_GROUP_PREFIX: 'team:',
              // The spec signs in over and over from one address.
              PLUMBLINE_SIGN_IN_RATE_PER_MINUTE: '1000',
            },
            url: `http://${oidcSiteAddr}/healthz`,
            reuseExistingServer: false,
            timeout: 60_000,
            stdout: 'pipe' as const,
            stderr: 'pipe' as const,
          },
        ]),
  ],
});
