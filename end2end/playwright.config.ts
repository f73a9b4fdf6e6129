import { defineConfig } from '@playwright/test';

// scripts/test starts a release build of the console and passes its address here.
const baseURL = process.env.ORBITAL_URL;
if (!baseURL) {
  throw new Error('ORBITAL_URL is not set: run the suite through scripts/test, or point it at a running console');
}

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  // Known bug, open: now and then an object's page, soon after hydration, reads itself again on
  // a live change but does not render what it read, so a journey that watches the page follow
  // the cluster fails. CI tries a failed group again (the report names it flaky) until it is fixed.
  retries: process.env.CI ? 2 : 0,
  workers: 1,
  reporter: 'list',
  use: {
    baseURL,
    // The admin's session, made once by global-setup.ts.
    storageState: 'test-results/.admin-session.json',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
