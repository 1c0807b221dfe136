/**
 * Long follow-ups on the time-skipping server: a year of monthly check-ins runs through several
 * continued-as-new runs with bounded history and loses no event. Its own file (and so its own test
 * server): the server stops skipping time after some earlier updates in the same server.
 */
import { caseUpdates } from '../../domain/case-messages';
import { desk, followUpPathway, useTimeSkippingServer } from './time-skipping';

const harness = useTimeSkippingServer();

describe('long follow-ups (time-skipping)', () => {
  it('keeps history bounded by continuing as new through a year of monthly follow-ups', async () => {
    await harness.withWorker(async ({ start, events }) => {
      const input = await harness.caseInput(followUpPathway(12), { historyLimit: 40 });
      const handle = await start(input);
      await handle.executeUpdate(caseUpdates.completeTask, {
        args: [{ actor: desk, command: { kind: 'completeTask', taskId: `${input.caseId}.2`, data: { alias: 'S.' } } }],
      });
      const result = await handle.result();
      expect(result.status).toBe('closed');
      expect(result.outcome).toBe('autonomy');
      const occurrences = events().filter((e) => e.type === 'occurrence_started').map((e) => e.details.occurrence);
      expect(occurrences).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      // Every event reached the read model exactly once by sequence, with no gap across runs.
      const seqs = events().map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      // The chain of runs: the first run handed over (continued as new) and later runs stayed short.
      const firstRun = harness.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId ?? undefined);
      const firstHistory = await firstRun.fetchHistory();
      const last = firstHistory.events?.at(-1);
      expect(last?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
      const finalHistory = await harness.env.client.workflow.getHandle(handle.workflowId).fetchHistory();
      expect(finalHistory.events?.length ?? 0).toBeLessThan(80);
    });
  });
});
