/**
 * Notification emails as staff read them: in Italian (English by the recipient's preference), with
 * the step's title from the pathway definition, areas and services by their directory names and
 * times in Europe/Rome (luxon over Intl), never raw ids, codes and UTC. They carry what the message carries — the case reference, step, service, role,
 * deadline, level and a link — never anything about the person (shared/domain.md, data protection).
 */
import { DateTime } from 'luxon';
import type { DirectoryNames } from '../db/directory-repository';
import type { DigestMessage, EventMessage, NotificationKind, NotificationMessage, StepTitle } from './messages';

export type EmailLocale = 'it' | 'en';

/** The directory's names an email shows for codes; an area or service it does not know shows as its code. */
export type EmailNames = DirectoryNames;

const noNames: EmailNames = { areas: {}, services: {} };

/** The time zone every time in an email is shown in: where the services work. */
export const emailTimeZone = 'Europe/Rome';

interface Catalogue {
  intlLocale: string;
  kinds: Record<NotificationKind, string>;
  events: Record<string, string>;
  roles: Record<string, string>;
  reasons: Record<string, string>;
  labels: { event: string; case: string; area: string; step: string; service: string; fromService: string; role: string; deadline: string; level: string; held: string; at: string; open: string };
  held: { person: string; queue: string };
  level: (level: number) => string;
  digestIntro: (areas: string, at: string) => string;
  digestSince: (reason: string, since: string) => string;
  digestSteps: string;
  digestMore: string;
  digestAll: string;
  digestSubject: (count: number, areas: string) => string;
}

const it: Catalogue = {
  intlLocale: 'it-IT',
  kinds: {
    task_assigned: 'Attività assegnata',
    task_reminder: 'Promemoria scadenza',
    task_escalated: 'Attività in escalation',
    referral: 'Aggiornamento invio',
    case_transfer: "Richiesta di trasferimento all'area",
    supervisor_digest: 'Casi fermi',
  },
  events: {
    task_created: 'nuova attività in coda',
    task_reassigned: 'attività riassegnata',
    reminder_due: 'promemoria della scadenza',
    task_escalated: 'escalation',
    referral_created: 'nuovo invio al servizio',
    referral_accepted: 'invio accettato',
    referral_rejected: 'invio rifiutato',
    referral_outcome_recorded: "esito dell'invio registrato",
    referral_reminder_due: "sollecito dell'invio",
    referral_escalated: 'invio in escalation',
    transfer_requested: "richiesta di trasferimento del caso all'area",
  },
  roles: { operator: 'operatore', supervisor: 'responsabile di area', coordinator: 'coordinatore di zona', admin: 'amministratore', auditor: 'revisore' },
  reasons: {
    overdue_task: 'attività scaduta',
    no_progress: 'nessun avanzamento',
    no_contact: 'nessun contatto con la persona',
    escalated: 'in escalation',
    referral_not_accepted: 'invio non accettato',
    suspended_too_long: 'sospeso da troppo tempo',
    isee_expiring: 'ISEE in scadenza',
  },
  labels: {
    event: 'Evento',
    case: 'Caso',
    area: 'Area',
    step: 'Fase',
    service: 'Servizio',
    fromService: 'Inviato da',
    role: 'Ruolo',
    deadline: 'Scadenza',
    level: 'Livello di escalation',
    held: 'In carico a',
    at: 'Quando',
    open: 'Apri',
  },
  held: { person: 'una persona', queue: 'nessuno (coda del servizio)' },
  level: (level) => `livello ${level}`,
  digestIntro: (areas, at) => `Casi fermi in ${areas} al ${at}:`,
  digestSince: (reason, since) => `${reason} dal ${since}`,
  digestSteps: 'fasi',
  digestMore: 'Ci sono altri casi fermi oltre a quelli elencati.',
  digestAll: 'Tutti i casi fermi',
  digestSubject: (count, areas) => `Casi fermi: ${count} in ${areas}`,
};

const en: Catalogue = {
  intlLocale: 'en-GB',
  kinds: {
    task_assigned: 'Task assigned',
    task_reminder: 'Task reminder',
    task_escalated: 'Task escalated',
    referral: 'Referral update',
    case_transfer: 'Transfer request to the area',
    supervisor_digest: 'Stalled cases',
  },
  events: {
    task_created: 'new task in the queue',
    task_reassigned: 'task reassigned',
    reminder_due: 'deadline reminder',
    task_escalated: 'escalation',
    referral_created: 'new referral to the service',
    referral_accepted: 'referral accepted',
    referral_rejected: 'referral rejected',
    referral_outcome_recorded: 'referral outcome recorded',
    referral_reminder_due: 'referral reminder',
    referral_escalated: 'referral escalated',
    transfer_requested: 'the case is to be transferred to the area',
  },
  roles: { operator: 'operator', supervisor: 'area manager', coordinator: 'district coordinator', admin: 'administrator', auditor: 'auditor' },
  reasons: {
    overdue_task: 'overdue task',
    no_progress: 'no progress',
    no_contact: 'no contact with the person',
    escalated: 'escalated',
    referral_not_accepted: 'referral not accepted',
    suspended_too_long: 'suspended too long',
    isee_expiring: 'ISEE expiring',
  },
  labels: {
    event: 'Event',
    case: 'Case',
    area: 'Area',
    step: 'Step',
    service: 'Service',
    fromService: 'Referred by',
    role: 'Role',
    deadline: 'Deadline',
    level: 'Escalation level',
    held: 'Held by',
    at: 'When',
    open: 'Open',
  },
  held: { person: 'a person', queue: "nobody (the service's queue)" },
  level: (level) => `level ${level}`,
  digestIntro: (areas, at) => `Stalled cases in ${areas} on ${at}:`,
  digestSince: (reason, since) => `${reason} since ${since}`,
  digestSteps: 'steps',
  digestMore: 'More stalled cases are waiting than this digest lists.',
  digestAll: 'All stalled cases',
  digestSubject: (count, areas) => `Stalled cases: ${count} in ${areas}`,
};

const catalogues: Record<EmailLocale, Catalogue> = { it, en };

/** A time in Europe/Rome, in the recipient's language, with its zone (CET or CEST) so it is never ambiguous. */
export function formatEmailTime(iso: string, locale: EmailLocale): string {
  const at = DateTime.fromISO(iso, { zone: emailTimeZone });
  if (!at.isValid) return iso;
  return at.setLocale(catalogues[locale].intlLocale).toLocaleString({ day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
}

/** The step's title in the recipient's language (Italian when the definition has no English), else its id. */
export function stepTitleIn(title: StepTitle | null | undefined, stepId: string | null, locale: EmailLocale): string | null {
  if (title) return (locale === 'en' ? title.en : undefined) ?? title.it;
  return stepId;
}

const known = (table: Record<string, string>, code: string | null): string | null => (code === null ? null : (table[code] ?? code));

/** An area's name, else its id. */
export function areaNameIn(names: EmailNames, areaId: string | null): string | null {
  return areaId === null ? null : (names.areas[areaId] ?? areaId);
}

/** A service's name in the recipient's language (Italian when the directory has no English), else its key. */
export function serviceNameIn(names: EmailNames, service: string | null | undefined, locale: EmailLocale): string | null {
  if (service === null || service === undefined) return null;
  const name = names.services[service];
  if (!name) return service;
  return (locale === 'en' ? name.en : null) ?? name.it;
}

function eventEmail(message: EventMessage, locale: EmailLocale, names: EmailNames): { subject: string; text: string } {
  const c = catalogues[locale];
  const step = stepTitleIn(message.stepTitle, message.stepId, locale);
  const where = [message.caseReference ?? message.caseId, step].filter(Boolean).join(' / ');
  const level = message.kind === 'task_escalated' && message.level ? ` (${c.level(message.level)})` : '';
  const rows: Array<[string, string | number | null]> = [
    [c.labels.event, known(c.events, message.event)],
    [c.labels.at, formatEmailTime(message.occurredAt, locale)],
    [c.labels.case, message.caseReference ?? message.caseId],
    [c.labels.area, areaNameIn(names, message.areaId)],
    [c.labels.step, step],
    [c.labels.service, serviceNameIn(names, message.service, locale)],
    [c.labels.fromService, serviceNameIn(names, message.fromService, locale)],
    [c.labels.role, known(c.roles, message.role)],
    [c.labels.deadline, message.deadline === null ? null : formatEmailTime(message.deadline, locale)],
    [c.labels.level, message.level ? message.level : null],
    [c.labels.held, message.kind === 'referral' || message.kind === 'case_transfer' ? null : message.assignedToPerson ? c.held.person : c.held.queue],
    [c.labels.open, message.link],
  ];
  return {
    subject: `[Reticulate] ${c.kinds[message.kind]}${level}: ${where}`,
    text: rows.filter(([, value]) => value !== null && value !== '').map(([label, value]) => `${label}: ${value}`).join('\n'),
  };
}

function digestEmail(message: DigestMessage, locale: EmailLocale, names: EmailNames): { subject: string; text: string } {
  const c = catalogues[locale];
  const areas = message.areas.map((areaId) => areaNameIn(names, areaId)).join(', ');
  const lines = [c.digestIntro(areas, formatEmailTime(message.generatedAt, locale)), ''];
  for (const item of message.cases) {
    const reasons = item.reasons
      .map((reason) => `${c.digestSince(known(c.reasons, reason.type) ?? reason.type, formatEmailTime(reason.since, locale))}${reason.level ? ` (${c.level(reason.level)})` : ''}`)
      .join('; ');
    const steps = item.openSteps ? item.openSteps.map((step) => stepTitleIn(step.title, step.stepId, locale)) : item.openStepIds;
    lines.push(`- ${item.caseReference} [${areaNameIn(names, item.areaId)}] ${c.digestSteps}: ${steps.join(', ') || '-'}; ${reasons}`, `  ${item.link}`);
  }
  if (message.more) lines.push('', c.digestMore);
  lines.push('', `${c.digestAll}: ${message.link}`);
  return { subject: `[Reticulate] ${c.digestSubject(message.cases.length, areas)}`, text: lines.join('\n') };
}

/** The subject and plain-text body of a notification email in the recipient's language, naming areas and services by `names`. */
export function renderEmail(message: NotificationMessage, locale: EmailLocale, names: EmailNames = noNames): { subject: string; text: string } {
  return message.kind === 'supervisor_digest' ? digestEmail(message, locale, names) : eventEmail(message, locale, names);
}
