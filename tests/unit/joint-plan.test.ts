/**
 * Joint plan integrity: the services that sign follow from rules (the CPI only when the person is
 * job-activable), and with distinct signers each service signs through a different person who
 * holds it — an area manager cannot sign for two services.
 */
import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { createCase, openTasks } from '../../domain/case-engine';
import type { Actor, CaseState } from '../../domain/case-state';
import { checkPathway } from '../../domain/pathway-checks';
import { pathwayDefinitionSchema, type PathwayDefinition } from '../../domain/pathway-schema';

const t = (it: string) => ({ it });
const services = ['social', 'employment'];
const livorno = (id: string, svc: string[], roles: Actor['roles'] = ['operator']): Actor => ({ id, kind: 'user', roles, areas: ['livorno'], services: svc });
const socialWorker = livorno('u-social', ['social']);
const cpiCounsellor = livorno('u-cpi', ['employment']);
const areaManager = livorno('u-sup', [], ['supervisor']);
const bothServices = livorno('u-both', ['social', 'employment']);

function definition(signOff: Record<string, unknown>): PathwayDefinition {
  return pathwayDefinitionSchema.parse({
    key: 'joint-plan-test',
    title: t('Patto'),
    start: 'assessment',
    steps: {
      assessment: {
        kind: 'task',
        title: t('Analisi preliminare'),
        assignee: { service: 'social' },
        form: { fields: [{ key: 'jobActivable', label: t('Attivabile al lavoro'), type: 'boolean', required: true }] },
        next: 'plan',
      },
      plan: {
        kind: 'task',
        title: t('Patto per l’inclusione'),
        assignee: { service: 'social' },
        form: {
          fields: [
            { key: 'goals', label: t('Obiettivi'), type: 'textarea', required: true },
            // The person's own acknowledgement: signed on a date, or refused (recorded either way).
            { key: 'personAnswer', label: t('Risposta della persona'), type: 'select', required: true, options: [{ value: 'signed', label: t('Firmato') }, { value: 'refused', label: t('Rifiutato') }] },
            { key: 'personSignedOn', label: t('Data della firma'), type: 'date', required: true, when: { field: 'plan.personAnswer', op: 'eq', value: 'signed' } },
          ],
        },
        signOff,
        next: 'done',
      },
      done: { kind: 'end', title: t('Fine'), outcome: 'completed' },
    },
  });
}

const rules = { services: ['social'], alsoWhen: [{ service: 'employment', when: { field: 'assessment.jobActivable', op: 'isTrue' } }], distinctSigners: true };
const planData = { goals: 'Casa e lavoro', personAnswer: 'signed', personSignedOn: '2026-03-20' };

function caseAtPlan(def: PathwayDefinition, jobActivable: boolean): CaseState {
  expect(checkPathway(def, { services })).toEqual([]);
  const { state } = createCase({
    caseId: '41111111-2222-4333-8444-555555555555',
    reference: 'RT-LI-PLAN01',
    areaId: 'livorno',
    startedAt: '2026-03-02T09:00:00.000Z',
    startedBy: { id: socialWorker.id, kind: 'user' },
    caseData: {},
    pathway: { key: def.key, version: 1, definition: def },
    localHolidays: [],
  });
  run(state, def, socialWorker, { kind: 'completeTask', taskId: openTasks(state)[0].id, data: { jobActivable } });
  return state;
}

function run(state: CaseState, def: PathwayDefinition, actor: Actor, command: CaseCommand): void {
  const rejection = checkCommand(state, def, { actor, command });
  if (rejection) throw Object.assign(new Error(rejection.message), { rejection });
  applyCommand(state, def, { actor, command }, new Date('2026-03-20T10:00:00.000Z'));
}

const plan = (state: CaseState) => openTasks(state).find((task) => task.stepId === 'plan')!;

describe('who signs the joint plan', () => {
  it('asks the CPI to sign only when the person is job-activable', () => {
    const def = definition(rules);
    const notActivable = caseAtPlan(def, false);
    expect(plan(notActivable).signOff?.services).toEqual(['social']);
    run(notActivable, def, socialWorker, { kind: 'completeTask', taskId: plan(notActivable).id, data: planData });
    expect(notActivable.status).toBe('closed');

    const activable = caseAtPlan(def, true);
    expect(plan(activable).signOff?.services).toEqual(['social', 'employment']);
    run(activable, def, socialWorker, { kind: 'completeTask', taskId: plan(activable).id, data: planData });
    expect(activable.status).toBe('active');
    run(activable, def, cpiCounsellor, { kind: 'completeTask', taskId: plan(activable).id, data: {} });
    expect(activable.status).toBe('closed');
  });

  it('lets no one sign for two services, nor an area manager sign for a service not theirs', () => {
    const def = definition(rules);
    const state = caseAtPlan(def, true);
    const taskId = plan(state).id;
    expect(checkCommand(state, def, { actor: areaManager, command: { kind: 'completeTask', taskId, data: planData } })?.type).toBe('forbidden');
    run(state, def, bothServices, { kind: 'completeTask', taskId, data: planData });
    const again = checkCommand(state, def, { actor: bothServices, command: { kind: 'completeTask', taskId, data: {} } });
    expect(again).toMatchObject({ type: 'conflict', message: expect.stringContaining('different person') });
    expect(checkCommand(state, def, { actor: areaManager, command: { kind: 'completeTask', taskId, data: {} } })?.type).toBe('forbidden');
    run(state, def, cpiCounsellor, { kind: 'completeTask', taskId, data: {} });
    expect(state.status).toBe('closed');
  });

  it('keeps the old rule without distinctSigners: an area manager may sign for each service in turn', () => {
    const def = definition({ services: ['social', 'employment'] });
    const state = caseAtPlan(def, true);
    run(state, def, areaManager, { kind: 'completeTask', taskId: plan(state).id, data: planData });
    run(state, def, areaManager, { kind: 'completeTask', taskId: plan(state).id, data: {} });
    expect(state.status).toBe('closed');
  });

  it('records the person’s answer: a signature date when signed, none when refused', () => {
    const def = definition(rules);
    const state = caseAtPlan(def, false);
    const taskId = plan(state).id;
    expect(checkCommand(state, def, { actor: socialWorker, command: { kind: 'completeTask', taskId, data: { goals: 'x', personAnswer: 'signed' } } })?.issues).toEqual([{ path: ['personSignedOn'], message: 'required' }]);
    run(state, def, socialWorker, { kind: 'completeTask', taskId, data: { goals: 'x', personAnswer: 'refused' } });
    expect(state.data.plan).toEqual({ goals: 'x', personAnswer: 'refused' });
  });

  it('checks the rules and services of alsoWhen, and asks for two signing services in all', () => {
    const def = definition({ services: ['social'], alsoWhen: [{ service: 'housing', when: { field: 'assessment.jobReady', op: 'isTrue' } }] });
    expect(checkPathway(def, { services }).map((issue) => `${issue.code} ${issue.path.join('.')}`)).toEqual([
      'unknown_service steps.plan.signOff.alsoWhen.0.service',
      'unknown_field steps.plan.signOff.alsoWhen.0.when.field',
    ]);
    expect(() => definition({ services: ['social'] })).toThrow('at least two services');
  });
});
