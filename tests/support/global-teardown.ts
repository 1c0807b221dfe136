/** Jest globalTeardown: stops what global-setup.ts started and removes its temp dir. */
import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.reticulateTestStack;
  if (!stack) return;
  globalThis.reticulateTestStack = undefined;
  await Promise.allSettled(stack.stops.map((stop) => stop()));
  if (stack.tempDir) await rm(stack.tempDir, { recursive: true, force: true });
}
