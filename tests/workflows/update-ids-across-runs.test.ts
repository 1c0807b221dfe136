/**
 * A keyed repeat that crosses a continue-as-new: Temporal answers a repeated Update id only from the
 * run that took it, so the case carries the ids of the Updates it applied into the next run and
 * answers their repeats there without applying them again. Its own file (and so its own test server).
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { caseUpdates, pendingProjectionQuery } from '../../domain/case-messages';
import { desk, followUpPathway, useTimeSkippingServer } from './time-skipping';

const harness = useTimeSkippingServer();

describe('Update ids across continued-as-new runs', () => {
  it('answers a repeat of an Update applied by the previous run without applying it again', async () => {
    await harness.withWorker(async ({ start }) => {
      const input = await harness.caseInput(followUpPathway(1), { historyLimit: 20 });
      const handle = await start(input);
      const note = (text: string, updateId: string) => handle.executeUpdate(caseUpdates.addNote, { args: [{ actor: desk, command: { kind: 'addNote', text } }], updateId });
      const suspend = () => handle.executeUpdate(caseUpdates.suspendCase, { args: [{ actor: desk, command: { kind: 'suspendCase', reason: 'non reperibile' } }], updateId: 'suspend-once' });

      await note('prima nota', 'note-once');
      await suspend();
      // More commands until the history limit makes the case continue as new.
      for (let i = 0; i < 20 && (await handle.describe()).runId === handle.firstExecutionRunId; i += 1) {
        await note(`nota ${i}`, `note-${i}`);
      }
      expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
      const before = await handle.query(pendingProjectionQuery);

      // Repeats of the first run's Updates, sent to the new run: answered, nothing applied twice.
      await expect(note('prima nota', 'note-once')).resolves.toEqual(expect.objectContaining({ batch: expect.anything() }));
      await expect(suspend()).resolves.toEqual(expect.objectContaining({ batch: expect.anything() }));
      expect((await handle.query(pendingProjectionQuery)).seq).toBe(before.seq);

      // A new id is a new command: another note is applied, a second suspension refused.
      await note('nuova nota', 'note-new');
      expect((await handle.query(pendingProjectionQuery)).seq).toBe(before.seq + 1);
      const again = handle.executeUpdate(caseUpdates.suspendCase, { args: [{ actor: desk, command: { kind: 'suspendCase', reason: 'ancora' } }], updateId: 'suspend-again' });
      await expect(again).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    });
  });
});
