/**
 * A referral's acceptance clock in the durable workflow, on Temporal's time-skipping test server:
 * the reminder and the escalation ladder fire days later without anyone acting, an extension moves
 * them, and the receiving service's answers travel as updates whose validators refuse bad ones.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { COMMAND_REJECTED, caseSnapshotQuery, caseUpdates } from '../../domain/case-messages';
import type { Actor } from '../../domain/case-state';
import type { PathwayDefinitionInput } from '../../domain/pathway-schema';
import { cpi, DAY, desk, useTimeSkippingServer } from './time-skipping';

const harness = useTimeSkippingServer();
const t = (it: string) => ({ it });
const supervisor: Actor = { id: 'u-sup', kind: 'user', roles: ['supervisor'], areas: ['livorno'], services: [] };

const referralPathway: PathwayDefinitionInput = {
  key: 'referral-only',
  title: t('Invio al CPI'),
  start: 'intake',
  steps: {
    intake: { kind: 'task', title: t('Accoglienza'), assignee: { service: 'oss' }, next: 'refer_cpi' },
    refer_cpi: {
      kind: 'referral',
      title: t('Invio al CPI'),
      from: 'oss',
      to: { service: 'employment' },
      deadline: { amount: 3, unit: 'calendarDays' },
      reminders: [{ before: { amount: 1, unit: 'calendarDays' } }],
      escalation: [
        { after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' },
        { after: { amount: 4, unit: 'calendarDays' }, role: 'coordinator' },
      ],
      rejectionReasons: [{ code: 'not_activable', label: t('Non attivabile') }],
      outcomes: [{ code: 'placed', label: t('Inserito') }],
      next: 'done',
    },
    done: { kind: 'end', title: t('Fine'), outcome: 'job' },
  },
};

describe('referral acceptance clock (time-skipping)', () => {
  it('reminds before the acceptance deadline, escalates after it, moves on extension, and closes the loop by updates', async () => {
    await harness.withWorker(async ({ start, events, batches }) => {
      const input = await harness.caseInput(referralPathway);
      const handle = await start(input);
      await handle.query(caseSnapshotQuery);
      const { batch } = await handle.executeUpdate(caseUpdates.completeTask, {
        args: [{ actor: desk, command: { kind: 'completeTask', taskId: `${input.caseId}.2`, data: {} } }],
      });
      const referral = batch.referrals?.[0];
      expect(referral).toMatchObject({ status: 'pending', toService: 'employment' });
      const referralId = referral!.id;

      // Three days to accept, a reminder the day before, level 1 a day after: nobody answers for 2.5 days.
      await harness.env.sleep(2.5 * DAY);
      expect(events().filter((e) => e.type === 'referral_reminder_due')).toHaveLength(1);
      expect(events().some((e) => e.type === 'referral_escalated')).toBe(false);
      await harness.env.sleep(2 * DAY);
      expect(events().filter((e) => e.type === 'referral_escalated').map((e) => e.details.level)).toEqual([1]);
      expect((await handle.query(caseSnapshotQuery)).escalationLevel).toBe(1);

      // A supervisor gives the job centre a week more: the ladder restarts from the new deadline.
      const extended = await handle.executeUpdate(caseUpdates.extendReferralDeadline, {
        args: [{ actor: supervisor, command: { kind: 'extendReferralDeadline', referralId, by: { amount: 7, unit: 'calendarDays' }, reason: 'CPI chiuso' } }],
      });
      expect(extended.batch.snapshot.escalationLevel).toBe(0);
      await harness.env.sleep(5 * DAY);
      expect(events().filter((e) => e.type === 'referral_reminder_due')).toHaveLength(2);
      expect(events().filter((e) => e.type === 'referral_escalated')).toHaveLength(1);

      // The referring service cannot answer for the job centre: refused by the validator.
      const refused = await handle
        .executeUpdate(caseUpdates.acceptReferral, { args: [{ actor: desk, command: { kind: 'acceptReferral', referralId } }] })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: COMMAND_REJECTED });

      // The caller of an update writes its result to the read model (as infra/case-commands.ts does).
      batches.push((await handle.executeUpdate(caseUpdates.acceptReferral, { args: [{ actor: cpi, command: { kind: 'acceptReferral', referralId } }] })).batch);
      // Accepted: the acceptance ladder is off, however long the outcome takes.
      await harness.env.sleep(10 * DAY);
      expect(events().filter((e) => e.type === 'referral_escalated')).toHaveLength(1);
      const done = await handle.executeUpdate(caseUpdates.recordReferralOutcome, {
        args: [{ actor: cpi, command: { kind: 'recordReferralOutcome', referralId, outcome: 'placed' } }],
      });
      batches.push(done.batch);
      expect(done.batch.snapshot).toMatchObject({ status: 'closed', outcome: 'job' });
      expect(done.batch.referrals?.map((r) => [r.status, r.outcome])).toEqual([['completed', 'placed']]);
      expect(await handle.result()).toMatchObject({ status: 'closed' });
      const loop = events().filter((e) => e.type.startsWith('referral_')).map((e) => e.type);
      expect(loop).toEqual([
        'referral_created',
        'referral_reminder_due',
        'referral_escalated',
        'referral_deadline_extended',
        'referral_reminder_due',
        'referral_accepted',
        'referral_outcome_recorded',
      ]);
    });
  });
});
