import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

// Names of this run's own, so that a rerun against the same console starts afresh.
const suffix = Date.now().toString(36);
const user = `wanda-${suffix}`;
const password = `wanda-password-${suffix}`;
const workspace = `team-${suffix}`;
const project = `shop-${suffix}`;

async function hydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
}

test.describe.serial('tenancy', () => {
  test('an admin makes a user, a workspace on member-1, a project in it, and a grant', async ({ page }) => {
    await hydrated(page, '/users');
    const create = page.getByRole('region', { name: 'Create a user' });
    await create.getByLabel('Username').fill(user);
    await create.getByLabel('Display name').fill('Wanda');
    await create.getByLabel('Password').fill(password);
    await create.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByTestId('create-user-outcome')).toHaveText(`Created ${user}.`);
    await expect(page.getByTestId(`user-${user}`)).toContainText('Active');

    await hydrated(page, '/workspaces');
    const form = page.getByRole('region', { name: 'Create a workspace' });
    await form.getByLabel('Name').fill(workspace);
    await form.getByLabel('Clusters').fill('member-1');
    await form.getByLabel('Description').fill('Made by the end-to-end suite');
    await form.getByRole('button', { name: 'Create workspace' }).click();
    await expect(page.getByTestId('create-workspace-outcome')).toHaveText(`Created ${workspace}.`);
    await page.getByTestId(`workspace-${workspace}`).getByRole('link').click();

    await expect(page.getByRole('heading', { name: `Workspace ${workspace}` })).toBeVisible();
    await expect(page.getByTestId('workspace-clusters')).toHaveText('member-1');
    const projectForm = page.getByTestId('create-project-form');
    await projectForm.getByLabel('Project name').fill(project);
    await projectForm.getByLabel('Cluster').selectOption('member-1');
    await projectForm.getByRole('button', { name: 'Create project' }).click();
    await expect(page.getByTestId('create-project-outcome')).toHaveText(`Created ${project} on member-1.`);
    await expect(page.getByTestId(`project-member-1-${project}`)).toBeVisible();

    const members = page.getByTestId('workspace-members');
    await members.getByLabel('User').fill(user);
    await members.getByLabel('Role').selectOption('workspace-viewer');
    await members.getByRole('button', { name: 'Grant role' }).click();
    await expect(members.getByTestId('grant-outcome')).toHaveText(`Granted workspace-viewer to ${user}.`);
    await expect(members.getByTestId(`member-${user}`)).toContainText('workspace-viewer');
  });

  test('the user sees only that workspace, has no edit control, and a forced edit is refused', async ({ browser }) => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await page.goto('/login?next=/workspaces');
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/workspaces$/);
    await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
    await expect(page.getByTestId('user-name')).toHaveText(user);

    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Workspaces' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
    await expect(page.getByTestId('workspaces').locator('tbody tr')).toHaveCount(1);
    await expect(page.getByRole('region', { name: 'Create a workspace' })).toHaveCount(0);

    await page.getByTestId(`workspace-${workspace}`).getByRole('link').click();
    await expect(page.getByTestId(`project-member-1-${project}`)).toBeVisible();
    await expect(page.getByTestId('create-project-form')).toHaveCount(0);
    await expect(page.getByTestId('grant-form')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /Delete|Revoke/ })).toHaveCount(0);

    await hydrated(page, '/namespaces');
    await expect(page.getByRole('cell', { name: project, exact: true })).toBeVisible();
    await expect(page.getByRole('cell', { name: 'demo', exact: true })).toHaveCount(0);
    await expect(page.getByRole('cell', { name: 'kube-system', exact: true })).toHaveCount(0);

    await hydrated(page, '/clusters');
    await expect(page.getByTestId('clusters').locator('tbody tr')).toHaveCount(1);
    await expect(page.getByTestId('cluster-member-1')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Join a cluster' })).toHaveCount(0);
    await hydrated(page, '/clusters/member-1');
    await expect(page.getByTestId('cluster-members')).toContainText('Only those who may read all of it');
    await expect(page.getByTestId('grant-form')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /Save details|Replace kubeconfig|Remove cluster/ })).toHaveCount(0);

    const forced = await page.request.post('/api/projects/create', {
      form: { workspace, cluster: 'member-1', namespace: `forced-${suffix}` },
    });
    expect(forced.status()).toBe(403);
    const removal = await page.request.post('/api/clusters/remove', {
      form: { name: 'member-1', confirm: 'member-1' },
    });
    expect(removal.status()).toBe(403);
    const proxied = await page.request.delete(`/clusters/member-1/api/v1/namespaces/${project}`);
    expect(proxied.status()).toBe(403);

    await hydrated(page, '/account');
    const tokens = page.getByTestId('create-token-form');
    await tokens.getByLabel('Name').fill('ci');
    await tokens.getByLabel('Lasts (days)').fill('7');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('new-token');
    await expect(shown).toHaveText(/^orbital-[0-9a-f]{64}$/);
    const token = (await shown.textContent()) ?? '';
    await expect(page.getByTestId('tokens').getByTestId('token')).toHaveCount(1);
    await expect(page.getByTestId('tokens')).not.toContainText(token);
    const withToken = await page.request.get(`/clusters/member-1/api/v1/namespaces/${project}/pods`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(withToken.status()).toBe(200);

    const download = page.waitForEvent('download');
    await page.getByTestId('download-kubeconfig').click();
    const file = await (await download).path();
    const kubeconfig = JSON.parse(readFileSync(file, 'utf8'));
    expect(kubeconfig.contexts.map((c: { name: string }) => c.name)).toEqual(['member-1']);
    expect(kubeconfig.clusters[0].cluster.server).toMatch(/\/clusters\/member-1$/);
    await context.close();
  });

  test('the audit page shows the refused edit, filtered by user', async ({ page }) => {
    await hydrated(page, `/audit?user=${user}&refused=yes`);
    const entries = page.getByTestId('audit').getByTestId('audit-entry');
    await expect(entries.first()).toBeVisible();
    await expect(entries.filter({ hasText: 'namespaces' }).filter({ hasText: '403' }).first()).toBeVisible();
    for (const row of await entries.all()) {
      await expect(row).toContainText(user);
    }
  });
});
