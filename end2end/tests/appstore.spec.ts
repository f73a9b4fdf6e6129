import { expect, test, type Page } from '@playwright/test';

// A namespace of this run's own, so that a rerun against the same console starts afresh.
const namespace = `store-${Date.now().toString(36)}`;

async function hydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
}

test('the App Store is searched and filtered without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    storageState: 'test-results/.admin-session.json',
  });
  const page = await context.newPage();
  await page.goto('/appstore?category=Database');
  await expect(page.getByTestId('app-builtin-cache')).toBeVisible();
  await expect(page.getByTestId('app-builtin-database')).toBeVisible();
  await expect(page.getByTestId('app-builtin-web-server')).toHaveCount(0);
  await page.getByLabel('Find apps').fill('redis');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/q=redis/);
  await expect(page.getByTestId('app-builtin-cache')).toBeVisible();
  await expect(page.getByTestId('app-builtin-database')).toHaveCount(0);
  await page.getByRole('link', { name: 'cache' }).click();
  await expect(page.getByTestId('app-description')).toContainText('Redis');
  await expect(page.getByTestId('app-values')).toContainText('maxMemory: 64mb');
  await context.close();
});

test('an app is installed on a member from its page, followed until deployed, and uninstalled', async ({ page }) => {
  await hydrated(page, '/appstore?q=cache');
  await page.getByTestId('app-builtin-cache').getByRole('link', { name: 'cache' }).click();
  await expect(page.getByRole('heading', { name: 'cache', level: 1 })).toBeVisible();
  const form = page.getByTestId('install-form');
  await form.getByLabel('member-1').check();
  await form.getByLabel('Namespace').fill(namespace);
  await form.getByLabel('Release name').fill('sessions');
  await form.getByLabel(/Values/).fill('auth:\n  password: from-the-browser\n');
  await form.getByRole('button', { name: 'Install' }).click();

  await expect(page).toHaveURL(/\/appstore\/installed$/);
  const row = page.getByTestId(`release-sessions.${namespace}.member-1`);
  await expect(row.getByTestId('phase')).toHaveText('Deployed', { timeout: 60_000 });
  await expect(row).toContainText(`Redis listens at sessions-cache.${namespace}.svc:6379`);
  await expect(row).toContainText('admin');

  // Its page upgrades it to other values and rolls it back, each a new revision.
  await row.getByRole('link', { name: 'sessions' }).click();
  await expect(page).toHaveURL(new RegExp(`/appstore/installed/sessions\\.${namespace}\\.member-1$`));
  await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
  const upgrade = page.getByTestId('upgrade-form');
  await expect(upgrade.getByLabel(/Values/)).toHaveValue(/from-the-browser/);
  await upgrade.getByLabel(/Values/).fill('auth:\n  password: changed-in-the-browser\n');
  await upgrade.getByRole('button', { name: 'Upgrade' }).click();
  await expect(page.getByTestId('upgrade-outcome')).toContainText('Upgrading');
  await expect(page.getByTestId('release-revision')).toHaveText('2', { timeout: 60_000 });
  await expect(page.getByTestId('release-phase')).toHaveText('Deployed', { timeout: 60_000 });
  await page.getByTestId('revision-1').getByRole('button', { name: 'Roll back' }).click();
  await expect(page.getByTestId('release-revision')).toHaveText('3', { timeout: 60_000 });
  await expect(page.getByTestId('release-phase')).toHaveText('Deployed', { timeout: 60_000 });
  await expect(upgrade.getByLabel(/Values/)).toHaveValue(/from-the-browser/);

  await page.getByRole('link', { name: 'Installed apps' }).click();
  await row.getByRole('button', { name: 'Uninstall' }).click();
  await expect(row).toHaveCount(0, { timeout: 60_000 });
});

test('a bad install is refused in the page, saying why', async ({ page }) => {
  await hydrated(page, '/appstore/builtin/web-server');
  const form = page.getByTestId('install-form');
  await form.getByLabel('member-1').check();
  await form.getByLabel('Namespace').fill('Not_A_Namespace');
  await form.getByRole('button', { name: 'Install' }).click();
  await expect(page.getByTestId('install-outcome')).toContainText('is not a namespace name');
});

test('a platform admin uploads a chart, finds it in the App Store and deletes it', async ({ page }) => {
  const archive = await page.request.get('/appstore/repos/builtin/charts/cache-1.0.0.tgz');
  expect(archive.ok()).toBeTruthy();
  await hydrated(page, '/appstore');
  await page.getByRole('link', { name: 'Repositories and uploads' }).click();
  await expect(page).toHaveURL(/\/appstore\/repositories$/);
  await expect(page.getByTestId('repository-builtin')).toContainText('The host: built in');

  await page.getByLabel('Chart archive (.tgz)').setInputFiles({
    name: 'cache-1.0.0.tgz',
    mimeType: 'application/gzip',
    buffer: await archive.body(),
  });
  // A rerun against the same console finds it there already: it replaces it.
  await page.getByLabel('Replace the same version if it is there').check();
  await page.getByRole('button', { name: 'Upload chart' }).click();
  await expect(page.getByTestId('upload-outcome')).toHaveText('Uploaded cache 1.0.0.');
  const uploaded = page.getByTestId('uploaded-cache-1.0.0');
  await expect(uploaded).toBeVisible();

  await hydrated(page, '/appstore?repo=uploads');
  await expect(page.getByTestId('app-uploads-cache')).toBeVisible();

  await hydrated(page, '/appstore/repositories');
  await uploaded.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('delete-upload-outcome')).toHaveText('Deleted.');
  await expect(uploaded).toHaveCount(0);
});

test('a chart is uploaded from the repositories page without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    storageState: 'test-results/.admin-session.json',
  });
  const page = await context.newPage();
  const archive = await page.request.get('/appstore/repos/builtin/charts/web-server-1.0.0.tgz');
  expect(archive.ok()).toBeTruthy();
  await page.goto('/appstore/repositories');
  const upload = async () => {
    await page.getByLabel('Chart archive (.tgz)').setInputFiles({
      name: 'web-server-1.0.0.tgz',
      mimeType: 'application/gzip',
      buffer: await archive.body(),
    });
    await page.getByRole('button', { name: 'Upload chart' }).click();
  };
  // A rerun against the same console finds it there already: the box replaces it.
  await page.getByLabel('Replace the same version if it is there').check();
  await upload();
  await expect(page).toHaveURL(/\/appstore\/repositories\?uploaded=/);
  await expect(page.getByTestId('upload-outcome')).toHaveText('Uploaded web-server 1.0.0.');
  await expect(page.getByTestId('uploaded-web-server-1.0.0')).toBeVisible();
  // Sent again without the box, it is refused, saying why.
  await upload();
  await expect(page.getByTestId('upload-outcome')).toContainText('web-server 1.0.0 is already in the repository');

  const deleted = await page.request.delete('/appstore/repos/uploads/api/charts/web-server/1.0.0');
  expect(deleted.ok()).toBeTruthy();
  await context.close();
});

test('a repository of another site that cannot be reached says why on the repositories page', async ({ page }) => {
  await hydrated(page, '/appstore/repositories');
  const name = `gone-${Date.now().toString(36)}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  // Nothing listens on port 9 of loopback: the sync fails at once.
  await page.getByLabel(/Address/).fill('http://127.0.0.1:9/charts');
  await page.getByRole('button', { name: 'Add repository' }).click();
  await expect(page.getByTestId('add-repository-outcome')).toContainText('Added');
  const row = page.getByTestId(`repository-${name}`);
  await expect(row).toContainText('Failed:', { timeout: 30_000 });
  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(row).toHaveCount(0);
});

test("the install form offers the settings of a chart's values schema, typed", async ({ page }) => {
  await hydrated(page, '/appstore/builtin/cache');
  const form = page.getByTestId('install-form');
  const settings = form.getByTestId('settings');
  await expect(settings.getByLabel('service.port')).toHaveAttribute('placeholder', '6379');
  await expect(settings.getByLabel('evictionPolicy')).toContainText('noeviction');
  await form.getByLabel('member-1').check();
  await form.getByLabel('Namespace').fill(namespace);
  await settings.getByLabel('service.port').fill('seven');
  await form.getByRole('button', { name: 'Install' }).click();
  await expect(page.getByTestId('install-outcome')).toContainText('service.port takes a whole number');
});
