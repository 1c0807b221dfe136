/**
 * A person's way through the reference OSS pathway, as the answers each service gives at each step.
 * The PAD date lies far enough in the past that the preliminary assessment is already overdue when
 * it opens, so its escalation ladder fires at once: a real escalation without waiting 120 days.
 */
import type { FieldValue } from '../../domain/case-state';

export interface JourneyStep {
  stepId: string;
  /** The service whose operator completes (or signs) the step. */
  service: 'outreach' | 'oss' | 'social' | 'employment';
  data: Record<string, FieldValue>;
}

/** ISO date `days` before `from`. */
export function daysAgo(days: number, from = new Date()): string {
  return new Date(from.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/** From first contact to the signed joint plan; the follow-up and closure are driven separately. */
export function referenceJourneyToJointPlan(now = new Date()): JourneyStep[] {
  return [
    { stepId: 'outreach', service: 'outreach', data: { source: 'station', place: 'Stazione di Grosseto', urgent: false } },
    {
      stepId: 'intake',
      service: 'oss',
      data: { alias: 'Persona di prova', householdType: 'single', minors: false, language: 'it', privacyNoticeGiven: true },
    },
    { stepId: 'eligibility', service: 'oss', data: { isee: 4200, inpsApplication: true, measure: 'adi', padDate: daysAgo(130, now) } },
    { stepId: 'employment_screening', service: 'employment', data: { didSigned: true, notes: 'Disponibile da subito' } },
    { stepId: 'preliminary_assessment', service: 'social', data: { complexNeeds: false, jobActivable: true } },
    { stepId: 'joint_plan', service: 'social', data: { goals: 'Casa e lavoro', actions: 'CPI: tirocinio; sociale: alloggio', reviewDate: daysAgo(-90, now) } },
    { stepId: 'joint_plan', service: 'employment', data: {} },
  ];
}

/** The check-in answers that end the follow-up and the review that closes the case. */
export const followUpAnswers = {
  checkin: { attendance: 'attended', progress: 'Tirocinio avviato', changeInCircumstances: false },
  review: { outcome: 'job', notes: 'Assunto a tempo determinato' },
} satisfies Record<string, Record<string, FieldValue>>;
