import { expect, test } from '@playwright/test';

test.describe('resources across clusters', () => {
  test('rows name their cluster and the filters narrow them, without JavaScript', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();

    // Every embedded cluster runs the seeded demo shop: three `web` pods each.
    await page.goto('/pods?namespace=demo&labels=app.kubernetes.io%2Fname%3Dweb');
    const clusters = page.getByTestId('row-cluster');
    await expect(clusters).toHaveCount(9);
    const names = new Set(await clusters.allTextContents());
    expect([...names].sort()).toEqual(['host', 'member-1', 'member-2']);
    await expect(page.getByTestId('resources-total')).toHaveText('9 pods');

    await page.goto('/pods?cluster=member-1&namespace=demo&name=db-&sort=name');
    await expect(page.getByTestId('resource-row')).toHaveCount(2);
    await expect(clusters).toHaveText(['member-1', 'member-1']);
    await expect(page.getByTestId('resource-row').first()).toContainText('db-0');
    await expect(page.getByTestId('resource-row').first()).toContainText('Running');
    // Each row leads to its object's page.
    await page.getByTestId('resource-row').first().getByRole('link', { name: 'db-0' }).click();
    await expect(page).toHaveURL('/clusters/member-1/namespaces/demo/pods/db-0');
    await expect(page.getByTestId('object-heading')).toHaveText('Pod db-0');
    await context.close();
  });

  test('the filter form applies in place with JavaScript', async ({ page }) => {
    await page.goto('/pods');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    await page.getByLabel('Cluster', { exact: true }).fill('member-2');
    await page.getByLabel('Name contains').fill('coredns');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/cluster=member-2/);
    await expect(page.getByTestId('resource-row')).toHaveCount(2);
    await expect(page.getByTestId('row-cluster')).toHaveText(['member-2', 'member-2']);
  });

  test('a malformed label selector says so', async ({ page }) => {
    await page.goto('/pods?labels=app%20in%20web');
    await expect(page.getByRole('alert')).toContainText('the label selector is not valid');
  });

  test('nodes, namespaces, deployments and services are listed across clusters too', async ({ page }) => {
    await page.goto('/deployments?name=web&namespace=demo');
    const rows = page.getByTestId('resource-row');
    await expect(rows).toHaveCount(3);
    await expect(page.getByTestId('row-cluster')).toHaveText(['host', 'member-1', 'member-2']);
    await expect(rows.first()).toContainText('3/3 ready');

    await page.goto('/nodes?cluster=member-1');
    await expect(page.getByTestId('resources-total')).toHaveText('3 nodes');
    await expect(rows.first()).toContainText('Ready');
    // Nodes live in no namespace: the page offers no namespace filter.
    await expect(page.getByLabel('Namespace')).toHaveCount(0);

    await page.goto('/namespaces?name=demo');
    await expect(page.getByTestId('row-cluster')).toHaveCount(3);
    await rows.filter({ hasText: 'member-2' }).getByRole('link', { name: 'demo' }).click();
    await expect(page).toHaveURL('/clusters/member-2/namespaces/demo');
    await expect(page.getByTestId('object-heading')).toHaveText('Namespace demo');

    await page.goto('/services?cluster=member-2&namespace=demo&status=ClusterIP');
    await expect(rows.filter({ hasText: 'web' })).toHaveCount(1);
    await page.getByRole('link', { name: 'Pods' }).click();
    await expect(page).toHaveURL(/\/pods$/);
  });

  test('any kind the clusters serve is listed across them at its kubectl address', async ({ page }) => {
    // Each embedded cluster seeds CoreDNS's ConfigMap; the navigation has no page of its own for them.
    await page.goto('/configmaps?name=coredns');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configmaps');
    await expect(page.getByTestId('row-cluster')).toHaveText(['host', 'member-1', 'member-2']);
    await page
      .getByTestId('resource-row')
      .filter({ hasText: 'member-1' })
      .getByRole('link', { name: 'coredns' })
      .click();
    await expect(page).toHaveURL('/clusters/member-1/namespaces/kube-system/configmaps/coredns');
    await expect(page.getByTestId('object-heading')).toHaveText('ConfigMap coredns');

    await page.goto('/gadgets.example.com');
    await expect(page.getByRole('alert')).toContainText('no cluster serves gadgets.example.com');
    const answer = await page.goto('/Not.A.Kind');
    expect(answer?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });
});
