/**
 * Notification emails in the recipient's language: Italian by default, English by preference, with
 * the step's title from the pathway and every time in Europe/Rome (winter CET and summer CEST, the
 * day shifted where UTC is still on the day before), never raw UTC; nothing about the person.
 */
import { formatEmailTime, renderEmail } from '../../infra/notifications/email-rendering';
import type { DigestMessage, EventMessage } from '../../infra/notifications/messages';
import type { DirectoryNames } from '../../infra/db/directory-repository';

// The directory's names (the `areas` and `services` tables), as the sender reads them.
const names: DirectoryNames = {
  areas: { livorno: 'Zona Livornese', grosseto: 'Zona Amiata Grossetana' },
  services: { oss: { it: 'Sportello unico (OSS)', en: 'One Stop Shop (OSS)' }, employment: { it: "Centro per l'impiego (CPI)", en: 'Job centre (CPI)' }, social: { it: 'Servizio sociale', en: null } },
};

const escalation: EventMessage = {
  kind: 'task_escalated',
  event: 'task_escalated',
  occurredAt: '2026-03-29T00:30:00.000Z',
  caseId: 'case-1',
  caseReference: 'RT-LI-7KQ2',
  areaId: 'livorno',
  stepId: 'intake',
  stepTitle: { it: 'Accoglienza e primo ascolto', en: 'Intake' },
  taskId: 'case-1.t1',
  referralId: null,
  service: 'oss',
  role: 'supervisor',
  deadline: '2026-11-30T22:59:59.000Z',
  level: 1,
  assignedToPerson: false,
  link: 'https://console.example.test/tasks/case-1.t1',
};

describe('event emails', () => {
  it('are Italian by default, with the step title and Europe/Rome times on both sides of the DST change', () => {
    const { subject, text } = renderEmail(escalation, 'it');
    expect(subject).toBe('[Reticulate] Attività in escalation (livello 1): RT-LI-7KQ2 / Accoglienza e primo ascolto');
    // 00:30 UTC on the last Sunday of March is 01:30 CET (before the 02:00 change); 22:59 UTC on 30 November is 23:59 CET.
    expect(text).toContain('Quando: 29 marzo 2026 alle ore 01:30 CET');
    expect(text).toContain('Scadenza: 30 novembre 2026 alle ore 23:59 CET');
    expect(text).toContain('Fase: Accoglienza e primo ascolto');
    expect(text).toContain('Ruolo: responsabile di area');
    expect(text).toContain('In carico a: nessuno (coda del servizio)');
    expect(text).toContain('Apri: https://console.example.test/tasks/case-1.t1');
    expect(text).not.toContain('Z');
    expect(text).not.toContain('case-1.t1\n');
  });

  it('are English by preference, and summer times are CEST (UTC+2)', () => {
    const summer = { ...escalation, occurredAt: '2026-03-29T01:30:00.000Z', deadline: '2026-07-31T21:59:59.000Z' };
    const { subject, text } = renderEmail(summer, 'en');
    expect(subject).toBe('[Reticulate] Task escalated (level 1): RT-LI-7KQ2 / Intake');
    // 01:30 UTC is after the change: 03:30 CEST; 21:59 UTC on 31 July is 23:59 CEST the same day.
    expect(text).toContain('When: 29 March 2026 at 03:30 CEST');
    expect(text).toContain('Deadline: 31 July 2026 at 23:59 CEST');
    expect(text).toContain('Role: area manager');
  });

  it('show the day in Rome when UTC is still on the day before, and fall back to Italian and to the step id', () => {
    expect(formatEmailTime('2026-10-24T23:30:00.000Z', 'it')).toBe('25 ottobre 2026 alle ore 01:30 CEST');
    // 25 October 2026, 01:30 UTC: clocks went back at 01:00 UTC, so it is 02:30 CET (the second 02:30 of the night).
    expect(formatEmailTime('2026-10-25T01:30:00.000Z', 'en')).toBe('25 October 2026 at 02:30 CET');
    const italianOnly = renderEmail({ ...escalation, stepTitle: { it: 'Accoglienza' } }, 'en');
    expect(italianOnly.subject).toBe('[Reticulate] Task escalated (level 1): RT-LI-7KQ2 / Accoglienza');
    const untitled = renderEmail({ ...escalation, kind: 'task_assigned', event: 'task_reassigned', stepTitle: null, assignedToPerson: true }, 'it');
    expect(untitled.subject).toBe('[Reticulate] Attività assegnata: RT-LI-7KQ2 / intake');
    expect(untitled.text).toContain('Evento: attività riassegnata');
    expect(untitled.text).toContain('In carico a: una persona');
  });

  it('say what a referral is for without a task holder', () => {
    const referral: EventMessage = { ...escalation, kind: 'referral', event: 'referral_created', service: 'employment', role: 'operator', level: 0, referralId: 'case-1.r1', taskId: null };
    const { subject, text } = renderEmail(referral, 'it');
    expect(subject).toBe('[Reticulate] Aggiornamento invio: RT-LI-7KQ2 / Accoglienza e primo ascolto');
    expect(text).toContain('Evento: nuovo invio al servizio');
    expect(text).toContain('Servizio: employment');
    expect(text).not.toContain('In carico a');
    expect(text).not.toContain('Livello');
  });
});

describe('names in emails', () => {
  const answer: EventMessage = { ...escalation, kind: 'referral', event: 'referral_accepted', service: 'employment', fromService: 'oss', role: 'operator', level: 0, referralId: 'case-1.r1', taskId: null };

  it('name the area and services in Italian by default, never their codes', () => {
    const { text } = renderEmail(answer, 'it', names);
    expect(text).toContain('Area: Zona Livornese');
    expect(text).toContain("Servizio: Centro per l'impiego (CPI)");
    expect(text).toContain('Inviato da: Sportello unico (OSS)');
    expect(text).not.toMatch(/livorno|employment|: oss/);
  });

  it('name the services in English by preference, in Italian where the directory has no English name', () => {
    const { text } = renderEmail(answer, 'en', names);
    expect(text).toContain('Area: Zona Livornese');
    expect(text).toContain('Service: Job centre (CPI)');
    expect(text).toContain('Referred by: One Stop Shop (OSS)');
    expect(renderEmail({ ...answer, service: 'social' }, 'en', names).text).toContain('Service: Servizio sociale');
  });

  it('show a code the directory does not know as it is, and no referring service outside a referral’s answers', () => {
    const { text } = renderEmail({ ...escalation, areaId: 'empoli', service: 'housing' }, 'it', names);
    expect(text).toContain('Area: empoli');
    expect(text).toContain('Servizio: housing');
    expect(text).not.toContain('Inviato da');
  });

  it('name the areas of a digest', () => {
    const digest: DigestMessage = { kind: 'supervisor_digest', generatedAt: '2026-12-01T06:00:00.000Z', areas: ['grosseto', 'livorno'], cases: [], more: false, link: 'https://console.example.test/supervision/stalled' };
    const { subject, text } = renderEmail(
      { ...digest, cases: [{ caseId: 'c', caseReference: 'RT-GR-1', areaId: 'grosseto', openStepIds: [], reasons: [], link: 'https://console.example.test/cases/c' }] },
      'it',
      names,
    );
    expect(subject).toBe('[Reticulate] Casi fermi: 1 in Zona Amiata Grossetana, Zona Livornese');
    expect(text).toContain('- RT-GR-1 [Zona Amiata Grossetana]');
  });
});

describe('digest emails', () => {
  const digest: DigestMessage = {
    kind: 'supervisor_digest',
    generatedAt: '2026-12-01T06:00:00.000Z',
    areas: ['grosseto'],
    cases: [
      {
        caseId: 'case-2',
        caseReference: 'RT-GR-99AA',
        areaId: 'grosseto',
        openStepIds: ['eligibility'],
        openSteps: [{ stepId: 'eligibility', title: { it: 'Verifica requisiti ADI/SFL', en: 'Eligibility check' } }],
        reasons: [{ type: 'overdue_task', since: '2026-11-28T22:59:59.000Z', taskIds: ['case-2.t4'] }],
        link: 'https://console.example.test/cases/case-2',
      },
    ],
    more: true,
    link: 'https://console.example.test/supervision/stalled',
  };

  it('list the stalled cases with their reasons in words and Rome times, in either language', () => {
    const italian = renderEmail(digest, 'it');
    expect(italian.subject).toBe('[Reticulate] Casi fermi: 1 in grosseto');
    expect(italian.text).toContain('Casi fermi in grosseto al 1 dicembre 2026 alle ore 07:00 CET:');
    expect(italian.text).toContain('- RT-GR-99AA [grosseto] fasi: Verifica requisiti ADI/SFL; attività scaduta dal 28 novembre 2026 alle ore 23:59 CET');
    expect(italian.text).toContain('Ci sono altri casi fermi');
    const english = renderEmail(digest, 'en');
    expect(english.subject).toBe('[Reticulate] Stalled cases: 1 in grosseto');
    expect(english.text).toContain('steps: Eligibility check; overdue task since 28 November 2026 at 23:59 CET');
    // A digest queued before titles were added still reads, by step id.
    const older = renderEmail({ ...digest, cases: digest.cases.map(({ openSteps: _titles, ...rest }) => rest) }, 'en');
    expect(older.text).toContain('steps: eligibility; overdue task');
  });
});
