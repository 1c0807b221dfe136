/**
 * `npm run bench` (console part): how fast the operator inbox is usable, measured in Debian's
 * Chromium against the whole stack on embedded servers, and the console's download sizes.
 *
 * "Usable" = the inbox table shows its rows (the operator can read and open a task). Two paths:
 *  - load: a full page load of /console/inbox by a signed-in operator (HTML, scripts, styles,
 *    sign-in check, /me and /tasks), as after opening a bookmark or pressing F5;
 *  - navigate: from a freshly loaded case-start screen to the inbox through the menu, inside the
 *    app (the inbox's code chunk and the task list are fetched on the click; the cache is empty).
 * The operator has BENCH_CONSOLE_TASKS open tasks (default 200). Nothing is asserted: figures only.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../infra/config';
import { openLocalIssuer } from '../infra/local-issuer';
import { startBenchStack } from './bench-stack';
import { consoleBundleSizes } from './console-bundle';

const runs = Number(process.env.BENCH_CONSOLE_RUNS ?? 20);
const openTasks = Number(process.env.BENCH_CONSOLE_TASKS ?? 200);
const operator = 'outreach-operator-grosseto';
const repoRoot = path.resolve(__dirname, '..');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function main(): Promise<void> {
  let consoleDir = '';
  const stack = await startBenchStack({
    prefix: 'reticulate-bench-console-',
    taskQueue: 'bench-console',
    prepare: (dir) => {
      consoleDir = path.join(dir, 'console');
      execFileSync('npm', ['run', '--silent', 'build', '-w', 'web', '--', '--logLevel', 'error', '--outDir', consoleDir], { cwd: repoRoot, stdio: 'inherit' });
      return { CONSOLE_DIR: consoleDir };
    },
  });
  const { env, baseUrl } = stack;
  try {
    const sizes = consoleBundleSizes(consoleDir);
    const issuer = await openLocalIssuer(loadConfig(env));
    const auth = `Bearer ${await issuer.issueUserToken(operator)}`;
    for (let i = 0; i < openTasks; i++) {
      const response = await fetch(`${baseUrl}/cases`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ pathwayKey: 'oss-integrated-pathway', areaId: 'grosseto', data: { targetGroup: 'homeless' } }),
      });
      if (response.status !== 201) throw new Error(`case start answered ${response.status}: ${await response.text()}`);
    }

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    stack.defer(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/');
    await page.waitForURL(/\/console\/sign-in\?/);
    await page.locator(`button[data-user-id="${operator}"]`).click();
    const rows = page.locator('[data-testid="inbox-table"] tbody tr');
    await rows.first().waitFor({ timeout: 30_000 });
    const shownRows = await rows.count();

    const load: number[] = [];
    const navigate: number[] = [];
    for (let i = 0; i < runs; i++) {
      const loadStarted = performance.now();
      await page.reload();
      await rows.first().waitFor();
      load.push(performance.now() - loadStarted);

      // A full load of another screen: the app starts with an empty cache, so the inbox must fetch its list.
      await page.goto('/console/cases/new');
      await page.locator('h1').first().waitFor();
      const navigateStarted = performance.now();
      await page.locator('header nav').getByRole('link', { name: /Le mie attività|My tasks/ }).click();
      await rows.first().waitFor();
      navigate.push(performance.now() - navigateStarted);
    }

    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    console.log(`Console (Chromium ${browser.version()}, ${runs} runs, ${openTasks} open tasks for ${operator}, ${shownRows} rows shown on the first page):`);
    console.log(`  inbox usable after a full page load  p50 ${percentile(load, 50).toFixed(0)} ms  p95 ${percentile(load, 95).toFixed(0)} ms  max ${Math.max(...load).toFixed(0)} ms`);
    console.log(`  inbox usable after in-app navigation p50 ${percentile(navigate, 50).toFixed(0)} ms  p95 ${percentile(navigate, 95).toFixed(0)} ms  max ${Math.max(...navigate).toFixed(0)} ms`);
    console.log(`  initial JS ${kb(sizes.initialGzipBytes)} gzipped (${kb(sizes.initialRawBytes)} raw, ${sizes.initialFiles.length} file(s)); lazy screens ${kb(sizes.lazyGzipBytes)} gzipped in ${sizes.lazyFiles.length} chunks; CSS ${kb(sizes.cssGzipBytes)} gzipped`);
  } finally {
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
