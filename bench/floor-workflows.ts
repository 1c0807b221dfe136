/**
 * The raw Temporal floor for the benchmark: a workflow that does nothing but answer an update, so
 * that a bare start and a bare `executeUpdate` can be timed on the same server as the real cases.
 */
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const pingUpdate = defineUpdate<string, [string]>('ping');
export const finishSignal = defineSignal('finish');

/** Waits for updates until told to finish. */
export async function benchFloor(): Promise<void> {
  let finished = false;
  setHandler(pingUpdate, (value) => value);
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished);
}
