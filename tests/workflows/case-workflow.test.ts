/**
 * The case workflow on Temporal's time-skipping test server: days of reminders and escalations
 * pass in milliseconds. The projection activity is a recording fake here; the real PostgreSQL
 * projection is covered by the API and end-to-end tests.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { COMMAND_REJECTED, caseSnapshotQuery, caseUpdates } from '../../domain/case-messages';
import { cpi, DAY, desk, followUpPathway, useTimeSkippingServer } from './time-skipping';

const harness = useTimeSkippingServer();

describe('pathwayCase workflow (time-skipping)', () => {
  it('reminds before the deadline and escalates level by level after it, days later', async () => {
    await harness.withWorker(async ({ start, events }) => {
      const input = await harness.caseInput(followUpPathway(1));
      const handle = await start(input);
      await harness.env.sleep(10 * DAY);
      const snapshot = await handle.query(caseSnapshotQuery);
      expect(snapshot.escalationLevel).toBe(2);
      expect(snapshot.openStepIds).toEqual(['intake']);
      const types = events().map((e) => e.type);
      expect(types.filter((type) => type === 'reminder_due')).toHaveLength(1);
      expect(events().filter((e) => e.type === 'task_escalated').map((e) => e.details.role)).toEqual(['supervisor', 'coordinator']);
      expect(types.indexOf('reminder_due')).toBeLessThan(types.indexOf('task_escalated'));
    });
  });

  it('asks one patch in a new case\'s life: one marker, however many changes it takes and clocks it fires', async () => {
    await harness.withWorker(async ({ start }) => {
      const input = await harness.caseInput(followUpPathway(1));
      const handle = await start(input);
      // Days of reminders and escalations (a clock tick asked a patch of its own before), and a command.
      await harness.env.sleep(10 * DAY);
      await handle.executeUpdate(caseUpdates.claimTask, { args: [{ actor: desk, command: { kind: 'claimTask', taskId: `${input.caseId}.2` }, confirmedSeq: 2 }] });
      const events = (await handle.fetchHistory()).events ?? [];
      const patchIds = events
        .filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((event) => {
          const data = event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
          return (JSON.parse(Buffer.from(data ?? []).toString('utf8')) as { id: string }).id;
        });
      // Each patch asked live is a marker and a TemporalChangeVersion upsert (a visibility write).
      expect(patchIds).toEqual(['patches-of-2026-12']);
    });
  });

  it('completes a task through an update whose result already holds the next step', async () => {
    await harness.withWorker(async ({ start }) => {
      const input = await harness.caseInput(followUpPathway(1));
      const handle = await start(input);
      const { openStepIds } = await handle.query(caseSnapshotQuery);
      expect(openStepIds).toEqual(['intake']);
      const taskId = `${input.caseId}.2`;
      // The caller has the case's first two events in its read model (as the API's start writes them).
      const { batch } = await handle.executeUpdate(caseUpdates.completeTask, {
        args: [{ actor: desk, command: { kind: 'completeTask', taskId, data: { alias: 'R.' }, idempotencyKey: 'once' }, confirmedSeq: 2 }],
      });
      expect(batch.events.map((e) => e.type)).toEqual(['task_completed']);
      expect(batch.snapshot.openStepIds).toEqual(['follow_up']);
      // The same completion again changes nothing. Until a caller says the read model holds the first
      // result (confirmedSeq), every result carries what it may still lack; afterwards only what is new.
      const unconfirmed = await handle.executeUpdate(caseUpdates.completeTask, {
        args: [{ actor: desk, command: { kind: 'completeTask', taskId, data: { alias: 'R.' }, idempotencyKey: 'once' } }],
      });
      expect(unconfirmed.batch.events.map((e) => e.seq)).toEqual(batch.events.map((e) => e.seq));
      const repeat = await handle.executeUpdate(caseUpdates.completeTask, {
        args: [{ actor: desk, command: { kind: 'completeTask', taskId, data: { alias: 'R.' }, idempotencyKey: 'once' }, confirmedSeq: batch.snapshot.version }],
      });
      expect(repeat.batch.events).toHaveLength(0);
    });
  });

  it('stamps a command with the time its sender sent it, never before the case\'s last event', async () => {
    await harness.withWorker(async ({ start }) => {
      const input = await harness.caseInput(followUpPathway(1));
      const handle = await start(input);
      const taskId = `${input.caseId}.2`;
      const started = Date.parse(input.startedAt);
      // Hours away from the workflow's clock (the test server's, minutes at most past the start here).
      const claimedAt = new Date(started + 5 * 3_600_000).toISOString();
      const claimed = await handle.executeUpdate(caseUpdates.claimTask, {
        args: [{ actor: desk, command: { kind: 'claimTask', taskId }, confirmedSeq: 2, sentAt: claimedAt }],
      });
      expect(claimed.batch.events.map((e) => [e.type, e.at])).toEqual([['task_claimed', claimedAt]]);
      // Sent before the case's last event (it waited behind it): stamped at that event, never earlier.
      const released = await handle.executeUpdate(caseUpdates.releaseTask, {
        args: [{ actor: desk, command: { kind: 'releaseTask', taskId }, confirmedSeq: 3, sentAt: input.startedAt }],
      });
      expect(released.batch.events.map((e) => [e.type, e.at])).toEqual([['task_released', claimedAt]]);
      expect((await handle.query(caseSnapshotQuery)).updatedAt).toBe(claimedAt);
    });
  });

  it('refuses a bad command in the validator, leaving no trace in history', async () => {
    await harness.withWorker(async ({ start, batches }) => {
      const input = await harness.caseInput(followUpPathway(1));
      const handle = await start(input);
      await handle.query(caseSnapshotQuery);
      // The first events' projection (an activity) settles first, so only the refused updates could add history.
      for (let i = 0; i < 200 && batches.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(batches.length).toBeGreaterThan(0);
      const historyBefore = (await handle.fetchHistory()).events?.length ?? 0;
      const failures = await Promise.all([
        handle
          .executeUpdate(caseUpdates.completeTask, { args: [{ actor: cpi, command: { kind: 'completeTask', taskId: `${input.caseId}.2`, data: {} } }] })
          .catch((error: unknown) => error),
        handle
          .executeUpdate(caseUpdates.claimTask, { args: [{ actor: desk, command: { kind: 'claimTask', taskId: 'no-such-task' } }] })
          .catch((error: unknown) => error),
      ]);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((failure as WorkflowUpdateFailedError).cause).toMatchObject({ type: COMMAND_REJECTED });
      }
      expect(((failures[0] as WorkflowUpdateFailedError).cause as unknown as { details: unknown[] }).details[0]).toMatchObject({ type: 'forbidden' });
      expect(((failures[1] as WorkflowUpdateFailedError).cause as unknown as { details: unknown[] }).details[0]).toMatchObject({ type: 'not_found' });
      const history = await handle.fetchHistory();
      const updateEvents = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
      expect(updateEvents).toHaveLength(0);
      // Only workflow-task bookkeeping may have been added by the rejected updates, no case events.
      expect((history.events?.length ?? 0) - historyBefore).toBeLessThanOrEqual(6);
    });
  });
});

