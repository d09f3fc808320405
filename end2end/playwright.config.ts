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

export default defineConfig({
  testDir: 'tests',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
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
  // All specs share one server and database: the hydration spec expects it empty, so it
  // runs first and the API spec, which adds data, after it.
  projects: [
    { name: 'hydration', testMatch: /hydration\.spec\.ts$/ },
    { name: 'api', testMatch: /api\.spec\.ts$/, dependencies: ['hydration'] },
  ],
  webServer: externalBaseURL
    ? undefined
    : {
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
        stdout: 'pipe',
        stderr: 'pipe',
      },
});
