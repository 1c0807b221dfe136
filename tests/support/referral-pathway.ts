/**
 * The reference pathway with one change, for tests of the referral loop: after intake the front
 * desk refers the person to the job centre, which accepts or rejects and reports an outcome.
 * Built from the published reference version the API serves, so the test needs no pathway file.
 */
type Definition = { key: string; steps: Record<string, Record<string, unknown>> } & Record<string, unknown>;

/** A copy of `reference` keyed `key`, with the job-centre referral between intake and what followed it. */
export function pathwayWithCpiReferral(reference: Definition, key: string): Definition {
  const document = structuredClone(reference);
  document.key = key;
  document.title = { it: 'Percorso OSS con invio al CPI', en: 'OSS pathway with a job-centre referral' };
  document.steps.cpi_referral = {
    kind: 'referral',
    title: { it: 'Invio al centro per l’impiego', en: 'Referral to the job centre' },
    from: 'oss',
    to: { service: 'employment' },
    deadline: { amount: 5, unit: 'workingDays' },
    rejectionReasons: [
      { code: 'not_activable', label: { it: 'Non attivabile al lavoro', en: 'Not job-activable' } },
      { code: 'already_in_charge', label: { it: 'Già in carico', en: 'Already in charge' } },
    ],
    outcomes: [
      { code: 'did_signed', label: { it: 'DID sottoscritta', en: 'DID signed' } },
      { code: 'no_show', label: { it: 'Non presentato', en: 'Did not show up' } },
    ],
    next: document.steps.intake.next,
  };
  document.steps.intake = { ...document.steps.intake, next: 'cpi_referral' };
  return document;
}
