/**
 * Drives a case of the repository's reference pathway through the pure engine with a clock: every
 * command runs at a given moment, and the clock first runs up to it, waking the engine exactly when
 * it asks (as the workflow does). Dates are read and written in the case's time zone.
 */
import { DateTime } from 'luxon';
import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { createCase, nextWakeAt, openTasks, tick } from '../../domain/case-engine';
import type { Actor, CaseEvent, CaseState, CaseTask, FieldValue } from '../../domain/case-state';
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';

export const reference = pathwayDefinitionSchema.parse(ossReferencePathway);
export const ZONE = 'Europe/Rome';

const livorno = (id: string, services: string[], roles: Actor['roles'] = ['operator']): Actor => ({ id, kind: 'user', roles, areas: ['livorno'], services });

/** One person per service, an area manager without services, and one holding both plan services. */
export const staff = {
  outreach: livorno('u-outreach', ['outreach']),
  desk: livorno('u-desk', ['oss']),
  social: livorno('u-social', ['social']),
  cpi: livorno('u-cpi', ['employment']),
  areaManager: livorno('u-area-manager', [], ['supervisor']),
  supervisorOfBoth: livorno('u-supervisor-both', ['social', 'employment'], ['supervisor']),
};

/** A moment in local time, e.g. `at('2026-03-02T09:00')`. */
export const at = (localIso: string): Date => DateTime.fromISO(localIso, { zone: ZONE }).toJSDate();
/** The local calendar day of an instant. */
export const localDay = (iso: string | Date): string => (typeof iso === 'string' ? DateTime.fromISO(iso) : DateTime.fromJSDate(iso)).setZone(ZONE).toISODate()!;
/** Whole calendar days from one local date to another. */
export const daysBetween = (from: string, to: string): number => DateTime.fromISO(to, { zone: ZONE }).diff(DateTime.fromISO(from, { zone: ZONE }), 'days').days;

export class ReferenceCase {
  readonly state: CaseState;
  /** The latest moment the clock has run to. */
  private now: Date;

  constructor(caseData: Record<string, FieldValue>, startedAt: Date) {
    this.state = createCase({
      caseId: '71111111-2222-4333-8444-555555555555',
      reference: 'RT-LI-REF001',
      areaId: 'livorno',
      startedAt: startedAt.toISOString(),
      startedBy: { id: staff.outreach.id, kind: 'user' },
      caseData,
      pathway: { key: reference.key, version: 2, definition: reference },
      localHolidays: [],
    }).state;
    this.now = startedAt;
  }

  /** Runs the clock to `until`. */
  runClock(until: Date): void {
    for (let wake = nextWakeAt(this.state); wake && wake.getTime() <= until.getTime(); wake = nextWakeAt(this.state)) tick(this.state, reference, wake);
    tick(this.state, reference, until);
    this.now = until;
  }

  /** The open task of a step; throws, naming what is open, when there is none. */
  task(stepId: string): CaseTask {
    // What the clock made due at this moment (e.g. an occurrence opening now) is in place first, as in the workflow.
    this.runClock(this.now);
    const task = openTasks(this.state).find((candidate) => candidate.stepId === stepId);
    if (!task) throw new Error(`no open task for ${stepId}; open: ${this.openSteps().join(', ') || 'none'} (status ${this.state.status})`);
    return task;
  }

  openSteps(): string[] {
    return openTasks(this.state).map((task) => task.stepId);
  }

  /** Every step that ever had a task, in order of creation. */
  stepsSoFar(): string[] {
    return this.state.tasks.map((task) => task.stepId);
  }

  events(type: CaseEvent['type']): CaseEvent[] {
    return this.state.pendingEvents.filter((event) => event.type === type);
  }

  /** Why `actor` may not run `command` at `when` (after the clock ran to it), or null. */
  rejection(actor: Actor, command: CaseCommand, when: Date) {
    this.runClock(when);
    return checkCommand(this.state, reference, { actor, command });
  }

  run(actor: Actor, command: CaseCommand, when: Date): void {
    const rejection = this.rejection(actor, command, when);
    if (rejection) throw Object.assign(new Error(`${command.kind}: ${rejection.message} ${JSON.stringify(rejection.issues ?? [])}`), { rejection });
    applyCommand(this.state, reference, { actor, command }, when);
  }

  /** Completes (or signs) the open task of `stepId` as `actor` at `when`. */
  complete(actor: Actor, stepId: string, data: Record<string, FieldValue>, when: Date): void {
    this.runClock(when);
    this.run(actor, { kind: 'completeTask', taskId: this.task(stepId).id, data }, when);
  }
}

/** Outreach (not urgent), intake and eligibility for `measure`, from 09:00 on `day`, each an hour apart. */
export function throughEligibility(day: string, eligibility: Record<string, FieldValue>, caseData: Record<string, FieldValue> = { targetGroup: 'homeless' }): ReferenceCase {
  const person = new ReferenceCase(caseData, at(`${day}T09:00`));
  if (caseData.entryPoint !== 'walk_in') person.complete(staff.outreach, 'outreach', { source: 'street', urgent: false }, at(`${day}T09:30`));
  person.complete(staff.desk, 'intake', { alias: 'Persona di prova', privacyNoticeGiven: true }, at(`${day}T10:00`));
  person.complete(staff.desk, 'eligibility', eligibility, at(`${day}T11:00`));
  return person;
}

/** A signed joint plan's answers, signed by the service (and the person) on `day`. */
export const planAnswers = (day: string): Record<string, FieldValue> => ({
  goals: 'Casa e lavoro',
  actions: 'Sociale: alloggio; CPI: tirocinio',
  reviewDate: day,
  signedOn: day,
  personAnswer: 'signed',
  personSignedOn: day,
});
