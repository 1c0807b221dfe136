/**
 * Runs an async task over items with a bounded number in flight: for sweeps and benchmarks that must
 * not start thousands of requests at once.
 */

/** Runs `task` for every item, at most `concurrency` at a time, taking items in order. */
export async function forEachLimited<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index], index);
      }
    }),
  );
}
