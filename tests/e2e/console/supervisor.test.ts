/**
 * The area manager's console in a real browser on the real stack. Three cases are walked over the
 * API, as the operators would, to the preliminary assessment with a PAD date 130 days ago: its
 * 120-day deadline is already past when the task opens, so the case is stalled for real (overdue,
 * and escalated once the workflow fires the ladder). The supervisor then finds the case in the
 * stalled list with every reason the API reports, opens it, finds in the reassign picker only the
 * people who can work the task (by name), reassigns it to the social worker and
 * extends its deadline; then moves the other two cases' tasks from the service queue with a bulk
 * reassign, dry run first, and watches the job reach completion. Each screen is checked with axe.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { daysAgo } from '../../support/reference-journey';
import { eventually } from '../stack-processes';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';

jest.setTimeout(240_000);

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/web-supervisor') });
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

interface TaskView {
  taskId: string;
  caseId: string;
  stepId: string;
  assigneeId: string | null;
  status: string;
  dueAt: string | null;
  overdue: boolean;
}
interface StalledItem {
  case: { caseId: string; reference: string };
  since: string;
  reasons: Array<{ type: string; since: string }>;
}

const area = 'grosseto';
const supervisor = `supervisor-${area}`;
const socialWorker = `social-worker-${area}`;
const operatorOf = { outreach: `outreach-operator-${area}`, oss: `oss-operator-${area}`, social: `social-worker-${area}` } as const;
const reasonLabels: Record<string, string> = {
  overdue_task: 'Attività scaduta',
  no_progress: 'Nessun avanzamento',
  no_contact: 'Nessun contatto con la persona',
  escalated: 'Escalation',
  referral_not_accepted: 'Invio non accettato',
  suspended_too_long: 'Sospeso troppo a lungo',
};


/** Waits until the page's heading reads `text` (a new route renders just after the address changes). */
async function expectHeading(page: Page, text: string): Promise<void> {
  await textMatching(page.getByRole('heading', { level: 1 }), new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), `the heading "${text}"`);
}

/** Waits until the element's text matches (screens fill in as their queries answer). */
async function textMatching(locator: Locator, pattern: RegExp, what: string): Promise<string> {
  return eventually(async () => {
    const text = (await locator.textContent()) ?? '';
    return pattern.test(text) ? text : undefined;
  }, what);
}

async function api<T>(user: string, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const answer = await consoleStack.http<T>(method, url, await consoleStack.token(user), body, headers);
  if (answer.status >= 300) throw new Error(`${method} ${url} as ${user}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function openTask(user: string, caseId: string, stepId: string): Promise<TaskView> {
  return eventually(async () => {
    const page = await api<{ items: TaskView[] }>(user, 'GET', `/tasks?caseId=${caseId}&stepId=${stepId}`);
    return page.items.find((task) => task.status === 'open');
  }, `the ${stepId} task of ${caseId}`);
}

async function complete(user: string, caseId: string, stepId: string, data: Record<string, unknown>): Promise<void> {
  const task = await openTask(user, caseId, stepId);
  await api(user, 'POST', `/tasks/${task.taskId}/claim`);
  await api(user, 'POST', `/tasks/${task.taskId}/complete`, { data }, { 'idempotency-key': `supervisor-e2e-${task.taskId}` });
}

/** A case walked by its operators to a preliminary assessment that is overdue from the start. */
async function stalledCase(label: string): Promise<{ caseId: string; reference: string; task: TaskView }> {
  const started = await api<{ caseId: string; reference: string }>(
    operatorOf.outreach,
    'POST',
    '/cases',
    { pathwayKey: 'oss-integrated-pathway', areaId: area, data: { targetGroup: 'homeless' } },
    { 'idempotency-key': `supervisor-e2e-${label}-${Date.now()}` },
  );
  const { caseId } = started;
  await complete(operatorOf.outreach, caseId, 'outreach', { source: 'station', place: 'Stazione di Grosseto', urgent: false });
  await complete(operatorOf.oss, caseId, 'intake', { alias: `Persona ${label}`, householdType: 'single', minors: false, language: 'it', privacyNoticeGiven: true });
  await complete(operatorOf.oss, caseId, 'eligibility', { isee: 4200, inpsApplication: true, measure: 'adi', padDate: daysAgo(130) });
  await complete(operatorOf.social, caseId, 'convocation', { meetingOn: daysAgo(0), place: 'Sportello OSS' });
  const task = await openTask(supervisor, caseId, 'preliminary_assessment');
  expect(task.overdue).toBe(true);
  expect(task.assigneeId).toBeNull();
  return { caseId, reference: started.reference, task };
}

async function stalledList(): Promise<StalledItem[]> {
  return (await api<{ items: StalledItem[] }>(supervisor, 'GET', `/supervision/stalled?areaId=${area}&limit=100`)).items;
}

async function assigneeOf(taskId: string): Promise<string | null> {
  return (await api<TaskView>(supervisor, 'GET', `/tasks/${taskId}`)).assigneeId;
}

describe('supervisor console', () => {
  it('finds a stalled case with its reasons, reassigns and extends its task, bulk-reassigns with a dry run and progress, and exports', async () => {
    const first = await stalledCase('a');
    const second = await stalledCase('b');
    const third = await stalledCase('c');

    // The workflow fires the escalation ladder of the late task on its own: wait until the API reports both rules.
    const expected = await eventually(async () => {
      const item = (await stalledList()).find((entry) => entry.case.caseId === first.caseId);
      const kinds = item?.reasons.map((reason) => reason.type) ?? [];
      return kinds.includes('overdue_task') && kinds.includes('escalated') ? item : undefined;
    }, 'the first case stalled as overdue and escalated');
    expect(expected.reasons.find((reason) => reason.type === 'overdue_task')?.since).toBe(first.task.dueAt);

    // --- The dashboard: the stalled list shows every reason the API reports, with since when.
    const page = await consoleStack.newPage();
    await consoleStack.signIn(page, supervisor);
    expect(new URL(page.url()).pathname).toBe('/console/supervision');
    await expectHeading(page, 'Supervisione');
    const row = page.locator(`[data-testid="stalled-row"][data-case-id="${first.caseId}"]`);
    await row.waitFor();
    await expect(row.getByRole('link', { name: first.reference }).isVisible()).resolves.toBe(true);
    const shownReasons = await row.getByTestId('stalled-reason').evaluateAll((items) => items.map((item) => item.getAttribute('data-reason')));
    expect(shownReasons.sort()).toEqual(expected.reasons.map((reason) => reason.type).sort());
    // Step titles come from the pathway definition, which loads beside the list.
    const rowText = await textMatching(row, /Analisi preliminare/, 'the step title in the stalled row');
    for (const reason of expected.reasons) expect(rowText).toContain(reasonLabels[reason.type]);
    expect(rowText).toContain('1 attività oltre la scadenza');
    expect(rowText).toContain('Analisi preliminare');
    expect(rowText).toContain('coda di Servizio sociale');
    const overdueSince = new Intl.DateTimeFormat('it', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(new Date(first.task.dueAt!));
    expect(rowText).toContain(`dal ${overdueSince}`);
    // Every stalled case of the area is listed (our three, oldest first by the API's order).
    const listed = await page.getByTestId('stalled-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')));
    expect(listed).toEqual((await stalledList()).map((item) => item.case.caseId));
    expect(listed).toEqual(expect.arrayContaining([first.caseId, second.caseId, third.caseId]));
    // Key figures and the open tasks by step agree with what was set up: three late assessments in the social queue.
    await textMatching(page.getByTestId('figure-open-escalations'), /^[1-9]/, 'the open escalations figure');
    const tasksByStep = page.locator('table', { has: page.locator('caption', { hasText: 'Attività aperte per fase' }) });
    await textMatching(tasksByStep.locator('tr', { hasText: 'Analisi preliminare' }).locator('td').first(), /^3$/, 'three open preliminary assessments');
    await consoleStack.expectAccessible(page, 'supervisor dashboard');
    await consoleStack.screenshot(page, 'supervisor-dashboard');

    // --- The drill-down.
    await row.getByRole('link', { name: first.reference }).click();
    await page.waitForURL(new RegExp(`/console/supervision/cases/${first.caseId}$`));
    await expectHeading(page, `Caso ${first.reference}`);
    // Why it is stalled: the same rules as in the list.
    await page.getByTestId('case-stalled').getByTestId('stalled-reason').first().waitFor();
    const drillDownReasons = await page.getByTestId('case-stalled').getByTestId('stalled-reason').evaluateAll((items) => items.map((item) => item.getAttribute('data-reason')));
    expect(drillDownReasons.sort()).toEqual(expected.reasons.map((reason) => reason.type).sort());
    await page.getByTestId('case-summary').waitFor();
    await page.getByTestId('case-timeline').waitFor();
    const card = page.locator(`[data-testid="intervention-task"][data-task-id="${first.task.taskId}"]`);
    await expect(card.getByRole('heading', { level: 3 }).textContent()).resolves.toBe('Analisi preliminare');
    await expect(card.getByTestId('task-assignee').textContent()).resolves.toBe('Nessuno: in coda al servizio');
    await expect(card.getByText('Scaduta', { exact: true }).isVisible()).resolves.toBe(true);
    await consoleStack.expectAccessible(page, 'supervisor case drill-down');

    // The picker offers, by name, only the people who can work this social task (the API's rule): the
    // social worker, the area manager and the admin; no CPI counsellor, coordinator or auditor.
    await card.getByRole('button', { name: 'Riassegna' }).click();
    const picker = card.getByLabel('Nuova persona assegnataria');
    await picker.locator(`option[value="${socialWorker}"]`).waitFor({ state: 'attached' });
    const offered = await picker.locator('option:not([disabled])').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(offered.sort()).toEqual(['admin', socialWorker, `supervisor-${area}`].sort());
    await expect(picker.locator(`option[value="${socialWorker}"]`).textContent()).resolves.toBe('Assistente sociale Grosseto · Servizio sociale');
    await consoleStack.expectAccessible(page, 'supervisor case drill-down (reassign picker)');
    await picker.selectOption(socialWorker);
    await card.getByLabel('Motivazione (obbligatoria)').fill('Copertura assenza');
    await card.getByRole('button', { name: 'Conferma la riassegnazione' }).click();
    await textMatching(card.getByTestId('intervention-outcome'), /^Attività riassegnata: ora è assegnata a Assistente sociale Grosseto\.$/, 'the reassignment outcome');
    await eventually(async () => ((await card.getByTestId('task-assignee').textContent()) === socialWorker ? true : undefined), 'the new assignee on the card');
    expect(await assigneeOf(first.task.taskId)).toBe(socialWorker);
    await page.locator('[data-testid="case-timeline"] li[data-event-type="task_reassigned"]').waitFor();
    await consoleStack.expectAccessible(page, 'supervisor case drill-down (after reassigning)');

    // Extend the deadline by two weeks (not the week the form proposes: the reference pathway warns the
    // area manager 10 days before the new date): the task is no longer overdue.
    await card.getByRole('button', { name: 'Proroga la scadenza' }).click();
    const newDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date(Date.now() + 14 * 86_400_000));
    await card.getByLabel('Nuova scadenza (fine della giornata)').fill(newDay);
    await card.getByLabel('Motivazione (obbligatoria)').fill('In attesa della documentazione ISEE');
    await card.getByRole('button', { name: 'Conferma la proroga' }).click();
    await textMatching(card.getByTestId('intervention-outcome'), /^Scadenza spostata al /, 'the extension outcome');
    const extended = await api<TaskView>(supervisor, 'GET', `/tasks/${first.task.taskId}`);
    expect(extended.overdue).toBe(false);
    expect(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date(extended.dueAt!))).toBe(newDay);
    await eventually(async () => ((await card.getByText('Scaduta', { exact: true }).count()) === 0 ? true : undefined), 'the overdue badge gone');
    await page.locator('[data-testid="case-timeline"] li[data-event-type="deadline_extended"]').waitFor();
    // A new deadline restarts the escalation ladder: the case breaks no rule any more, on the screen as in the API.
    await page.getByTestId('case-not-stalled').waitFor();
    expect(await page.getByTestId('case-not-stalled').textContent()).toBe('Il caso non viola nessuna regola dei casi fermi.');
    expect((await stalledList()).map((item) => item.case.caseId)).not.toContain(first.caseId);
    await consoleStack.screenshot(page, 'supervisor-case');

    // --- Bulk reassign: the social queue's late assessments go to the social worker.
    await page.getByRole('navigation', { name: 'Percorso di navigazione' }).getByRole('link', { name: 'Supervisione' }).click();
    await page.waitForURL(/\/console\/supervision$/);
    await page.getByRole('navigation', { name: 'Sezioni della supervisione' }).getByRole('link', { name: 'Interventi massivi' }).click();
    await page.waitForURL(/\/console\/supervision\/bulk$/);
    await expectHeading(page, 'Interventi massivi');
    await page.getByLabel('Assegnatario attuale').selectOption({ label: 'Nessuno (coda del servizio)' });
    await page.getByLabel('Servizio', { exact: true }).selectOption({ label: 'Servizio sociale' });
    await page.getByLabel('Fase', { exact: true }).selectOption({ label: 'Analisi preliminare' });
    await page.getByLabel('Nuovo assegnatario (identificativo utente)').fill(socialWorker);
    await page.getByLabel('Motivazione (obbligatoria)').fill('Trasferimento del carico di lavoro');
    await page.getByRole('button', { name: 'Simula (nessuna modifica)' }).click();
    await expect(page.getByTestId('dry-run-summary').textContent()).resolves.toBe('2 attività corrispondono ai criteri: 2 verrebbero modificate, 0 non possono esserlo.');
    const changes = await page.getByTestId('dry-run-change').allTextContents();
    expect(changes).toHaveLength(2);
    expect(changes.join('\n')).toContain(second.reference);
    expect(changes.join('\n')).toContain(third.reference);
    for (const change of changes) expect(change).toContain(socialWorker);
    // The dry run changed nothing.
    expect(await assigneeOf(second.task.taskId)).toBeNull();
    expect(await assigneeOf(third.task.taskId)).toBeNull();
    await consoleStack.expectAccessible(page, 'supervisor bulk (dry run)');
    await consoleStack.screenshot(page, 'supervisor-bulk');

    await page.getByRole('button', { name: 'Conferma ed esegui su 2 attività' }).click();
    const progress = page.getByTestId('job-progress');
    await progress.waitFor();
    await page.locator('[data-testid="job-progress"][data-status="completed"]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('job-status').textContent()).resolves.toBe('Completato');
    await expect(page.getByTestId('job-processed').textContent()).resolves.toBe('2 di 2 casi elaborati');
    await expect(page.getByTestId('job-counts').textContent()).resolves.toBe('Eseguiti: 2 · Rifiutati dal caso: 0 · Non riusciti: 0 · In attesa: 0');
    await expect(progress.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe('100');
    const outcomes = await page.getByTestId('job-item').allTextContents();
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) expect(outcome).toContain('Eseguito');
    expect(outcomes.join('\n')).toContain(second.reference);
    expect(await assigneeOf(second.task.taskId)).toBe(socialWorker);
    expect(await assigneeOf(third.task.taskId)).toBe(socialWorker);
    await consoleStack.expectAccessible(page, 'supervisor bulk (after the run)');
    await consoleStack.screenshot(page, 'supervisor-bulk-progress');

    // A bulk extension's dry run: every task the social worker now holds, each with its new deadline; nothing changes.
    await page.getByRole('button', { name: 'Nuovo intervento' }).click();
    await page.locator('label[for="bulk-action-extend"]').click();
    await expect(page.getByLabel('Proroga scadenze').isChecked()).resolves.toBe(true);
    await page.getByLabel('Assegnatario attuale').selectOption({ label: 'Una persona' });
    await page.getByLabel('Identificativo della persona').fill(socialWorker);
    await page.getByLabel('Quantità').fill('5');
    await page.getByLabel('Motivazione (obbligatoria)').fill('Chiusura dello sportello per formazione');
    await page.getByRole('button', { name: 'Simula (nessuna modifica)' }).click();
    await expect(page.getByTestId('dry-run-summary').textContent()).resolves.toBe('3 attività corrispondono ai criteri: 3 verrebbero modificate, 0 non possono esserlo.');
    expect(await page.getByTestId('dry-run-change').count()).toBe(3);
    expect((await api<TaskView>(supervisor, 'GET', `/tasks/${second.task.taskId}`)).dueAt).toBe(second.task.dueAt);
    // Changing the criteria after a dry run asks for a new one before anything can be confirmed.
    await page.getByLabel('Quantità').fill('6');
    await page.getByText('Hai modificato i criteri: ripeti la simulazione prima di confermare.').waitFor();
    expect(await page.getByTestId('bulk-confirm').count()).toBe(0);

    // --- Exports: the cases CSV downloads as a file with our three cases; the indicators count the people taken in.
    await page.getByRole('navigation', { name: 'Sezioni della supervisione' }).getByRole('link', { name: 'Esportazioni e indicatori' }).click();
    await page.waitForURL(/\/console\/supervision\/exports$/);
    await expectHeading(page, 'Esportazioni e indicatori');
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Scarica i casi (CSV)' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^cases-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\n')[0]).toContain('reference');
    for (const stalled of [first, second, third]) expect(csv).toContain(stalled.reference);
    await textMatching(page.getByTestId('export-status'), /^File cases-.+\.csv pronto \(\d/, 'the finished export');
    await page.getByRole('button', { name: 'Calcola gli indicatori' }).click();
    const takenIn = page.getByTestId('indicators').locator('table').first().locator('tbody tr');
    await takenIn.first().waitFor();
    expect(await takenIn.allTextContents()).toEqual(['GrossetoPersona senza dimora33']);
    await consoleStack.expectAccessible(page, 'supervisor exports');
    await consoleStack.screenshot(page, 'supervisor-exports');

    // --- The same screens in English, with the glossary's terms.
    await page.getByRole('button', { name: /^EN/ }).click();
    await expectHeading(page, 'Exports and indicators');
    await page.getByRole('navigation', { name: 'Supervision sections' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { level: 2, name: 'Stalled cases' }).waitFor();
    const englishRow = page.locator(`[data-testid="stalled-row"][data-case-id="${second.caseId}"]`);
    await textMatching(englishRow, /Overdue task.*1 task past its deadline/, 'the stalled reason in English');

    // --- On a tablet in a mobile unit (800 px): the dashboard fits the width, nothing scrolls sideways.
    const tablet = await consoleStack.newPage({ width: 800, height: 1100 });
    await consoleStack.signIn(tablet, supervisor);
    await tablet.locator(`[data-testid="stalled-row"][data-case-id="${second.caseId}"]`).waitFor();
        expect(await tablet.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(800);
    await consoleStack.expectAccessible(tablet, 'supervisor dashboard (tablet)');
    await consoleStack.screenshot(tablet, 'supervisor-dashboard-tablet');
  });
});
