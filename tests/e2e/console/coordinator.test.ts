/**
 * The district coordinator's console in a real browser on the real stack. The coordinator opens a
 * draft of their area's copy of the reference pathway from version 1, changes the intake's deadline and adds a form
 * field, types an invalid field code and sees the API's message next to the field (and in the
 * summary), fixes it, renames a decision rule and sees the diagram's edge follow, sees a rule over
 * household members' answers (anyMember) whole in the rule editor, publishes (the rule unchanged) and
 * lands on version 2; compares v1 and v2 and sees the changes per step; migrates a case started on
 * v1 to v2 (dry run, then the job's progress to the end); and starts a case on v2 through the
 * version's "start a case" link. Each screen is checked with axe.
 */
import type { Locator, Page } from 'playwright-core';
import { ossReferencePathway } from '../../../infra/reference-pathway';
import { eventually } from '../stack-processes';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';

jest.setTimeout(240_000);

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/web-coordinator') });
  // The reference pathway is regional (only admins change it): the coordinator works on their area's own copy.
  await api(coordinator, 'POST', '/pathways', { ...structuredClone(ossReferencePathway), key: pathwayKey });
  await api(coordinator, 'POST', `/pathways/${pathwayKey}/draft/publish`, {});
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

const pathwayKey = 'oss-grosseto-pathway';
const coordinator = 'coordinator-grosseto';

/** Waits for the page's heading (a navigation renders the new screen a moment after the URL changes). */
async function expectH1(page: Page, text: string): Promise<void> {
  await eventually(async () => ((await page.getByRole('heading', { level: 1 }).textContent()) === text ? true : undefined), `the heading "${text}"`);
}

/** Waits until the element's text matches (screens fill in as their queries and checks answer). */
async function textMatching(locator: Locator, pattern: RegExp, what: string): Promise<string> {
  return eventually(async () => {
    const text = (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '') : '';
    return pattern.test(text) ? text : undefined;
  }, what);
}

/** axe on a settled screen: CSS transitions (a toggle button just pressed) finish first, so contrast is measured on final colours. */
async function checkAccessible(page: Page, screen: string): Promise<void> {
  // Strings, not functions: the tests compile without the DOM library.
  await page.evaluate('Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined)))');
  await consoleStack.expectAccessible(page, screen);
}

/** The first rule of a decision step of the reference pathway, as the repository's YAML holds it. */
function referenceRule(stepId: string): unknown {
  const step = ossReferencePathway.steps[stepId];
  if (step.kind !== 'decision') throw new Error(`${stepId} is not a decision`);
  return step.rules[0].when;
}

async function api<T>(user: string, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const answer = await consoleStack.http<T>(method, url, await consoleStack.token(user), body, headers);
  if (answer.status >= 300) throw new Error(`${method} ${url} as ${user}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

describe('coordinator console', () => {
  // One coordinator's session carried through the steps below, in order.
  let page: Page;
  let running: { caseId: string; reference: string };

  it('opens a draft from v1, sees the API\'s issue next to the field and the diagram follow the edits, and publishes v2', async () => {
    // A case already running on version 1, for the migration later.
    running = await api<{ caseId: string; reference: string }>(
      'outreach-operator-grosseto',
      'POST',
      '/cases',
      { pathwayKey, version: 1, areaId: 'grosseto', data: { targetGroup: 'homeless' } },
      { 'idempotency-key': `coordinator-e2e-${Date.now()}` },
    );

    // --- The pathways list.
    page = await consoleStack.newPage();
    await consoleStack.signIn(page, coordinator);
    expect(new URL(page.url()).pathname).toBe('/console/pathways');
    await expectH1(page, 'Percorsi');
    const card = page.getByTestId(`pathway-${pathwayKey}`);
    await textMatching(card, /Versione 1\s*Pubblicata/, 'version 1 listed as published');
    expect(await card.textContent()).toContain('Percorso integrato One Stop Shop');
    await checkAccessible(page, 'coordinator pathways');
    await consoleStack.screenshot(page, 'coordinator-pathways');

    // --- A draft from version 1, checked as soon as it opens.
    await card.getByRole('button', { name: 'Nuova bozza dalla versione 1' }).click();
    await page.waitForURL(new RegExp(`/console/pathways/${pathwayKey}/draft$`));
    await expectH1(page, 'Bozza: Percorso integrato One Stop Shop');
    const status = page.getByTestId('draft-status');
    await textMatching(status, /Nessun problema/, 'the opened draft checked clean');
    const graphSummary = await textMatching(page.getByTestId('graph-summary'), /\d+ passi, \d+ collegamenti/, 'the diagram');

    // The intake: deadline from 1 to 3 working days, and a new form field.
    await page.getByTestId('step-list').getByRole('button', { name: /Accoglienza e primo ascolto/ }).click();
    await page.locator('#pw-steps-intake-deadline-amount').fill('3');
    expect(await page.locator('#pw-steps-intake-deadline-unit').inputValue()).toBe('workingDays');
    const fieldsBefore = await page.locator('[data-testid^="form-field-"]').count();
    await page.getByRole('button', { name: 'Aggiungi un campo' }).click();
    const keyInput = page.locator(`#pw-steps-intake-form-fields-${fieldsBefore}-key`);
    await page.locator(`#pw-steps-intake-form-fields-${fieldsBefore}-label-it`).fill('Note aggiuntive');
    await keyInput.fill('Note Extra');

    // The API refuses the field code: its message sits under the field and in the summary.
    const keyIssue = page.getByTestId(`issue-steps.intake.form.fields.${fieldsBefore}.key`);
    // In Italian from the issue's message code, not the API's English message.
    await textMatching(keyIssue, /I codici dei campi iniziano con una lettera minuscola/, 'the field code message next to the field');
    expect(await keyIssue.textContent()).not.toMatch(/field keys/);
    expect(await keyInput.getAttribute('aria-invalid')).toBe('true');
    expect(await keyInput.getAttribute('aria-describedby')).toContain(`pw-steps-intake-form-fields-${fieldsBefore}-key-issues`);
    await textMatching(status, /1 errore/, 'the status counting one error');
    // The summary says where in words (the step's title, then the form's field and its code), not as a raw path.
    expect(await page.getByTestId('issue-summary').getByTestId('issue-where').first().textContent()).toBe(`Modulo › Campi n. ${fieldsBefore + 1} › Codice`);
    expect(await page.getByRole('button', { name: 'Pubblica' }).isDisabled()).toBe(true);
    await checkAccessible(page, 'coordinator draft editor (with an error)');
    await consoleStack.screenshot(page, 'coordinator-editor');

    // Fixed: the message goes, the draft is saved and clean again.
    await keyInput.fill('extraNotes');
    await eventually(async () => ((await keyIssue.count()) === 0 ? true : undefined), 'the field message to go');
    await textMatching(status, /Nessun problema.*Bozza salvata/, 'the fixed draft saved and clean');

    // The triage rule's label: the diagram's edge follows.
    await page.getByTestId('step-list').getByRole('button', { name: /Valutazione urgenza/ }).click();
    await page.locator('#pw-steps-triage-rules-0-label-it').fill('Urgente: rischio immediato');
    await textMatching(page.getByTestId('graph-edges'), /Valutazione urgenza \(triage\) → Pronto intervento sociale \(emergency\): Urgente: rischio immediato/, 'the renamed edge in the diagram');
    expect(await page.getByTestId('graph-summary').textContent()).toBe(graphSummary);
    await eventually(async () => ((await page.locator('.react-flow__edge-text', { hasText: 'Urgente: rischio immediato' }).count()) === 1 ? true : undefined), 'the renamed edge drawn');
    await textMatching(status, /Nessun problema.*Bozza salvata/, 'the renamed rule saved');
    await checkAccessible(page, 'coordinator draft editor (clean)');

    // A rule over household members' answers (anyMember) reads readably in the diagram and shows whole in the rule editor.
    const anyMemberRule = referenceRule('member_employment_result');
    expect(anyMemberRule).toHaveProperty('anyMember.step', 'member_employment_pacts');
    expect(await page.getByTestId('graph-edges').textContent()).toContain('(member_employment_result) → Rientro dal CPI al case manager (back_to_case_manager): Rientro al case manager');
    await page.getByTestId('step-list').getByRole('button', { name: /Esito dei patti di servizio dei componenti/ }).click();
    expect(JSON.parse(await page.locator('#pw-steps-member_employment_result-rules-0-when').inputValue())).toEqual(anyMemberRule);

    // The draft against v1 before publishing; back in the editor, the draft reloads as saved.
    await page.getByRole('link', { name: "Confronta con l'ultima versione" }).click();
    await page.waitForURL(/\/diff\?to=draft$/);
    await textMatching(page.getByTestId('diff-summary'), /Da Versione 1 a Bozza:.*2 passi modificati/, 'the draft compared with version 1');
    await page.goBack();
    await page.waitForURL(new RegExp(`/console/pathways/${pathwayKey}/draft$`));
    await textMatching(status, /Nessun problema/, 'the reopened draft checked clean');
    await page.getByTestId('step-list').getByRole('button', { name: /Accoglienza e primo ascolto/ }).click();
    expect(await page.locator('#pw-steps-intake-deadline-amount').inputValue()).toBe('3');

    // --- Publish, with confirmation: version 2.
    await page.getByRole('button', { name: 'Pubblica' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Sì, pubblica' }).click();
    await page.waitForURL(new RegExp(`/console/pathways/${pathwayKey}/versions/2\\?published=1$`));
    await expectH1(page, 'Percorso integrato One Stop Shop – versione 2');
    await expect(page.getByTestId('published-message').textContent()).resolves.toContain('Pubblicata la versione 2');
    await page.getByTestId('graph-edges').waitFor({ state: 'attached' });
    await checkAccessible(page, 'coordinator version view');
    await consoleStack.screenshot(page, 'coordinator-version');
    const versions = await api<{ items: { version: number; status: string }[] }>(coordinator, 'GET', `/pathways/${pathwayKey}/versions`);
    expect(versions.items.map((item) => `${item.version}:${item.status}`)).toEqual(['2:published', '1:published']);
    // Opened and saved through the editor, the anyMember rule comes back as it was.
    const v2 = await api<{ definition: { steps: Record<string, { rules?: { when: unknown }[] }> } }>(coordinator, 'GET', `/pathways/${pathwayKey}/versions/2`);
    expect(v2.definition.steps.member_employment_result.rules?.[0].when).toEqual(referenceRule('member_employment_result'));
  });

  it('compares v1 and v2 step by step, migrates the case on v1 (dry run, then progress) and starts a case on v2', async () => {

    // --- The diff v1 ↔ v2, per step, side by side.
    await page.getByRole('link', { name: 'Confronta v1 e v2' }).click();
    await page.waitForURL(new RegExp(`/console/pathways/${pathwayKey}/diff\\?from=1&to=2$`));
    await expectH1(page, 'Confronto tra versioni: Percorso integrato One Stop Shop');
    await textMatching(page.getByTestId('diff-summary'), /0 passi aggiunti.*0 passi eliminati.*2 passi modificati/, 'the diff summary');
    const intakeDiff = page.getByTestId('diff-step-intake');
    expect(await intakeDiff.textContent()).toContain('Modificato');
    const deadlineRow = intakeDiff.locator('tr', { hasText: 'deadline.amount' });
    expect(await deadlineRow.locator('td').allTextContents()).toEqual(['1', '3']);
    const newFieldRow = intakeDiff.locator('tr', { hasText: 'form.fields[extraNotes].label.it' });
    expect(await newFieldRow.locator('td').allTextContents()).toEqual(['assente', 'Note aggiuntive']);
    const triageRow = page.getByTestId('diff-step-triage').locator('tr', { hasText: 'rules[0].label.it' });
    expect(await triageRow.locator('td').allTextContents()).toEqual(['Urgente', 'Urgente: rischio immediato']);
    await checkAccessible(page, 'coordinator diff');
    await consoleStack.screenshot(page, 'coordinator-diff');

    // --- Migrate the case running on v1: dry run, then the job's progress to the end.
    await page.goto(`/console/pathways/${pathwayKey}/migrations?to=2`);
    await expectH1(page, 'Migrazione dei casi aperti: Percorso integrato One Stop Shop');
    await page.getByLabel('Motivo').fill('Nuova scadenza per il primo ascolto');
    await page.getByRole('button', { name: 'Simula la migrazione' }).click();
    const dryRun = page.getByTestId('dry-run');
    await textMatching(dryRun, /1 casi su 1 possono passare dalla versione 1 alla versione 2/, 'the dry run');
    expect(await dryRun.textContent()).toContain(running.reference);
    await checkAccessible(page, 'coordinator migration (dry run)');
    await page.getByRole('button', { name: 'Migra 1 caso' }).click();
    const progress = page.getByTestId('job-progress');
    await textMatching(progress, /Migrazione conclusa: 1 spostati, 0 rifiutati, 0 non riusciti, su 1/, 'the migration job to finish');
    expect(await progress.locator('progress').getAttribute('value')).toBe('1');
    expect(await progress.locator('progress').getAttribute('max')).toBe('1');
    await checkAccessible(page, 'coordinator migration (done)');
    await consoleStack.screenshot(page, 'coordinator-migration');
    const migrated = await api<{ pathwayVersion: number }>(coordinator, 'GET', `/cases/${running.caseId}`);
    expect(migrated.pathwayVersion).toBe(2);

    // --- Start a case on v2 from the version view's link (the operator's start page, preselected).
    await page.goto(`/console/pathways/${pathwayKey}/versions/2`);
    await page.getByTestId('start-case-link').click();
    await page.waitForURL(new RegExp(`/console/cases/new\\?pathway=${pathwayKey}&version=2$`));
    await expect(page.locator('#start-pathway').inputValue()).resolves.toBe(pathwayKey);
    await eventually(async () => ((await page.locator('#start-version').inputValue()) === '2' ? true : undefined), 'version 2 preselected');
    await page.getByLabel('Gruppo destinatario').selectOption({ label: 'Persona senza dimora' });
    await page.getByRole('button', { name: 'Avvia il caso' }).click();
    await page.waitForURL(/\/console\/cases\/[0-9a-f-]{36}$/);
    await textMatching(page.getByTestId('case-summary'), /Percorso integrato One Stop Shop · versione 2/, 'the new case on version 2');

  });

  it('on a tablet in English: opens a draft from v2, warns about someone else\'s save, retires v1 and creates a new pathway', async () => {
    // --- On a tablet (800 px) in English: a new draft from v2; nothing is wider than the screen.
    const tablet = await consoleStack.newPage({ width: 800, height: 1100 });
    await consoleStack.signIn(tablet, coordinator);
    await tablet.getByRole('button', { name: /^EN/ }).click();
    await expectH1(tablet, 'Pathways');
    await tablet.getByTestId(`pathway-${pathwayKey}`).getByRole('button', { name: 'New draft from version 2' }).click();
    await tablet.waitForURL(new RegExp(`/console/pathways/${pathwayKey}/draft$`));
    await expectH1(tablet, 'Draft: One Stop Shop integrated pathway');
    await textMatching(tablet.getByTestId('draft-status'), /No problems/, 'the English draft checked clean');
    await textMatching(tablet.getByTestId('graph-summary'), /\d+ steps, \d+ transitions/, 'the English diagram');
    expect(await tablet.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(800);
    await checkAccessible(tablet, 'coordinator draft editor (tablet, English)');

    // Someone else saves the draft meanwhile (drafts have no ETag): the editor warns, and can load their version.
    const draft = await api<{ document: { title: { it: string; en?: string } } }>('admin', 'GET', `/pathways/${pathwayKey}/draft`);
    await api('admin', 'PUT', `/pathways/${pathwayKey}/draft`, { ...draft.document, title: { it: 'Percorso OSS (rivisto)', en: 'OSS pathway (revised)' } });
    await tablet.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await textMatching(tablet.getByTestId('foreign-edit'), /admin changed this draft/, 'the warning about the other save');
    await tablet.getByRole('button', { name: /Load their version/ }).click();
    await expectH1(tablet, 'Draft: OSS pathway (revised)');
    await textMatching(tablet.getByTestId('draft-status'), /No problems.*Draft saved/, 'their version saved clean');
    expect(await tablet.getByTestId('foreign-edit').count()).toBe(0);

    // The advanced JSON view holds the same document; broken JSON is reported and not applied.
    await tablet.getByRole('button', { name: 'Advanced JSON' }).click();
    const json = tablet.getByLabel('Pathway definition (JSON)');
    expect(await json.inputValue()).toContain('"en": "OSS pathway (revised)"');
    await json.fill('{ "key": ');
    await textMatching(tablet.locator('#pw-document-parse'), /Invalid JSON/, 'the JSON parse error');
    await expectH1(tablet, 'Draft: OSS pathway (revised)');
    await checkAccessible(tablet, 'coordinator draft editor (JSON view, tablet)');
    await tablet.getByRole('button', { name: 'Form', exact: true }).click();

    // Version 1 retired (its only case moved to v2): no case can start on it any more.
    await tablet.goto(`/console/pathways/${pathwayKey}/versions/1`);
    await expectH1(tablet, 'One Stop Shop integrated pathway – version 1');
    await tablet.getByRole('button', { name: 'Retire the version' }).click();
    await tablet.getByRole('alertdialog').getByRole('button', { name: 'Yes, retire' }).click();
    await textMatching(tablet.locator('main .badge').first(), /^Retired$/, 'version 1 shown as retired');
    expect(await tablet.getByTestId('start-case-link').count()).toBe(0);
    await checkAccessible(tablet, 'coordinator version view (retired, tablet)');

    // A brand-new pathway: a draft with a first step and a closure, valid from the start.
    await tablet.goto('/console/pathways');
    await tablet.getByLabel('Pathway code').fill('test-pathway');
    await tablet.getByLabel('Title (Italian)').fill('Percorso di prova');
    await tablet.getByRole('button', { name: 'Create the draft' }).click();
    await tablet.waitForURL(/\/console\/pathways\/test-pathway\/draft$/);
    await expectH1(tablet, 'Draft: Percorso di prova');
    await textMatching(tablet.getByTestId('draft-status'), /No problems/, 'the new pathway checked clean');
    await textMatching(tablet.getByTestId('graph-summary'), /^2 steps, 1 transition$/, 'the new pathway diagram');

    // Renaming its first step carries the start and the transition along: still valid, same diagram.
    await tablet.getByRole('button', { name: 'Change code' }).click();
    await tablet.getByLabel('New step code').fill('primo_ascolto');
    await tablet.getByRole('button', { name: 'Apply' }).click();
    await textMatching(tablet.getByTestId('graph-edges'), /\(primo_ascolto\) → Closure \(chiusura\)/, 'the renamed step in the diagram');
    await textMatching(tablet.getByTestId('draft-status'), /No problems.*Draft saved/, 'the renamed step saved clean');
    const renamed = await api<{ document: { start: string; steps: Record<string, { next?: string }> } }>(coordinator, 'GET', '/pathways/test-pathway/draft');
    expect(renamed.document.start).toBe('primo_ascolto');
    expect(renamed.document.steps.primo_ascolto.next).toBe('chiusura');
  });
});
