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
