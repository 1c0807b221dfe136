/**
 * A background sweep of an API instance: runs every `everyMs` once the app is ready, never two runs
 * at once, and the app's close waits for a run in progress. A failed run is logged and retried at the
 * next tick. The case-start sweep and the command reconciler share it.
 */
import type { FastifyInstance } from 'fastify';
import { loggable } from './problems';

/** Registers `run` to sweep every `everyMs` while the app is up; `what` names it in the log. */
export function sweepPeriodically(fastify: FastifyInstance, everyMs: number, what: string, run: () => Promise<void>): void {
  let current: Promise<void> | null = null;
  const tick = () => {
    if (current) return;
    current = run()
      .catch((error: unknown) => fastify.log.warn({ err: loggable(error) }, `${what} failed; will retry`))
      .finally(() => {
        current = null;
      });
  };
  let timer: NodeJS.Timeout | undefined;
  fastify.addHook('onReady', async () => {
    timer = setInterval(tick, everyMs);
    timer.unref();
  });
  fastify.addHook('onClose', async () => {
    clearInterval(timer);
    await current;
  });
}
