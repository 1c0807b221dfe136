/** A workflow that keeps a count in memory and answers an update with it: state that only survives eviction through replay. */
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const incrementUpdate = defineUpdate<number>('increment');
export const stopSignal = defineSignal('stop');

export async function counter(): Promise<number> {
  let count = 0;
  let stopped = false;
  setHandler(incrementUpdate, () => ++count);
  setHandler(stopSignal, () => {
    stopped = true;
  });
  await condition(() => stopped);
  return count;
}
