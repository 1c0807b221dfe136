/**
 * Households in the case workflow on Temporal's time-skipping server: a child under 3 sends the
 * case to the priority assessment, whose 10-day deadline escalates days later while the usual
 * 30-day one has not; completing the assessment through the workflow's Update opens one task per
 * matching member, each id carrying the member's index.
 */
import { caseSnapshotQuery, caseUpdates } from '../../domain/case-messages';
import type { Actor } from '../../domain/case-state';
import { householdPathwayDocument } from '../unit/household-pathway';
import { DAY, useTimeSkippingServer } from './time-skipping';

const harness = useTimeSkippingServer();
const socialWorker: Actor = { id: 'u-social', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['social'] };
const escalating = (stepId: 'early_assessment' | 'assessment') => ({ ...householdPathwayDocument.steps[stepId], escalation: [{ after: { amount: 1, unit: 'calendarDays' as const }, role: 'supervisor' as const }] });
const pathway = {
  ...householdPathwayDocument,
  steps: { ...householdPathwayDocument.steps, early_assessment: escalating('early_assessment'), assessment: escalating('assessment') },
};

async function thisYear(): Promise<number> {
  return new Date(await harness.env.currentTimeMs()).getUTCFullYear();
}

describe('household cases (time-skipping)', () => {
  it('escalates the priority assessment of a household with a toddler after its 10 days, not the usual one', async () => {
    await harness.withWorker(async ({ start, events }) => {
      const year = await thisYear();
      const adult = { relation: 'self', birthYear: year - 40, jobActivable: false };
      const toddler = await start(await harness.caseInput(pathway, { caseData: { members: [adult, { relation: 'child', birthYear: year - 1 }] } }));
      const schoolChild = await start(await harness.caseInput(pathway, { caseData: { members: [adult, { relation: 'child', birthYear: year - 8 }] } }));
      expect((await toddler.query(caseSnapshotQuery)).openStepIds).toEqual(['early_assessment']);
      expect((await schoolChild.query(caseSnapshotQuery)).openStepIds).toEqual(['assessment']);
      await harness.env.sleep(14 * DAY);
      expect((await toddler.query(caseSnapshotQuery)).escalationLevel).toBe(1);
      expect((await schoolChild.query(caseSnapshotQuery)).escalationLevel).toBe(0);
      expect(events().filter((event) => event.type === 'task_escalated').map((event) => event.stepId)).toEqual(['early_assessment']);
    });
  });

  it('opens one task per matching member through the Update, each named by its index', async () => {
    await harness.withWorker(async ({ start }) => {
      const year = await thisYear();
      const input = await harness.caseInput(pathway, {
        caseData: { members: [{ relation: 'self', birthYear: year - 42, jobActivable: true }, { relation: 'partner', birthYear: year - 47, jobActivable: false }] },
      });
      const handle = await start(input);
      await handle.query(caseSnapshotQuery);
      const { batch } = await handle.executeUpdate(caseUpdates.completeTask, {
        args: [{ actor: socialWorker, command: { kind: 'completeTask', taskId: `${input.caseId}.2`, data: {}, idempotencyKey: 'assessed' } }],
      });
      const opened = batch.tasks.filter((task) => task.status === 'open').map((task) => [task.stepId, task.service, task.id.slice(task.id.lastIndexOf('.') + 1)]);
      expect(opened.sort()).toEqual([
        ['cpi_pact', 'employment', 'm0'],
        ['social_checkin', 'social', 'm1'],
      ]);
      expect(batch.snapshot.openStepIds).toEqual(['cpi_pact', 'social_checkin']);
    });
  });
});
