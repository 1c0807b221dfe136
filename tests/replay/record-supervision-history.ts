/**
 * Records the history of a case that goes through what supervision and coordination added to the
 * case workflow — task claim, release, reassignment and extension, a reminder and escalations that
 * fire on their own, a contact, a closed-loop referral (reminder, escalation, extension, acceptance,
 * outcome), suspension, a migration to a newer pathway version, a transfer, a skipped step and the
 * closure — on Temporal's time-skipping test server, for the replay test. Run it again
 * (`npx tsx tests/replay/record-supervision-history.ts`) only on purpose: a history recorded by an
 * older workflow version is exactly what must keep replaying.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { createCaseActivities } from '../../activities/case-activities';
import type { CaseCommand } from '../../domain/case-commands';
import { caseUpdates, caseWorkflowId, openTasksQuery, workflowTypes, type CaseWorkflowInput } from '../../domain/case-messages';
import type { Actor } from '../../domain/case-state';
import { pathwayDefinitionSchema, type PathwayDefinitionInput } from '../../domain/pathway-schema';
import { timeSkippingServerPath } from '../support/stack';

export const RECORDED_SUPERVISION_HISTORY = path.join(__dirname, 'histories', 'supervision-interventions-referral-migration.json');

const DAY = 86_400_000;
const t = (it: string) => ({ it });

/** Version 1: intake with a deadline, reminder and ladder; a referral to the job centre; a plan task; the end. */
const version1: PathwayDefinitionInput = {
  key: 'replay-supervision',
  title: t('Percorso per il test di replay'),
  start: 'intake',
  steps: {
    intake: {
      kind: 'task',
      title: t('Accoglienza'),
      assignee: { service: 'oss' },
      form: { fields: [{ key: 'alias', label: t('Alias'), type: 'text', required: true }] },
      deadline: { amount: 2, unit: 'workingDays' },
      reminders: [{ before: { amount: 1, unit: 'workingDays' } }],
      escalation: [
        { after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' },
        { after: { amount: 5, unit: 'calendarDays' }, role: 'coordinator' },
      ],
      next: 'refer_cpi',
    },
    refer_cpi: {
      kind: 'referral',
      title: t('Invio al CPI'),
      from: 'oss',
      to: { service: 'employment' },
      deadline: { amount: 3, unit: 'calendarDays' },
      reminders: [{ before: { amount: 1, unit: 'calendarDays' } }],
      escalation: [{ after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' }],
      rejectionReasons: [{ code: 'not_activable', label: t('Non attivabile') }],
      outcomes: [{ code: 'placed', label: t('Inserito') }],
      next: 'plan',
    },
    plan: { kind: 'task', title: t('Piano'), assignee: { service: 'employment' }, deadline: { amount: 10, unit: 'workingDays' }, next: 'done' },
    done: { kind: 'end', title: t('Fine'), outcome: 'job' },
  },
};

/** Version 2: the plan gets a shorter deadline and a check before the end. */
const version2: PathwayDefinitionInput = {
  ...version1,
  steps: {
    ...version1.steps,
    plan: { kind: 'task', title: t('Piano'), assignee: { service: 'employment' }, deadline: { amount: 5, unit: 'workingDays' }, next: 'check' },
    check: { kind: 'task', title: t('Verifica'), assignee: { service: 'oss' }, next: 'done' },
  },
};

const desk: Actor = { id: 'u-desk', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['oss'] };
const desk2: Actor = { id: 'u-desk-2', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['oss'] };
const cpi: Actor = { id: 'u-cpi', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['employment'] };
const supervisor: Actor = { id: 'u-sup', kind: 'user', roles: ['supervisor'], areas: ['livorno', 'lucca'], services: [] };
const admin: Actor = { id: 'u-admin', kind: 'user', roles: ['admin'], areas: [], services: [] };

async function main(): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
  try {
    const activities: ReturnType<typeof createCaseActivities> = { async projectCase() {} };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'record', workflowsPath: require.resolve('../../workflows'), activities });
    await worker.runUntil(async () => {
      const definition = pathwayDefinitionSchema.parse(version1);
      const input: CaseWorkflowInput = {
        caseId: '00000000-0000-4000-8000-0000000005e1',
        reference: 'RT-LI-REPLAY',
        areaId: 'livorno',
        startedAt: new Date(await env.currentTimeMs()).toISOString(),
        startedBy: { id: desk.id, kind: 'user' },
        caseData: {},
        pathway: { key: definition.key, version: 1, definition },
        localHolidays: [{ month: 5, day: 22, name: 'Santa Giulia' }],
        // The time-skipping server has no custom search attributes.
        indexSearchAttributes: false,
      };
      const handle = await env.client.workflow.start(workflowTypes.case, { taskQueue: 'record', workflowId: caseWorkflowId(input.caseId), args: [input] });
      const send = async (actor: Actor, command: CaseCommand) => {
        const update = caseUpdates[command.kind] as typeof caseUpdates.addNote;
        return (await handle.executeUpdate(update, { args: [{ actor, command: command as Extract<CaseCommand, { kind: 'addNote' }> }] })).batch;
      };
      const openTask = async (stepId: string) => {
        const task = (await handle.query(openTasksQuery)).find((candidate) => candidate.stepId === stepId);
        if (!task) throw new Error(`no open task for ${stepId}`);
        return task.id;
      };

      // Intake: claimed, released, reassigned and extended; its reminder and first escalation fire; then done.
      const intake = await openTask('intake');
      await send(desk, { kind: 'claimTask', taskId: intake });
      await send(desk, { kind: 'releaseTask', taskId: intake });
      await send(supervisor, { kind: 'reassignTask', taskId: intake, assigneeId: desk2.id, reason: 'carico di lavoro' });
      await send(supervisor, { kind: 'extendDeadline', taskId: intake, by: { amount: 1, unit: 'workingDays' }, reason: 'persona non raggiungibile' });
      await env.sleep(12 * DAY);
      await send(desk2, {
        kind: 'recordContact',
        outcome: 'failed_attempt',
        channel: 'phone',
        at: new Date((await env.currentTimeMs()) - 60_000).toISOString(),
      });
      const completed = await send(desk2, { kind: 'completeTask', taskId: intake, data: { alias: 'M.' }, idempotencyKey: 'intake-1' });

      // The referral: nobody answers for days (reminder, escalation), a supervisor extends it, the job centre accepts and reports.
      const referralId = completed.referrals?.find((candidate) => candidate.status === 'pending')?.id;
      if (!referralId) throw new Error('completing the intake sent no referral');
      await env.sleep(4.5 * DAY);
      await send(supervisor, { kind: 'extendReferralDeadline', referralId, by: { amount: 3, unit: 'calendarDays' }, reason: 'CPI chiuso' });
      await send(cpi, { kind: 'acceptReferral', referralId });
      await send(cpi, { kind: 'recordReferralOutcome', referralId, outcome: 'placed' });

      // The plan: the person cannot be reached for a while; the case moves to version 2, then to another area.
      await send(desk2, { kind: 'suspendCase', reason: 'irreperibile' });
      await env.sleep(2 * DAY);
      await send(desk2, { kind: 'resumeCase' });
      await send(admin, {
        kind: 'migrateCase',
        fromVersion: 1,
        toVersion: 2,
        definition: pathwayDefinitionSchema.parse(version2),
        stepMapping: {},
        reason: 'nuova versione del percorso',
      });
      await send(supervisor, { kind: 'transferCase', areaId: 'lucca', reason: 'trasferimento di residenza', localHolidays: [{ month: 7, day: 12, name: 'San Paolino' }] });
      await send(supervisor, { kind: 'addNote', text: 'Trasferito a Lucca' });
      const cpiLucca: Actor = { ...cpi, areas: ['lucca'] };
      await send(cpiLucca, { kind: 'completeTask', taskId: await openTask('plan'), data: {} });
      await send(supervisor, { kind: 'skipStep', stepId: 'check', reason: 'verifica non necessaria' });

      const history = await handle.fetchHistory();
      const final = await handle.describe();
      if (final.status.name !== 'COMPLETED') throw new Error(`the recorded case ended ${final.status.name}, not COMPLETED`);
      writeFileSync(RECORDED_SUPERVISION_HISTORY, historyToJSON(history));
      console.log(`recorded ${history.events?.length} events to ${RECORDED_SUPERVISION_HISTORY}`);
    });
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
