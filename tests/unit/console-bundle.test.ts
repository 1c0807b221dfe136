/**
 * The console's initial download stays small enough for an office PC on a slow line and a tablet
 * in a mobile unit: the JavaScript a first visit loads (the entry chunk and every chunk it imports
 * statically, from Vite's manifest) is at most 300 KB gzipped. Role screens load lazily, on
 * navigation. Measures web/dist, which `npm test` builds first (`npm run build:web`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { consoleBundleSizes } from '../../bench/console-bundle';

const dist = path.resolve(__dirname, '..', '..', 'web', 'dist');
const budgetBytes = 300 * 1024;

it('loads at most 300 KB of gzipped JavaScript before the first screen', () => {
  if (!existsSync(path.join(dist, '.vite', 'manifest.json'))) throw new Error(`no console build in ${dist}: run \`npm run build:web\` first (npm test does)`);
  const sizes = consoleBundleSizes(dist);
  console.log(
    `console bundle: initial JS ${(sizes.initialGzipBytes / 1024).toFixed(1)} KB gzipped (${sizes.initialFiles.length} files, ${(sizes.initialRawBytes / 1024).toFixed(1)} KB raw); ` +
      `lazy chunks ${sizes.lazyFiles.length} (${(sizes.lazyGzipBytes / 1024).toFixed(1)} KB gzipped); CSS ${(sizes.cssGzipBytes / 1024).toFixed(1)} KB gzipped`,
  );
  expect(sizes.initialFiles.length).toBeGreaterThan(0);
  expect(sizes.lazyFiles.length).toBeGreaterThan(0);
  expect(sizes.initialGzipBytes).toBeLessThanOrEqual(budgetBytes);
});
