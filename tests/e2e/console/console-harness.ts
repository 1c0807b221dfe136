/**
 * The web console on the real stack, in a real browser: PostgreSQL + Temporal (jest's global
 * setup), the API and worker as processes (the API serving the console built from web/), and
 * Debian's Chromium driven by playwright-core. People sign in through the console's real sign-in
 * (authorization code + PKCE against the embedded issuer). axe-core checks each screen for WCAG
 * 2.1 A/AA violations; screenshots land in .data/screenshots (CONSOLE_SCREENSHOTS_DIR=docs/screenshots
 * refreshes the README's).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { httpClient, startE2EStack, type E2EStack } from '../stack-processes';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
/**
 * Where screenshots go: an ignored folder, so a test run leaves the work tree clean;
 * CONSOLE_SCREENSHOTS_DIR=docs/screenshots refreshes the ones the README shows.
 */
export const screenshotDir = path.resolve(repoRoot, process.env.CONSOLE_SCREENSHOTS_DIR ?? path.join('.data', 'screenshots'));

/** Debian's chromium, unless CHROMIUM_PATH names another build. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Builds the console from web/ into `outDir` (a folder of the test's own, so parallel builds never
 * clash). CONSOLE_TEST_PREBUILT=1 skips the build and uses what `outDir` holds (while iterating).
 */
export function buildConsole(outDir: string): string {
  if (process.env.CONSOLE_TEST_PREBUILT !== '1') execFileSync('npm', ['run', '--silent', 'build', '-w', 'web', '--', '--logLevel', 'error', '--outDir', outDir], { cwd: repoRoot, stdio: 'inherit' });
  if (!existsSync(path.join(outDir, 'index.html'))) throw new Error(`the console build wrote no index.html into ${outDir}`);
  return outDir;
}

export interface ConsoleStack {
  stack: E2EStack;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (own session storage) at desktop size, Italian locale; `width` for a tablet. */
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
  /** Signs in as a demo user through the sign-in page and waits for the console's home screen. */
  signIn(page: Page, userId: string): Promise<void>;
  /**
   * Fails with the list of serious or critical WCAG 2.1 A/AA violations axe-core finds on the page,
   * or with the strings the page has asked for so far that its language lacks.
   */
  expectAccessible(page: Page, screen: string): Promise<void>;
  /** Full-page PNG `<name>.png` in the screenshot folder. */
  screenshot(page: Page, name: string): Promise<void>;
  token(userId: string): Promise<string>;
  /** JSON over HTTP for test setup and cross-checks: `http(method, url, token, body?)`. */
  http: ReturnType<typeof httpClient>;
  close(): Promise<void>;
}

/** Starts the stack with the console built in `consoleDir` (and extra API/worker settings), and Chromium. */
export async function startConsoleStack({ consoleDir, env = {} }: { consoleDir: string; env?: Record<string, string> }): Promise<ConsoleStack> {
  const stack = await startE2EStack({ CONSOLE_DIR: consoleDir, ...env });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // This machine's network is closed: without these, Chromium keeps trying Google's services.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const contexts: BrowserContext[] = [];
  // Per page: strings the console asked for in a language that lacks them (web/src/i18n reports them).
  const missingTranslations = new WeakMap<Page, Set<string>>();
  const { baseUrl } = stack;

  return {
    stack,
    baseUrl,
    browser,
    async newPage({ width = 1280, height = 900 } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, locale: 'it-IT', baseURL: baseUrl });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const missing = new Set<string>();
      missingTranslations.set(page, missing);
      page.on('console', (message) => {
        if (message.text().startsWith('[i18n] missing')) missing.add(message.text());
      });
      return page;
    },
    async signIn(page, userId) {
      await page.goto('/');
      await page.waitForURL(/\/console\/sign-in\?/);
      await page.locator(`button[data-user-id="${userId}"]`).click();
      // Back from the callback, `/` forwards to the role's home screen.
      await page.waitForURL((url) => url.pathname !== '/' && !url.pathname.startsWith('/console/sign-in') && !url.pathname.startsWith('/console/callback'));
      await page.getByTestId('signed-in-as').waitFor();
    },
    async expectAccessible(page, screen) {
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      const blocking = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
      const summary = blocking.map((violation) => `${violation.impact} ${violation.id}: ${violation.help} — ${violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(' | ')}`);
      console.log(`axe ${screen}: ${results.violations.length} violations (${blocking.length} serious/critical), ${results.passes.length} rules passed`);
      if (blocking.length > 0) throw new Error(`accessibility violations on ${screen}:\n${summary.join('\n')}`);
      const untranslated = [...(missingTranslations.get(page) ?? [])];
      if (untranslated.length > 0) throw new Error(`missing translations up to ${screen}:\n${untranslated.join('\n')}`);
    },
    async screenshot(page, name) {
      mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    },
    token: (userId) => stack.token(userId),
    http: httpClient(baseUrl),
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await stack.close();
    },
  };
}
