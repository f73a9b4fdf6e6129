import { expect, test } from '@playwright/test';

test.describe('pods across clusters', () => {
  test('rows name their cluster and the filters narrow them, without JavaScript', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();

    // Every embedded cluster runs the seeded demo shop: three `web` pods each.
    await page.goto('/pods?namespace=demo&labels=app.kubernetes.io%2Fname%3Dweb');
    const clusters = page.getByTestId('pod-cluster');
    await expect(clusters).toHaveCount(9);
    const names = new Set(await clusters.allTextContents());
    expect([...names].sort()).toEqual(['host', 'member-1', 'member-2']);
    await expect(page.getByTestId('pods-total')).toHaveText('9 pods');

    await page.goto('/pods?cluster=member-1&namespace=demo&name=db-&sort=name');
    await expect(page.getByTestId('pod-row')).toHaveCount(2);
    await expect(clusters).toHaveText(['member-1', 'member-1']);
    await expect(page.getByTestId('pod-row').first()).toContainText('db-0');
    await expect(page.getByTestId('pod-row').first()).toContainText('Running');
    await context.close();
  });

  test('the filter form applies in place with JavaScript', async ({ page }) => {
    await page.goto('/pods');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    await page.getByLabel('Cluster', { exact: true }).fill('member-2');
    await page.getByLabel('Name contains').fill('coredns');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/cluster=member-2/);
    await expect(page.getByTestId('pod-row')).toHaveCount(2);
    await expect(page.getByTestId('pod-cluster')).toHaveText(['member-2', 'member-2']);
  });

  test('a malformed label selector says so', async ({ page }) => {
    await page.goto('/pods?labels=app%20in%20web');
    await expect(page.getByRole('alert')).toContainText('the label selector is not valid');
  });
});
