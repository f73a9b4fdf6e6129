import { chromium, type FullConfig } from '@playwright/test';

// Logs in once as the first admin and keeps the session for every test that does not ask
// for another (see storageState in playwright.config.ts).
export default async function globalSetup(config: FullConfig) {
  const { baseURL, launchOptions, storageState } = config.projects[0].use;
  const password = process.env.ORBITAL_ADMIN_PASSWORD;
  if (!password) {
    throw new Error('ORBITAL_ADMIN_PASSWORD is not set: run the suite through scripts/test');
  }
  const browser = await chromium.launch(launchOptions);
  const page = await browser.newPage({ baseURL });
  await page.goto('/login');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('user-name').waitFor();
  await page.context().storageState({ path: storageState as string });
  await browser.close();
}
