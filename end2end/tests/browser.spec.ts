import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';

// The resource browser on the embedded member-1, with kubectl beside it as another user of the
// same cluster.
const suffix = Date.now().toString(36);
const memberKubeconfig = () => {
  const host = process.env.ORBITAL_HOST_KUBECONFIG;
  if (!host) {
    throw new Error('ORBITAL_HOST_KUBECONFIG is not set: run the suite through scripts/test');
  }
  return host.replace('/sandboxes/host/', '/sandboxes/member-1/');
};
const kubectl = (...args: string[]) =>
  execFileSync('kubectl', ['--kubeconfig', memberKubeconfig(), ...args], { encoding: 'utf8' });

// A tab of an object's page.
const tab = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Views of the object' }).getByRole('link', { name });

async function hydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
}

test.describe.serial('the resource browser', () => {
  const deployment = `shop-${suffix}`;

  test.beforeAll(() => {
    kubectl('-n', 'demo', 'create', 'deployment', deployment, '--image=nginx:1.27', '--replicas=1');
  });

  test('lists, objects, YAML and logs read completely without JavaScript', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/clusters/member-1/deployments.apps?namespace=demo&sort=Name');
    await expect(page.getByTestId('kind-nav').getByRole('link', { name: 'CronJob' })).toBeVisible();
    await expect(page.getByTestId('kind-nav').getByRole('link', { name: 'Deployment', exact: true })).toHaveAttribute('aria-current', 'page');
    const rows = page.getByTestId('object-row');
    await expect(rows.filter({ hasText: 'web' }).first()).toBeVisible();
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await expect(page.getByTestId('object-heading')).toHaveText('Deployment web');
    await expect(page.getByTestId('owned-objects').getByTestId('owned-object').filter({ hasText: 'Pod' })).not.toHaveCount(0);

    await tab(page, 'YAML').click();
    await expect(page.getByTestId('yaml-text')).toHaveValue(/kind: Deployment/);

    const pod = page.getByTestId('owned-object').filter({ hasText: 'Pod' }).first().getByRole('link');
    await page.goto('/clusters/member-1/namespaces/demo/deployments.apps/web');
    await pod.click();
    await expect(page.getByTestId('object-heading')).toHaveText(/^Pod web-/);
    await expect(page.getByTestId('pod-facts')).toContainText('Running');
    await tab(page, 'Logs').click();
    await expect(page.getByTestId('pod-logs')).not.toBeEmpty();
    await tab(page, 'Events').click();
    await expect(page.getByTestId('object-events')).toContainText('Scheduled');
    await context.close();
  });

  test('a YAML edit is saved, and one over a change made meanwhile is resolved in the page', async ({ page }) => {
    await hydrated(page, `/clusters/member-1/namespaces/demo/deployments.apps/${deployment}?tab=yaml`);
    const editor = page.getByTestId('yaml-text');
    const loaded = await editor.inputValue();
    // A key given twice is told at its line as it is typed, and cannot be saved.
    await editor.fill(loaded.replace('replicas: 1', 'replicas: 1\n  replicas: 4'));
    const line = loaded.split('\n').findIndex((text) => text === '  replicas: 1') + 2;
    await expect(page.getByTestId('yaml-problem')).toHaveText(`Line ${line}: the key "replicas" is given twice here (first on line ${line - 1}).`);
    await expect(page.getByTestId('yaml-save')).toBeDisabled();
    await expect(page.locator('.yaml-colours .y-error')).toContainText('replicas: 4');
    await editor.fill(loaded.replace('replicas: 1', 'replicas: 2'));
    await expect(page.getByTestId('yaml-problem')).toBeEmpty();
    await page.getByTestId('yaml-save').click();
    await expect(page.getByTestId('yaml-outcome')).toHaveText('Saved.');
    expect(kubectl('-n', 'demo', 'get', 'deployment', deployment, '-o', 'jsonpath={.spec.replicas}')).toBe('2');

    // Someone else labels it while the edit is open.
    const open = await editor.inputValue();
    await editor.fill(open.replace('replicas: 2', 'replicas: 3'));
    kubectl('-n', 'demo', 'label', 'deployment', deployment, 'changed-by=kubectl');
    await page.getByTestId('yaml-save').click();
    const conflict = page.getByTestId('yaml-conflict');
    await expect(conflict).toBeVisible();
    await expect(page.getByTestId('conflict-diff').locator('.diff-added')).toContainText(['changed-by: kubectl']);
    expect(kubectl('-n', 'demo', 'get', 'deployment', deployment, '-o', 'jsonpath={.spec.replicas}')).toBe('2');
    await page.getByTestId('reapply').click();
    await expect(editor).toHaveValue(/replicas: 3/);
    await expect(editor).toHaveValue(/changed-by: kubectl/);
    await page.getByTestId('yaml-save').click();
    await expect(page.getByTestId('yaml-outcome')).toHaveText('Saved.');
    expect(kubectl('-n', 'demo', 'get', 'deployment', deployment, '-o', 'jsonpath={.spec.replicas} {.metadata.labels.changed-by}')).toBe('3 kubectl');

    // An objection of the API server is shown at its line.
    const saved = await editor.inputValue();
    await editor.fill(saved.replace(/replicas: 3/, 'replicas: [3'));
    await page.getByTestId('yaml-save').click();
    await expect(page.getByTestId('yaml-outcome')).toContainText(/Not saved\. Line \d+/);
    await expect(page.locator('.y-error')).toHaveCount(1);
  });

  test('an open page follows the cluster: replicas edited in YAML, pods following on the overview', async ({ page, context }) => {
    await hydrated(page, `/clusters/member-1/namespaces/demo/deployments.apps/${deployment}`);
    const pods = page.getByTestId('owned-object').filter({ hasText: 'Pod' });
    await expect(pods).toHaveCount(3);
    const editing = await context.newPage();
    await hydrated(editing, `/clusters/member-1/namespaces/demo/deployments.apps/${deployment}?tab=yaml`);
    const editor = editing.getByTestId('yaml-text');
    await editor.fill((await editor.inputValue()).replace('replicas: 3', 'replicas: 1'));
    await editing.getByTestId('yaml-save').click();
    await expect(editing.getByTestId('yaml-outcome')).toHaveText('Saved.');
    // No reload: the open overview follows the change as the cluster makes it.
    await expect(pods).toHaveCount(1);
    await editing.close();
  });

  test('a followed log shows new lines as they are written', async ({ page }) => {
    const pod = kubectl('-n', 'demo', 'get', 'pods', '-l', 'app.kubernetes.io/name=web', '-o', 'jsonpath={.items[0].metadata.name}');
    // Unfollowed, the tail is exactly what was asked for; followed, lines arrive after it.
    await hydrated(page, `/clusters/member-1/namespaces/demo/pods/${pod}?tab=logs&tailLines=1`);
    const logs = page.getByTestId('pod-logs');
    await expect(logs).not.toBeEmpty();
    const first = (await logs.textContent()) ?? '';
    expect(first.trim().split('\n')).toHaveLength(1);
    await hydrated(page, `/clusters/member-1/namespaces/demo/pods/${pod}?tab=logs&tailLines=1&follow=1`);
    await expect(logs).not.toBeEmpty();
    // The simulated web server prints a line every few seconds.
    await expect(async () => {
      const now = (await logs.textContent()) ?? '';
      expect(now.trim().split('\n').length).toBeGreaterThan(1);
    }).toPass({ timeout: 15_000 });
    await page.getByTestId('logs-search').fill('no line says this');
    await expect(logs).toBeEmpty();
  });

  test("a workload's logs are its pods' interleaved and labelled, followed too", async ({ page, browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const plain = await context.newPage();
    await plain.goto('/clusters/member-1/namespaces/demo/deployments.apps/web?tab=logs&tailLines=2');
    const lines = ((await plain.getByTestId('pod-logs').textContent()) ?? '').trim().split('\n');
    const pods = new Set(lines.map((line) => /^\[pod\/(web-[^/]+)\/nginx\] /.exec(line)?.[1]));
    expect(pods.has(undefined)).toBe(false);
    expect(pods.size).toBeGreaterThan(1);
    await context.close();

    await hydrated(page, '/clusters/member-1/namespaces/demo/deployments.apps/web?tab=logs&tailLines=1&follow=1');
    const logs = page.getByTestId('pod-logs');
    await expect(async () => {
      const now = ((await logs.textContent()) ?? '').trim().split('\n');
      expect(now.length).toBeGreaterThan(pods.size);
      expect(now.every((line) => line.startsWith('[pod/web-'))).toBe(true);
    }).toPass({ timeout: 15_000 });
  });

  test('two objects are created from one YAML text and one is deleted', async ({ page }) => {
    await hydrated(page, '/clusters/member-1/create');
    await page.getByTestId('create-namespace').fill('demo');
    // A mistake that is never YAML is told at its line as it is typed, in whichever document.
    await page.getByTestId('create-yaml').fill('apiVersion: v1\nkind: ConfigMap\n---\nkind: ConfigMap\nmetadata:\n\tname: tabbed');
    await expect(page.getByTestId('yaml-problem')).toHaveText('Line 6: a tab indents this line; YAML is indented with spaces only.');
    await expect(page.getByTestId('create-submit')).toBeDisabled();
    await expect(page.locator('.yaml-colours .y-error')).toContainText('name: tabbed');
    await page.getByTestId('create-yaml').fill(
      [`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first-${suffix}\ndata:\n  a: "1"`,
       `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second-${suffix}\ndata:\n  b: "2"`].join('\n---\n'),
    );
    await expect(page.getByTestId('yaml-problem')).toBeEmpty();
    await page.getByTestId('create-submit').click();
    const reports = page.getByTestId('create-report');
    await expect(reports).toHaveText([
      `ConfigMap demo/first-${suffix}: created open`,
      `ConfigMap demo/second-${suffix}: created open`,
    ]);
    await reports.first().getByRole('link', { name: 'open' }).click();
    await expect(page.getByTestId('object-heading')).toHaveText(`ConfigMap first-${suffix}`);
    await page.getByTestId('delete-object').click();
    await expect(page).toHaveURL(/\/clusters\/member-1\/configmaps$/);
    expect(kubectl('-n', 'demo', 'get', 'configmaps', '-o', 'name')).not.toContain(`first-${suffix}`);
    expect(kubectl('-n', 'demo', 'get', 'configmaps', '-o', 'name')).toContain(`second-${suffix}`);
  });

  test('open lists follow the cluster without a reload, keeping what is typed in their filters', async ({ page }) => {
    const name = `live-${suffix}`;
    const row = page.getByRole('link', { name, exact: true });
    for (const path of ['/clusters/member-1/configmaps?namespace=demo', '/configmaps?namespace=demo']) {
      await hydrated(page, path);
      // A mark that only a page never loaded again keeps.
      await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
      const labels = page.getByLabel('Labels');
      await labels.fill('typed=meanwhile');
      kubectl('-n', 'demo', 'create', 'configmap', name);
      await expect(row).toBeVisible();
      kubectl('-n', 'demo', 'delete', 'configmap', name);
      await expect(row).toHaveCount(0);
      await expect(labels).toHaveValue('typed=meanwhile');
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    }
  });

  test('a CRD applied with kubectl is browsable at once, and its objects editable', async ({ page }) => {
    const plural = `gizmos${suffix}`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.example.com` },
      spec: {
        group: 'example.com', scope: 'Namespaced',
        names: { plural, singular: `gizmo${suffix}`, kind: `Gizmo${suffix}` },
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          additionalPrinterColumns: [{ name: 'Colour', type: 'string', jsonPath: '.spec.colour' }],
        }],
      },
    };
    execFileSync('kubectl', ['--kubeconfig', memberKubeconfig(), 'apply', '-f', '-'], { input: JSON.stringify(crd) });
    const gizmo = { apiVersion: 'example.com/v1', kind: `Gizmo${suffix}`, metadata: { name: 'g1', namespace: 'demo' }, spec: { colour: 'red' } };
    await expect(async () => {
      execFileSync('kubectl', ['--kubeconfig', memberKubeconfig(), 'apply', '-f', '-'], { input: JSON.stringify(gizmo) });
    }).toPass();
    await hydrated(page, `/clusters/member-1/${plural}.example.com`);
    await expect(page.getByRole('columnheader', { name: 'Colour' })).toBeVisible();
    await expect(page.getByTestId('object-row')).toContainText(['red']);
    await page.getByRole('link', { name: 'g1' }).click();
    await tab(page, 'YAML').click();
    const editor = page.getByTestId('yaml-text');
    await expect(editor).toHaveValue(/colour: red/);
    await editor.fill((await editor.inputValue()).replace('colour: red', 'colour: blue'));
    await page.getByTestId('yaml-save').click();
    await expect(page.getByTestId('yaml-outcome')).toHaveText('Saved.');
    expect(kubectl('-n', 'demo', 'get', plural, 'g1', '-o', 'jsonpath={.spec.colour}')).toBe('blue');

    // Across clusters, at the same address without the cluster, following changes as they come;
    // what is typed in the filters meanwhile stays.
    await hydrated(page, `/${plural}.example.com`);
    const rows = page.getByTestId('resource-row');
    await expect(rows).toHaveCount(1);
    await expect(page.getByTestId('row-cluster')).toHaveText(['member-1']);
    // The CRD's printer columns, as on the cluster's own list.
    await expect(page.getByRole('columnheader', { name: 'Colour' })).toBeVisible();
    await expect(rows).toContainText(['blue']);
    await page.getByLabel('Name contains').fill('g');
    const second = { ...gizmo, metadata: { name: 'g2', namespace: 'demo' } };
    execFileSync('kubectl', ['--kubeconfig', memberKubeconfig(), 'apply', '-f', '-'], { input: JSON.stringify(second) });
    await expect(rows).toHaveCount(2, { timeout: 2000 });
    await expect(rows.filter({ hasText: 'g2' })).toContainText('red');
    await expect(page.getByLabel('Name contains')).toHaveValue('g');
  });

  test('scaling from the actions panel ends with the pods there, and a node is cordoned and uncordoned', async ({ page }) => {
    await hydrated(page, `/clusters/member-1/namespaces/demo/deployments.apps/${deployment}`);
    const replicas = () => kubectl('-n', 'demo', 'get', 'deployment', deployment, '-o', 'jsonpath={.spec.replicas}/{.status.availableReplicas}');
    const wanted = Number(replicas().split('/')[0]) + 1;
    await page.getByTestId('scale-replicas').fill(String(wanted));
    await page.getByTestId('action-scale').click();
    await expect(page.getByTestId('scale-replicas')).toHaveValue(String(wanted));
    await expect(page.getByTestId('owned-object').filter({ hasText: 'Pod' })).toHaveCount(wanted);
    await expect(page.getByTestId('action-progress')).toBeEmpty();
    expect(replicas()).toBe(`${wanted}/${wanted}`);

    const node = kubectl('get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}');
    await hydrated(page, `/clusters/member-1/nodes/${node}`);
    await page.getByTestId('action-cordon').click();
    await expect(page.getByTestId('action-uncordon')).toBeVisible();
    expect(kubectl('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}')).toBe('true');
    await page.getByTestId('action-uncordon').click();
    await expect(page.getByTestId('action-cordon')).toBeVisible();
    expect(kubectl('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}')).toBe('');
  });

  test('the palette finds objects by name across clusters and opens one; without JavaScript it is a page', async ({ page, browser }) => {
    await hydrated(page, '/');
    const palette = page.getByTestId('palette');
    await page.keyboard.press('Control+K');
    await expect(palette).toBeFocused();
    await palette.fill('web');
    const options = page.getByRole('listbox', { name: 'Found' }).getByRole('option');
    await expect(options.filter({ hasText: 'on member-2' }).first()).toBeVisible();

    await palette.fill(deployment);
    await expect(options.first()).toContainText(`Deployment in demo on member-1`);
    await expect(options.first()).toHaveAttribute('aria-selected', 'true');
    await palette.press('ArrowDown');
    await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
    await expect(options.nth(1)).toContainText('Pod in demo on member-1');
    const pod = (await options.nth(1).locator('.found-name').textContent()) ?? '';
    await palette.press('Enter');
    await expect(page).toHaveURL(`/clusters/member-1/namespaces/demo/pods/${pod}`);
    await expect(page.getByTestId('object-heading')).toHaveText(`Pod ${pod}`);
    await expect(page.getByRole('listbox', { name: 'Found' })).toBeHidden();

    const context = await browser.newContext({ javaScriptEnabled: false });
    const plain = await context.newPage();
    await plain.goto('/');
    await plain.getByTestId('palette').fill(pod);
    await plain.getByTestId('palette').press('Enter');
    await expect(plain).toHaveURL(/\/find\?q=/);
    await plain.getByTestId('found').filter({ hasText: pod }).first().click();
    await expect(plain.getByTestId('object-heading')).toHaveText(`Pod ${pod}`);
    await context.close();
  });

  test('a Secret shows its values only when revealed', async ({ page }) => {
    await hydrated(page, '/clusters/member-1/namespaces/demo/secrets/db-credentials');
    await expect(page.locator('body')).not.toContainText('sandbox-only');
    await tab(page, 'YAML').click();
    await expect(page.getByTestId('yaml-text')).not.toHaveValue(/c2FuZGJveC1vbmx5/);
    await tab(page, 'Overview').click();
    await page.getByTestId('reveal-secret').click();
    await expect(page.getByTestId('secret-values')).toContainText('sandbox-only');
  });

  test('a namespace is deleted once its name is typed, which a change to it meanwhile keeps', async ({ page }) => {
    const namespace = `scratch-${suffix}`;
    kubectl('create', 'namespace', namespace);
    await hydrated(page, `/clusters/member-1/namespaces/${namespace}`);
    const confirm = page.getByTestId('delete-confirm');
    const remove = page.getByTestId('delete-object');
    await expect(remove).toBeDisabled();
    await confirm.fill(namespace);
    await expect(remove).toBeEnabled();
    // The page follows the namespace, so this change builds its body again.
    kubectl('label', 'namespace', namespace, 'changed-by=kubectl');
    await expect(page.getByTestId('object-labels')).toContainText('changed-by');
    await expect(confirm).toHaveValue(namespace);
    await remove.click();
    await expect(page).toHaveURL(/\/clusters\/member-1\/namespaces$/);
    expect(kubectl('get', 'namespaces', '-o', 'name')).not.toContain(`namespace/${namespace}`);
  });

  test('the overview charts each cluster and links what is unhealthy, without JavaScript too', async ({ browser }) => {
    const stuck = `stuck-${suffix}`;
    kubectl('-n', 'demo', 'create', 'deployment', stuck, '--image=example.com/missing:1');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const unhealthy = page.getByTestId('unhealthy-workload').filter({ hasText: stuck });
    const warning = page.getByTestId('warning').filter({ hasText: 'ImagePullBackOff' }).filter({ hasText: `Pod/${stuck}-` });
    // The page does not follow the cluster: it is read again until the pull has failed.
    await expect(async () => {
      await page.goto('/');
      await expect(unhealthy).toHaveCount(1, { timeout: 1_000 });
      await expect(warning).not.toHaveCount(0, { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    const loads = page.getByTestId('cluster-loads');
    for (const cluster of ['host', 'member-1', 'member-2']) {
      const row = loads.getByTestId('cluster-load').filter({ has: page.getByRole('link', { name: cluster, exact: true }) });
      await expect(row.getByTestId('load-bar')).toHaveCount(2);
      await expect(row.getByTestId('load-bar').first()).toContainText(/cores requested \(\d+ %\)/);
    }
    await expect(page.getByTestId('all-clusters-load')).toBeVisible();
    await expect(unhealthy).toContainText('0/1 ready');

    await warning.first().getByRole('link').click();
    await expect(page.getByTestId('object-heading')).toHaveText(new RegExp(`^Pod ${stuck}-`));
    await page.goBack();
    await unhealthy.getByRole('link', { name: stuck }).click();
    await expect(page.getByTestId('object-heading')).toHaveText(`Deployment ${stuck}`);

    await page.goto('/clusters/member-1');
    await expect(page.getByTestId('unhealthy-workload').filter({ hasText: stuck })).toHaveCount(1);
    const node = page.getByTestId('node-load').first();
    await expect(node.getByTestId('node-pods')).toHaveText(/^\d+ of 110$/);
    await node.getByRole('link').click();
    await expect(page.getByTestId('object-heading')).toHaveText(/^Node /);
    await context.close();
  });
});
