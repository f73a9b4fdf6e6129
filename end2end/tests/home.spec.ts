import { expect, test } from '@playwright/test';

test.describe('with JavaScript', () => {
  test('hydrates, and a click shows the server function answer without a reload', async ({ page }) => {
    let documentLoads = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) documentLoads += 1;
    });

    await page.goto('/');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    await page.evaluate(() => ((window as unknown as { orbitalMarker: string }).orbitalMarker = 'kept'));

    const answer = page.getByTestId('status-answer');
    await expect(answer).toHaveText(/^Server ready, up \d+ s\.$/);
    await expect(page.getByTestId('status-connection')).toHaveText('answering');
    await expect(page.getByTestId('status-clusters')).toHaveText(/^\d+ of \d+$/);
    await page.getByRole('button', { name: 'Check server status' }).click();
    await expect(answer).toHaveText(/^Server ready, up \d+ s \(check 1\)\.$/);
    await page.getByRole('button', { name: 'Check server status' }).click();
    await expect(answer).toHaveText(/\(check 2\)\.$/);

    const marker = await page.evaluate(() => (window as unknown as { orbitalMarker?: string }).orbitalMarker);
    expect(marker).toBe('kept');
    expect(documentLoads).toBe(1);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the server renders the console overview', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Orbital' })).toBeVisible();
    await expect(page.getByTestId('mode-badge')).toHaveText('host mode');
    await expect(page.getByTestId('console-mode')).toHaveText('host');
    await expect(page.getByTestId('console-version')).toHaveText(/^\d+\.\d+\.\d+/);
    await expect(page.getByTestId('status-answer')).toHaveText(/^Server ready, up \d+ s\.$/);
    await expect(page.getByTestId('status-connection')).toHaveText('answering');
    await expect(page.locator('.console[data-hydrated]')).toHaveCount(0);
  });

  test('an unknown page answers 404 with a helpful page', async ({ page }) => {
    const response = await page.goto('/no/such/page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });
});
