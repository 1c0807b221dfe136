/**
 * Signing in to the console in a real browser: the embedded issuer's authorization code + PKCE
 * flow through its sign-in page, landing each role on its own screen, the session surviving a
 * reload, the language switch, and signing out.
 */
import { startConsoleStack, buildConsole, type ConsoleStack } from './console-harness';

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/reticulate-console-sign-in') });
}, 180_000);

afterAll(async () => {
  await consoleStack?.close();
});

describe('console sign-in', () => {
  it('signs an operator in through the sign-in page and lands on their inbox, in Italian', async () => {
    const page = await consoleStack.newPage();
    await page.goto('/console/inbox');
    await page.waitForURL(/\/console\/sign-in\?/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Accedi a Reticulate');
    await consoleStack.expectAccessible(page, 'sign-in');
    await consoleStack.screenshot(page, 'sign-in');
    await page.locator('button[data-user-id="oss-operator-grosseto"]').click();
    await page.waitForURL(/\/console\/inbox$/);
    await page.getByRole('heading', { level: 1, name: 'Le mie attività' }).waitFor();
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain('Operatore');
    expect(await page.locator('html').getAttribute('lang')).toBe('it');

    // An address that leads nowhere says so, inside the console.
    await page.goto('/console/nowhere');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Pagina non trovata');
    await consoleStack.expectAccessible(page, 'not found');
    await page.goto('/console/inbox');

    // The session lives in the tab: a reload keeps it without a new sign-in.
    await page.reload();
    await page.getByTestId('signed-in-as').waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/inbox');

    await page.getByRole('button', { name: /^EN/ }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ state: 'visible', timeout: 5_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/sign-in\?/);
  });

  it('lands a supervisor on supervision and a coordinator on pathways, and tells an auditor there is no screen for them', async () => {
    for (const [userId, path] of [['supervisor-livorno', '/console/supervision'], ['coordinator-lucca', '/console/pathways']] as const) {
      const page = await consoleStack.newPage();
      await consoleStack.signIn(page, userId);
      expect(new URL(page.url()).pathname).toBe(path);
    }
    const auditor = await consoleStack.newPage();
    await auditor.goto('/');
    await auditor.locator('button[data-user-id="auditor-pistoia"]').click();
    await auditor.getByRole('heading', { level: 1, name: 'Nessuna schermata per il tuo ruolo' }).waitFor();
    expect(await auditor.locator('header nav a').count()).toBe(0);
    await consoleStack.expectAccessible(auditor, 'no screens (auditor)');
  });

  it('keeps the menu visible on a tablet', async () => {
    const page = await consoleStack.newPage({ width: 800, height: 1100 });
    await consoleStack.signIn(page, 'supervisor-grosseto');
    const menu = page.locator('header nav');
    // waitFor (visible) fails the test if a link stays hidden, as bootstrap-italia's collapsing navbar would keep it.
    await menu.getByRole('link', { name: 'Supervisione' }).waitFor({ state: 'visible', timeout: 5_000 });
    await menu.getByRole('link', { name: 'Percorsi' }).waitFor({ state: 'visible', timeout: 5_000 });
    await consoleStack.expectAccessible(page, 'supervision (tablet)');
  });
});
