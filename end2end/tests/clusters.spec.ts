import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

// scripts/end2end starts a sandbox cluster beside the console and passes its kubeconfig here,
// and the embedded host cluster's too.
const extraKubeconfig = process.env.ORBITAL_EXTRA_KUBECONFIG;

test.describe('clusters', () => {
  test('the host lists its three clusters, all Ready, without JavaScript too', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // The first probes land within seconds of start; without JavaScript, reload to see them.
    await expect(async () => {
      await page.goto('/clusters');
      for (const name of ['host', 'member-1', 'member-2']) {
        const row = page.getByTestId(`cluster-${name}`);
        await expect(row.getByTestId('cluster-state')).toHaveText('Ready', { timeout: 1_000 });
        await expect(row).toContainText('v1.32.0', { timeout: 1_000 });
      }
    }).toPass({ timeout: 20_000 });
    await expect(page.getByTestId('clusters').locator('tbody tr')).toHaveCount(3);
    await context.close();
  });

  test('an invalid kubeconfig is refused with the reason beside the form', async ({ page }) => {
    await page.goto('/clusters');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    const form = page.getByRole('region', { name: 'Join a cluster', exact: true });
    await form.getByLabel('Name').fill('broken');
    await form.getByLabel('Kubeconfig').fill('this is not a kubeconfig');
    await form.getByRole('button', { name: 'Join cluster' }).click();
    await expect(page.getByRole('alert')).toContainText('the kubeconfig cannot be used');
    await expect(page.getByTestId('cluster-broken')).toHaveCount(0);
  });

  test('joining a fourth cluster from its kubeconfig makes it appear and turn Ready', async ({ page }) => {
    expect(extraKubeconfig, 'ORBITAL_EXTRA_KUBECONFIG names the extra cluster').toBeTruthy();
    await page.goto('/clusters');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    const form = page.getByRole('region', { name: 'Join a cluster', exact: true });
    await form.getByLabel('Name').fill('member-3');
    await form.getByLabel('Kubeconfig').fill(readFileSync(extraKubeconfig as string, 'utf8'));
    await form.getByLabel('Provider').fill('sandbox');
    await form.getByRole('button', { name: 'Join cluster' }).click();
    await expect(page.getByTestId('join-outcome')).toHaveText('Joined member-3.');
    const row = page.getByTestId('cluster-member-3');
    await expect(row).toBeVisible();
    // The health loop probes every 5 s and the page refreshes every 3 s.
    await expect(row.getByTestId('cluster-state')).toHaveText('Ready', { timeout: 20_000 });

    await row.getByRole('link', { name: 'member-3' }).click();
    await expect(page.getByRole('heading', { name: 'member-3' })).toBeVisible();
    await expect(page.getByTestId('cluster-facts')).toContainText('sandbox');
  });

  test('joining a cluster through an agent shows, once, how to run its agent', async ({ page }) => {
    await page.goto('/clusters');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    const form = page.getByRole('region', { name: 'Join a cluster through an agent' });
    await form.getByLabel('Name').fill('edge-1');
    await form.getByLabel('Provider').fill('on-prem');
    await form.getByRole('button', { name: 'Join through an agent' }).click();
    await expect(page.getByTestId('join-agent-outcome')).toHaveText(
      'Joined edge-1: run its agent as below.',
    );
    await expect(page.getByTestId('agent-command')).toContainText("orbital agent --host-url 'http");
    await expect(page.getByTestId('agent-manifest')).toContainText('kind: Deployment');
    // No agent has dialled in yet, and the list says so.
    const row = page.getByTestId('cluster-edge-1');
    await expect(row).toContainText('Agent');
    await expect(row).toContainText('AgentDisconnected', { timeout: 20_000 });

    // Removed again, so that the other journeys see the embedded clusters only.
    await page.goto('/clusters/edge-1');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    await page.getByLabel("Type the cluster's name to confirm").fill('edge-1');
    await page.getByRole('button', { name: 'Remove cluster' }).click();
    await expect(page).toHaveURL(/\/clusters$/);
    await expect(page.getByTestId('cluster-edge-1')).toHaveCount(0);
  });

  test('a member is edited, its kubeconfig replaced, and then removed', async ({ page }) => {
    await page.goto('/clusters/member-3');
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();

    await page.getByLabel('Labels').fill('env=edge\nteam=platform');
    await page.getByLabel('Description').fill('Joined by the end-to-end tests');
    await page.getByRole('button', { name: 'Save details' }).click();
    await expect(page.getByTestId('details-outcome')).toHaveText('Saved.');
    await expect(page.getByTestId('cluster-labels')).toHaveText('env=edge, team=platform');
    await page.getByLabel('Labels').fill('Not A Label');
    await page.getByRole('button', { name: 'Save details' }).click();
    await expect(page.getByTestId('details-outcome')).toContainText('is not a label: write key=value');

    // A kubeconfig for another cluster is refused; one for the same cluster replaces the old.
    const hostKubeconfig = process.env.ORBITAL_HOST_KUBECONFIG as string;
    await page.getByLabel('New kubeconfig').fill(readFileSync(hostKubeconfig, 'utf8'));
    await page.getByRole('button', { name: 'Replace kubeconfig' }).click();
    await expect(page.getByTestId('rotate-outcome')).toContainText('reaches a different cluster');
    await page.getByLabel('New kubeconfig').fill(readFileSync(extraKubeconfig as string, 'utf8'));
    await page.getByRole('button', { name: 'Replace kubeconfig' }).click();
    await expect(page.getByTestId('rotate-outcome')).toHaveText('The kubeconfig was replaced.');

    await page.getByLabel("Type the cluster's name to confirm").fill('member-2');
    await page.getByRole('button', { name: 'Remove cluster' }).click();
    await expect(page.getByTestId('remove-outcome')).toContainText("type the cluster's name");
    await page.getByLabel("Type the cluster's name to confirm").fill('member-3');
    await page.getByRole('button', { name: 'Remove cluster' }).click();
    await expect(page).toHaveURL(/\/clusters$/);
    await expect(page.getByTestId('cluster-member-2')).toBeVisible();
    await expect(page.getByTestId('cluster-member-3')).toHaveCount(0);
  });

  test('a cluster the console does not serve is a 404 page', async ({ page }) => {
    const response = await page.goto('/clusters/nowhere');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });
});
