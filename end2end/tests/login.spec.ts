import { expect, test } from '@playwright/test';

const password = process.env.ORBITAL_ADMIN_PASSWORD ?? '';

// Every test here starts logged out.
test.use({ storageState: { cookies: [], origins: [] } });

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a page asks for a login, refuses a wrong password, and goes on to the page after it', async ({ page }) => {
    await page.goto('/clusters?sort=name');
    await expect(page).toHaveURL(/\/login\?next=\/clusters%3Fsort%3Dname$/);
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('login-problem')).toHaveText('The username or password is wrong.');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/clusters\?sort=name$/);
    await expect(page.getByTestId('user-name')).toHaveText('admin');
    await expect(page.getByRole('heading', { name: 'Clusters', level: 1 })).toBeVisible();

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/clusters');
    await expect(page).toHaveURL(/\/login\?next=\/clusters$/);
  });
});

test.describe('with JavaScript', () => {
  test('the hydrated login form logs in', async ({ page }) => {
    await page.goto('/login?next=/pods');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/pods$/);
    await expect(page.getByTestId('user-name')).toHaveText('admin');
  });
});
