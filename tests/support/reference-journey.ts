/**
 * A person's way through the reference OSS pathway (ADI, simple needs, job-activable), as the
 * answers each service gives at each step. The PAD date lies far enough in the past that the
 * convocation (60 days) and the preliminary assessment (120 days) are already overdue when they
 * open, so their escalation ladders fire at once: real escalations without waiting 120 days.
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
    { stepId: 'convocation', service: 'social', data: { meetingOn: daysAgo(0, now), place: 'Sportello OSS, stazione di Grosseto' } },
    { stepId: 'preliminary_assessment', service: 'social', data: { attendance: 'attended', complexNeeds: false, jobActivable: true } },
    {
      stepId: 'joint_plan',
      service: 'social',
      data: { goals: 'Casa e lavoro', actions: 'CPI: tirocinio; sociale: alloggio', reviewDate: daysAgo(-90, now), signedOn: daysAgo(0, now), personAnswer: 'signed', personSignedOn: daysAgo(0, now) },
    },
    { stepId: 'joint_plan', service: 'employment', data: {} },
  ];
}

/** After the plan: the CPI's employment pact, the check-in that ends the follow-up, no renewal, and the review that closes the case. */
export const followUpAnswers = {
  employment_pact: { cpiOutcome: 'pact_signed', didSigned: true, profiling: 'gol_2', notes: 'Disponibile da subito' },
  checkin: { attendance: 'attended', progress: 'Tirocinio avviato', changeInCircumstances: false },
  adi_renewal: { renew: false },
  review: { outcome: 'job', notes: 'Assunto a tempo determinato' },
} satisfies Record<string, Record<string, FieldValue>>;
