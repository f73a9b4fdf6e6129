import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

// Every page a user reaches, checked by axe against WCAG 2.1 A and AA once hydrated: names and
// labels on every control, contrast, landmarks, headings, ARIA used as specified. Each theme
// is checked, since contrast differs between them.
const pages = [
  '/',
  '/clusters',
  '/clusters/member-1',
  '/pods',
  '/clusters/member-1/deployments.apps?namespace=demo',
  '/clusters/member-1/namespaces/demo/deployments.apps/web',
  '/clusters/member-1/namespaces/demo/deployments.apps/web?tab=yaml',
  '/clusters/member-1/namespaces/demo/deployments.apps/web?tab=events',
  '/clusters/member-1/namespaces/demo/deployments.apps/web?tab=logs',
  '/clusters/member-1/nodes',
  '/clusters/member-1/create',
  '/find?q=web',
  '/users',
  '/workspaces',
  '/account',
  '/audit',
  '/appstore',
  '/appstore/builtin/cache',
  '/appstore/installed',
  '/appstore/repositories',
];

async function violations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations.map((violation) => ({
    rule: violation.id,
    help: violation.help,
    where: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5),
  }));
}

async function hydrated(page: Page, path: string) {
  await page.goto(path);
  // Pages are sent whole (their data is in before the answer), so hydrated is complete.
  await expect(page.locator('.console[data-hydrated="true"]')).toBeVisible();
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`accessibility, ${scheme} theme`, () => {
    test.use({ colorScheme: scheme });

    for (const path of pages) {
      test(`${path} has no accessibility violations`, async ({ page }) => {
        await hydrated(page, path);
        expect(await violations(page)).toEqual([]);
      });
    }

    test('the login page and the open command palette have none either', async ({ browser, page }) => {
      const visitor = await browser.newContext({ colorScheme: scheme, storageState: { cookies: [], origins: [] } });
      const login = await visitor.newPage();
      await login.goto('/login');
      expect(await violations(login)).toEqual([]);
      await visitor.close();

      // A window short enough that a full list runs past it; the arrow keys bring the chosen
      // result into sight.
      await page.setViewportSize({ width: 1280, height: 480 });
      await hydrated(page, '/');
      await page.keyboard.press('Control+k');
      await page.keyboard.type('e');
      const found = page.getByTestId('found');
      await expect(found).toHaveCount(20);
      await expect(found.last()).not.toBeInViewport();
      await page.keyboard.press('ArrowUp');
      await expect(page.getByTestId('palette')).toHaveAttribute('aria-activedescendant', 'found-19');
      await expect(found.last()).toBeInViewport();
      expect(await violations(page)).toEqual([]);
    });
  });
}

// Tabs through `path` and returns the visible, enabled controls that the Tab key never reached.
async function unreachable(page: Page, path: string) {
  await hydrated(page, path);
  const count = await page.evaluate(() => {
    const controls = [...document.querySelectorAll<HTMLElement>(
      'a[href], button, input:not([type="hidden"]), select, textarea, [tabindex]:not([tabindex="-1"])',
    )].filter((element) => !(element as HTMLButtonElement).disabled && element.getClientRects().length > 0);
    controls.forEach((element, at) => element.setAttribute('data-control', String(at)));
    return controls.length;
  });
  const reached = new Set<string>();
  for (let press = 0; press < count + 5 && reached.size < count; press++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => document.activeElement?.getAttribute('data-control'));
    if (at) reached.add(at);
  }
  return page.evaluate((reached) => [...document.querySelectorAll('[data-control]')]
    .filter((element) => !reached.includes(element.getAttribute('data-control') ?? ''))
    .map((element) => element.outerHTML.slice(0, 120)), [...reached]);
}

test.describe('by keyboard alone', () => {
  for (const path of [
    '/',
    '/clusters/member-1/deployments.apps?namespace=demo',
    '/clusters/member-1/namespaces/demo/deployments.apps/web',
    '/clusters/member-1/namespaces/demo/deployments.apps/web?tab=yaml',
    '/clusters/member-1/namespaces/demo/deployments.apps/web?tab=logs',
    '/clusters/member-1/create',
    '/users',
  ]) {
    test(`every control of ${path} is reached with Tab`, async ({ page }) => {
      expect(await unreachable(page, path)).toEqual([]);
    });
  }

  // The palette's keys are the browser suite's palette journey.
  test('the content is one key away from the top of every page', async ({ page }) => {
    await hydrated(page, '/clusters/member-1/namespaces/demo/deployments.apps/web');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to the content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.locator('#content')).toBeFocused();
    await page.keyboard.press('Tab');
    // The next stop is the content's first control, past the top bar and the navigation.
    expect(await page.evaluate(() => document.getElementById('content')?.contains(document.activeElement))).toBe(true);
  });
});
