/**
 * Every pathway authoring issue has a stable message code with the values it names, its English
 * `message` is made from them, and the console can say every code in Italian and English: the
 * translations are checked against the code list, so a new code without both texts fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInstance } from 'i18next';
import { checkPathway } from '../../domain/pathway-checks';
import { checkDefinitionDocument } from '../../domain/pathway-document-checks';
import { englishTemplate, issueText, pathwayMessageCodes } from '../../domain/pathway-issue-messages';
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';
import { sayIssue } from '../../web/src/features/coordinator/issue-text';

const locales = ['it', 'en'] as const;
const translations = Object.fromEntries(
  locales.map((locale) => [locale, JSON.parse(readFileSync(join(__dirname, '../../web/src/locales', locale, 'pathway-issues.json'), 'utf8')) as Record<string, string>]),
) as Record<(typeof locales)[number], Record<string, string>>;
const placeholders = (text: string) => new Set([...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]));

/** The console keys of a code: the code itself, or its plural forms. */
function keysOf(code: (typeof pathwayMessageCodes)[number]): Array<{ key: string; english: string; form: 'one' | 'other' | null }> {
  const template = englishTemplate(code);
  return typeof template === 'string'
    ? [{ key: code, english: template, form: null }]
    : [
        { key: `${code}_one`, english: template.one, form: 'one' },
        { key: `${code}_other`, english: template.other, form: 'other' },
      ];
}

describe('pathway issue message codes', () => {
  it.each(locales)('all have a %s text naming exactly the values the issue carries', (locale) => {
    const missing: string[] = [];
    const wrongValues: string[] = [];
    for (const code of pathwayMessageCodes) {
      for (const { key, english, form } of keysOf(code)) {
        const text = translations[locale][key];
        if (typeof text !== 'string' || text.trim() === '') {
          missing.push(key);
          continue;
        }
        const expected = placeholders(english);
        const actual = placeholders(text);
        // A singular form may say "one" in words instead of the count.
        if (form === 'one') expected.delete('count');
        const unknown = [...actual].filter((name) => !placeholders(english).has(name));
        const dropped = [...expected].filter((name) => !actual.has(name));
        if (unknown.length > 0 || dropped.length > 0) wrongValues.push(`${key}: unknown ${unknown.join(',')} dropped ${dropped.join(',')}`);
      }
    }
    expect(missing).toEqual([]);
    expect(wrongValues).toEqual([]);
  });

  it.each(locales)('leave no %s text for a code that no longer exists', (locale) => {
    const known = new Set(pathwayMessageCodes.flatMap((code) => keysOf(code).map((entry) => entry.key)));
    expect(Object.keys(translations[locale]).filter((key) => !known.has(key))).toEqual([]);
  });

  it('make the English message from the code and its values, choosing the plural by count', () => {
    expect(issueText('step_missing_near', { step: 'rotue', meant: 'route' })).toEqual({
      messageCode: 'step_missing_near',
      params: { step: 'rotue', meant: 'route' },
      message: 'step "rotue" does not exist; did you mean "route"?',
    });
    expect(issueText('step_unreachable_region', { step: 'x', count: 1 }).message).toBe('step "x" cannot be reached from the start step (nor the 1 step after it)');
    expect(issueText('step_unreachable_region', { step: 'x', count: 3 }).message).toBe('step "x" cannot be reached from the start step (nor the 3 steps after it)');
  });
});

/** A document with many kinds of mistakes at once: shape and static. */
function brokenDocument(): Record<string, unknown> {
  const title = { it: 'passo' };
  return {
    key: 'Bad Key',
    title: { it: '' },
    start: 'intake',
    caseFields: [{ key: 'members', type: 'text', label: { it: 'componenti' } }],
    household: { members: 'case.members' },
    steps: {
      intake: {
        kind: 'task',
        title,
        assignee: { service: 'housing', role: 'auditor' },
        form: { fields: [{ key: 'Urgent', type: 'boolean', label: { it: 'urgente' } }, { key: 'kind', type: 'select', label: { it: 'tipo' } }] },
        reminders: [{ before: { amount: 1, unit: 'hours' } }],
        colour: 'blue',
        next: 'rotue',
      },
      route: { kind: 'decision', title, rules: [{ when: { field: 'intake.missing', op: 'exists' }, next: 'orphan' }], otherwise: 'loop_a' },
      orphan: { kind: 'tsak', title },
      loop_a: { kind: 'goto', title, target: 'loop_b' },
      loop_b: { kind: 'goto', title, target: 'loop_a' },
      refer: { kind: 'referral', title, from: 'oss', to: { service: 'oss', role: 'coordinator' }, rejectionReasons: [{ code: 'no', label: title }], outcomes: [{ code: 'ok', label: title }] },
      wait: { kind: 'wait', title },
    },
  };
}

describe('every issue the checks produce', () => {
  it('has a known code, and a static issue says exactly what its code and values say', () => {
    const check = checkDefinitionDocument(brokenDocument(), { services: ['oss', 'social'] });
    expect(check.issues.length).toBeGreaterThan(10);
    const uncoded = check.issues.filter((issue) => issue.messageCode === undefined || !pathwayMessageCodes.includes(issue.messageCode));
    expect(uncoded).toEqual([]);
    for (const issue of check.staticIssues) expect(issueText(issue.messageCode!, issue.params).message).toBe(issue.message);
  });

  it('has a code for the static checks of a parsed definition too (the reference pathway’s kinds of mistakes)', () => {
    const definition = pathwayDefinitionSchema.parse({
      key: 'codes',
      title: { it: 'P' },
      start: 'a',
      steps: {
        a: { kind: 'task', title: { it: 'a' }, assignee: { service: 'nowhere', role: 'operator' }, escalation: [{ after: { amount: 1, unit: 'hours' }, role: 'auditor' }], next: 'b' },
        b: { kind: 'decision', title: { it: 'b' }, rules: [{ when: { field: 'a.x', op: 'gt', value: 'many' }, next: 'a' }], otherwise: 'a' },
        c: { kind: 'end', title: { it: 'c' }, outcome: 'done' },
      },
    });
    const issues = checkPathway(definition, { services: ['oss'] });
    expect(issues.map((issue) => issue.messageCode).sort()).toEqual(['alert_role_cannot_act', 'form_field_unknown', 'step_unreachable', 'task_service_unknown', 'task_without_deadline']);
    for (const issue of issues) expect(issueText(issue.messageCode, issue.params).message).toBe(issue.message);
  });
});

describe('the console’s text of an issue', () => {
  const coordinator = (locale: string) => JSON.parse(readFileSync(join(__dirname, '../../web/src/locales', locale, 'coordinator.json'), 'utf8')) as Record<string, unknown>;
  async function console_(locale: 'it' | 'en') {
    const i18n = createInstance();
    await i18n.init({
      lng: locale,
      ns: ['pathwayIssues', 'coordinator'],
      defaultNS: 'pathwayIssues',
      resources: { [locale]: { pathwayIssues: translations[locale], coordinator: coordinator(locale) } },
      interpolation: { escapeValue: false },
    });
    return i18n;
  }

  it('says a coded issue in Italian or English from its code and values, with field types by their labels', async () => {
    const issue = issueText('step_missing_near', { step: 'rotue', meant: 'route' });
    expect(sayIssue(await console_('it'), { path: ['steps', 'a', 'next'], code: 'unknown_step', ...issue })).toBe('Il passo "rotue" non esiste: forse intendevi "route"?');
    expect(sayIssue(await console_('en'), { path: ['steps', 'a', 'next'], code: 'unknown_step', ...issue })).toBe('Step "rotue" does not exist; did you mean "route"?');
    const region = issueText('step_unreachable_region', { step: 'x', count: 3 });
    expect(sayIssue(await console_('it'), { path: [], ...region })).toBe('Il passo "x" non si raggiunge dal passo iniziale (e nemmeno i 3 passi che lo seguono)');
    const typed = issueText('date_reference_not_date', { field: 'intake.note', type: 'text' });
    expect(sayIssue(await console_('it'), { path: [], ...typed })).toBe('"intake.note" è un campo di tipo Testo breve: un tempo si può contare solo da un campo data');
  });

  it('falls back to the kind of problem and the API’s message for a code it does not know, or none', async () => {
    const it_ = await console_('it');
    expect(sayIssue(it_, { path: [], code: 'unknown_step', messageCode: 'from_a_newer_api', params: {}, message: 'step "x" is new' })).toBe('Passo inesistente: step "x" is new');
    expect(sayIssue(it_, { path: [], code: 'something_else', message: 'as the API says' })).toBe('as the API says');
  });
});
