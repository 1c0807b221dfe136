/**
 * The operator's console in a real browser on the real stack: an outreach operator records a first
 * contact (starts a case) from the UI, records contacts, finds the first task in the inbox, submits
 * it once with a required answer missing (and sees the field's message), completes it; the OSS
 * front desk then completes intake and eligibility (moving straight on to the next task), and the
 * social worker finds the preliminary assessment in their inbox, overdue and escalated because the
 * PAD date is long past. Each step checks what the person sees: rows, badges, statuses, timeline.
 */
import type { Page } from 'playwright-core';
import { eventually } from '../stack-processes';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';

// One long walk through four operators' screens: more than jest's default minute on a shared machine.
jest.setTimeout(240_000);

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/web-operator') });
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

/** Waits for the page's one heading to say `text` (screens load lazily). */
const expectH1 = (page: Page, text: string) => page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();
/** Ticks a radio button or checkbox as a person does: bootstrap-italia draws them on the label. */
const tick = (page: Page, inputId: string) => page.locator(`label[for="${inputId}"]`).click();
/** Waits for the message a screen shows after an action to read `text` (or contain it). */
const expectFlash = (page: Page, text: string) => page.getByTestId('flash').filter({ hasText: text }).waitFor();
const inboxRowOf = (page: Page, reference: string) => page.getByTestId('inbox-row').filter({ hasText: reference });

async function casesInGrosseto(token: string): Promise<number> {
  const answer = await consoleStack.http<{ items: unknown[] }>('GET', '/cases?areaId=grosseto&limit=100', token);
  expect(answer.status).toBe(200);
  return answer.body.items.length;
}

async function timelineTexts(page: Page): Promise<string[]> {
  await page.getByTestId('case-timeline').waitFor();
  return page.getByTestId('case-timeline').locator('li').allTextContents();
}

describe('operator console', () => {
  it('starts a case from a first contact and completes its first steps, as each operator sees them', async () => {
    const outreachToken = await consoleStack.token('outreach-operator-grosseto');
    const casesBefore = await casesInGrosseto(outreachToken);

    // --- The outreach operator signs in and records a first contact.
    const outreach = await consoleStack.newPage();
    await consoleStack.signIn(outreach, 'outreach-operator-grosseto');
    expect(new URL(outreach.url()).pathname).toBe('/console/inbox');
    await expectH1(outreach, 'Le mie attività');
    await consoleStack.expectAccessible(outreach, 'operator inbox (before the case)');

    await outreach.getByRole('link', { name: 'Registra un primo contatto' }).click();
    await outreach.waitForURL(/\/console\/cases\/new$/);
    await expectH1(outreach, 'Registra un primo contatto');
    // The only published pathway is preselected, on its newest version.
    await expect(outreach.locator('#start-pathway').inputValue()).resolves.toBe('oss-integrated-pathway');
    await outreach.locator('#start-version').locator('option', { hasText: 'Versione 1 (la più recente)' }).waitFor({ state: 'attached' });
    // The target group is required: sending without it shows the field's message, nothing is started.
    await outreach.getByRole('button', { name: 'Avvia il caso' }).click();
    await expect(outreach.getByTestId('error-targetGroup').textContent()).resolves.toBe('Questo campo è obbligatorio.');
    await consoleStack.expectAccessible(outreach, 'start case (with a validation message)');
    expect(await casesInGrosseto(outreachToken)).toBe(casesBefore);
    await outreach.getByLabel('Gruppo destinatario').selectOption({ label: 'Persona senza dimora' });
    await expect(outreach.getByTestId('error-targetGroup').count()).resolves.toBe(0);
    await consoleStack.expectAccessible(outreach, 'start case');
    await consoleStack.screenshot(outreach, 'operator-start-case');
    // A double click starts one case (the Idempotency-Key is the same for the same form).
    await outreach.getByRole('button', { name: 'Avvia il caso' }).dblclick();
    await outreach.waitForURL(/\/console\/cases\/[0-9a-f-]{36}$/);
    const caseId = new URL(outreach.url()).pathname.split('/').pop() as string;
    const reference = (await outreach.getByTestId('case-reference').textContent()) ?? '';
    expect(reference).toMatch(/^RT-[A-Z]+-[0-9A-Z]{6}$/);
    await expectFlash(outreach, `Caso ${reference} avviato.`);
    expect(await casesInGrosseto(outreachToken)).toBe(casesBefore + 1);

    // The coordinator's "start a case on this version" link preselects pathway and version.
    await outreach.goto('/console/cases/new?pathway=oss-integrated-pathway&version=1');
    await expectH1(outreach, 'Registra un primo contatto');
    await outreach.locator('#start-version option[value="1"]').waitFor({ state: 'attached' });
    await expect(outreach.locator('#start-pathway').inputValue()).resolves.toBe('oss-integrated-pathway');
    await expect(outreach.locator('#start-version').inputValue()).resolves.toBe('1');
    // A link to a version not open to new cases offers the newest one, and says so.
    await outreach.goto('/console/cases/new?pathway=oss-integrated-pathway&version=7');
    await expect(outreach.getByTestId('version-unavailable').textContent()).resolves.toBe('La versione 7 non è aperta a nuovi casi: è proposta la più recente.');
    await expect(outreach.locator('#start-version').inputValue()).resolves.toBe('1');
    await outreach.goto(`/console/cases/${caseId}`);

    // --- The case page: summary, the open outreach task, the timeline.
    await expectH1(outreach, `Caso ${reference}`);
    const summary = outreach.getByTestId('case-summary');
    await expect(summary.textContent()).resolves.toContain('Percorso integrato One Stop Shop · versione 1');
    await expect(summary.textContent()).resolves.toContain('Attivo');
    await expect(summary.textContent()).resolves.toContain('Nessun contatto registrato');
    await expect(outreach.getByTestId('case-open-tasks').textContent()).resolves.toContain('Aggancio e invio');
    await expect(summary.textContent()).resolves.toContain('Persona senza dimora');
    let events = await timelineTexts(outreach);
    expect(events[0]).toContain('Caso avviato');
    expect(events.some((text) => text.includes('Attività creata — Aggancio e invio') && text.includes('Unità di strada'))).toBe(true);

    // A failed attempt goes on the timeline but does not count as a contact; a successful one does.
    await tick(outreach, 'contact-outcome-failed_attempt');
    await outreach.getByLabel('Canale').selectOption('phone');
    await outreach.getByLabel('Nota (facoltativa)').fill('Telefono spento');
    await outreach.getByRole('button', { name: 'Registra il contatto' }).click();
    await expect(outreach.getByTestId('contact-done').textContent()).resolves.toBe('Contatto registrato. Tentativo di contatto fallito.');
    await outreach.getByTestId('case-timeline').getByText('Telefono spento', { exact: false }).waitFor();
    await expect(summary.textContent()).resolves.toContain('Nessun contatto registrato');
    await tick(outreach, 'contact-outcome-reached');
    await outreach.getByLabel('Canale').selectOption('visit');
    await outreach.getByRole('button', { name: 'Registra il contatto' }).click();
    await expect(outreach.getByTestId('contact-done').textContent()).resolves.toBe('Contatto registrato. Contatto riuscito.');
    await outreach.getByTestId('case-timeline').getByText('Contatto riuscito · Visita').waitFor();
    await eventually(async () => ((await summary.textContent())?.includes('Nessun contatto registrato') ? undefined : true), 'last contact shown');
    events = await timelineTexts(outreach);
    expect(events.filter((text) => text.startsWith('Contatto con la persona'))).toEqual([
      expect.stringContaining('Tentativo di contatto fallito · Telefono'),
      expect.stringContaining('Contatto riuscito · Visita'),
    ]);
    await consoleStack.expectAccessible(outreach, 'case page');
    await consoleStack.screenshot(outreach, 'operator-case');

    // --- The inbox shows the new task, unassigned, with its deadline badges as the API computes them.
    await outreach.getByRole('link', { name: 'Le mie attività' }).first().click();
    await outreach.getByTestId('inbox-table').waitFor();
    const row = inboxRowOf(outreach, reference);
    await expect(row.count()).resolves.toBe(1);
    await row.getByRole('link', { name: 'Aggancio e invio' }).waitFor();
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('Da prendere in carico');
    expect(rowText).toContain('Non assegnata');
    const apiTasks = await consoleStack.http<{ items: Array<{ taskId: string; caseId: string; overdue: boolean; escalationLevel: number }> }>('GET', `/tasks?caseId=${caseId}`, outreachToken);
    const outreachTask = apiTasks.body.items[0];
    await expect(row.getByTestId('badge-overdue').count()).resolves.toBe(outreachTask.overdue ? 1 : 0);
    // The assignment filter: the unassigned task is among "unassigned", not among "assigned to me".
    await outreach.getByLabel('Assegnazione').selectOption('mine');
    await outreach.getByTestId('inbox-empty').waitFor();
    await outreach.getByLabel('Assegnazione').selectOption('unassigned');
    await inboxRowOf(outreach, reference).waitFor();
    await outreach.getByLabel('Assegnazione').selectOption('mineAndUnassigned');
    await inboxRowOf(outreach, reference).waitFor();
    await consoleStack.expectAccessible(outreach, 'operator inbox');

    // --- The task: take it up, send it without the required answer, then complete it.
    await inboxRowOf(outreach, reference).getByRole('link', { name: 'Aggancio e invio' }).click();
    await outreach.waitForURL(`/console/tasks/${outreachTask.taskId}`);
    await expectH1(outreach, 'Attività: Aggancio e invio');
    await expect(outreach.getByTestId('task-status').textContent()).resolves.toBe('Da prendere in carico');
    await outreach.getByRole('button', { name: 'Prendi in carico' }).click();
    await outreach.getByRole('status').getByText("Hai preso in carico l'attività.", { exact: true }).waitFor();
    await outreach.getByTestId('task-status').getByText('In carico', { exact: true }).waitFor();
    await expect(outreach.getByTestId('task-assignee').textContent()).resolves.toBe('Tu (outreach-operator-grosseto)');
    await consoleStack.expectAccessible(outreach, 'task page');

    await outreach.getByLabel('Canale di aggancio').selectOption({ label: 'Stazione / punto di accesso' });
    await outreach.getByLabel('Luogo').fill('Stazione di Grosseto');
    await outreach.getByRole('button', { name: "Completa l'attività" }).click();
    await expect(outreach.getByTestId('error-urgent').textContent()).resolves.toBe('Questo campo è obbligatorio.');
    await expect(outreach.getByTestId('form-errors').textContent()).resolves.toContain('Situazione urgente');
    await consoleStack.expectAccessible(outreach, 'task page (with validation messages)');
    await consoleStack.screenshot(outreach, 'operator-task');
    await expect(outreach.getByTestId('task-status').textContent()).resolves.toBe('In carico');

    await tick(outreach, 'task-field-urgent-false');
    await outreach.getByRole('button', { name: "Completa l'attività" }).click();
    // Intake belongs to the OSS front desk: nothing more here for outreach, back to the inbox.
    await outreach.waitForURL(/\/console\/inbox$/);
    await expectFlash(outreach, 
      "Attività «Aggancio e invio» completata. Nessun'altra attività di questo caso per te: sei tornato alle tue attività.",
    );
    await outreach.getByTestId('inbox-empty').or(outreach.getByTestId('inbox-table')).first().waitFor();
    await inboxRowOf(outreach, reference).waitFor({ state: 'detached' });

    // --- The OSS front desk: intake, then straight on to the eligibility check.
    const oss = await consoleStack.newPage();
    await consoleStack.signIn(oss, 'oss-operator-grosseto');
    await oss.getByTestId('inbox-table').waitFor();
    const intakeRow = inboxRowOf(oss, reference);
    // Step titles come from the (cached) pathway version, in the person's language.
    await intakeRow.getByRole('link', { name: 'Accoglienza e primo ascolto' }).waitFor();
    await intakeRow.getByRole('link', { name: 'Accoglienza e primo ascolto' }).click();
    await expectH1(oss, 'Attività: Accoglienza e primo ascolto');
    await oss.getByRole('button', { name: "Completa l'attività" }).click();
    await expect(oss.getByTestId('error-alias').textContent()).resolves.toBe('Questo campo è obbligatorio.');
    await expect(oss.getByTestId('error-privacyNoticeGiven').textContent()).resolves.toBe('Questo campo è obbligatorio.');
    await oss.getByLabel('Nome o alias').fill('Mario');
    await oss.getByLabel('Indirizzo').selectOption('to_request');
    await oss.getByLabel('Nucleo familiare').selectOption('single');
    await tick(oss, 'task-field-currentBenefits-naspi');
    await tick(oss, 'task-field-privacyNoticeGiven-true');
    await oss.getByRole('button', { name: "Completa l'attività" }).click();
    await oss.waitForURL((url) => url.pathname.startsWith('/console/tasks/') && !url.pathname.endsWith(outreachTask.taskId));
    await oss.getByRole('heading', { level: 1, name: 'Attività: Verifica requisiti ADI/SFL' }).waitFor();
    await expectFlash(oss, 
      'Attività «Accoglienza e primo ascolto» completata. Prosegui con l\'attività successiva: Verifica requisiti ADI/SFL.',
    );
    // Eligibility: a number with a minimum, a date, a required select.
    await oss.getByLabel('ISEE (€)').fill('-5');
    await oss.getByRole('button', { name: "Completa l'attività" }).click();
    await expect(oss.getByTestId('error-isee').textContent()).resolves.toBe('Il valore minimo è 0.');
    await expect(oss.getByTestId('error-measure').textContent()).resolves.toBe('Questo campo è obbligatorio.');
    await oss.getByLabel('ISEE (€)').fill('4200');
    await oss.getByLabel('Misura', { exact: false }).selectOption('adi');
    await tick(oss, 'task-field-inpsApplication-true');
    // A PAD signed long ago: the preliminary assessment (120 days from it) is overdue at once.
    await oss.getByLabel('Data di sottoscrizione del PAD').fill('2025-01-15');
    await oss.getByRole('button', { name: "Completa l'attività" }).click();
    await oss.waitForURL(/\/console\/inbox$/);
    await expectFlash(oss, 'Attività «Verifica requisiti ADI/SFL» completata.');
    // ADI: the social service first convenes the household (done through the API; the console's part follows).
    const socialToken = await consoleStack.token('social-worker-grosseto');
    const convocation = await eventually(
      async () => (await consoleStack.http<{ items: Array<{ taskId: string }> }>('GET', `/tasks?caseId=${caseId}&stepId=convocation`, socialToken)).body.items[0],
      'the convocation task',
    );
    expect((await consoleStack.http('POST', `/tasks/${convocation.taskId}/claim`, socialToken)).status).toBe(200);
    expect((await consoleStack.http('POST', `/tasks/${convocation.taskId}/complete`, socialToken, { data: { meetingOn: '2025-02-01', place: 'Sportello OSS' } })).status).toBe(200);

    // The case page as the OSS desk sees it: collected data and the completed steps on the timeline.
    await oss.goto(`/console/cases/${caseId}`);
    await oss.getByTestId('case-timeline').waitFor();
    await expect(oss.getByTestId('case-summary').textContent()).resolves.toContain('Nome o alias:Mario');
    events = await timelineTexts(oss);
    for (const step of ['Aggancio e invio', 'Accoglienza e primo ascolto', 'Verifica requisiti ADI/SFL']) {
      expect(events.some((text) => text.startsWith(`Attività completata — ${step}`))).toBe(true);
    }
    expect(events.some((text) => text.includes('Attività presa in carico — Aggancio e invio') && text.includes('outreach-operator-grosseto'))).toBe(true);
    // The assessment steps are the social service's and the job centre's: listed as current steps.
    await expect(oss.getByTestId('case-summary').textContent()).resolves.toContain('Analisi preliminare');

    // --- The social worker finds the preliminary assessment, overdue and escalated, with text badges.
    const social = await consoleStack.newPage();
    await consoleStack.signIn(social, 'social-worker-grosseto');
    await social.getByTestId('inbox-table').waitFor();
    const assessmentRow = await eventually(async () => {
      await social.reload();
      await social.getByTestId('inbox-table').waitFor();
      const candidate = inboxRowOf(social, reference);
      // The whole ladder (area manager warned on day 110, again at the deadline, district coordinator 10 days on) is long past.
      return (await candidate.getByTestId('badge-escalation').textContent().catch(() => null)) === 'Escalation livello 3' ? candidate : undefined;
    }, 'the escalation badge on the overdue preliminary assessment');
    await assessmentRow.getByRole('link', { name: 'Analisi preliminare' }).waitFor();
    const assessmentText = (await assessmentRow.textContent()) ?? '';
    expect(assessmentText).toContain('Scaduta');
    expect(assessmentText).toContain('Escalation livello 3');
    await consoleStack.screenshot(social, 'operator-inbox');
    await tick(social, 'filter-overdue');
    await inboxRowOf(social, reference).waitFor();
    await consoleStack.expectAccessible(social, 'operator inbox (overdue filter, badges)');

    // --- The area manager extends the overdue assessment and gives it to the social worker.
    const assessmentTaskId = (await assessmentRow.getAttribute('data-task-id')) as string;
    // They follow a link to the task: the sign-in page brings them back to it.
    const supervisor = await consoleStack.newPage();
    await supervisor.goto(`/console/tasks/${assessmentTaskId}`);
    await supervisor.waitForURL(/\/console\/sign-in\?/);
    await supervisor.locator('button[data-user-id="supervisor-grosseto"]').click();
    await supervisor.waitForURL(`/console/tasks/${assessmentTaskId}`);
    await expectH1(supervisor, 'Attività: Analisi preliminare');
    // The manager actions are the same component as on the supervisor's drill-down.
    await supervisor.getByRole('button', { name: 'Proroga la scadenza' }).click();
    await supervisor.getByLabel('Nuova scadenza (fine della giornata)').fill('2099-03-01');
    await supervisor.getByLabel('Motivazione (obbligatoria)').fill('Persona ricoverata: colloquio rinviato');
    await supervisor.getByRole('button', { name: 'Conferma la proroga' }).click();
    await supervisor.getByTestId('intervention-outcome').getByText(/^Scadenza spostata al 1 mar 2099/).waitFor();
    await supervisor.getByTestId('badge-overdue').waitFor({ state: 'detached' });
    // The new deadline is the end of that day in Rome (winter time: UTC+1), whatever the browser's zone.
    expect((await consoleStack.http<{ dueAt: string }>('GET', `/tasks/${assessmentTaskId}`, await consoleStack.token('supervisor-grosseto'))).body.dueAt).toBe('2099-03-01T22:59:00.000Z');
    // Only people who can work a social task are offered, by name: no CPI counsellor, coordinator or auditor.
    await supervisor.getByRole('button', { name: 'Riassegna' }).click();
    const picker = supervisor.getByLabel('Nuova persona assegnataria');
    await picker.locator('option[value="social-worker-grosseto"]').waitFor({ state: 'attached' });
    const offered = await picker.locator('option:not([disabled])').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(offered.sort()).toEqual(['admin', 'social-worker-grosseto', 'supervisor-grosseto']);
    await consoleStack.expectAccessible(supervisor, 'task page (area manager, reassign picker)');
    await picker.selectOption('social-worker-grosseto');
    await supervisor.getByLabel('Motivazione (obbligatoria)').fill('Copertura assenza');
    await supervisor.getByRole('button', { name: 'Conferma la riassegnazione' }).click();
    await supervisor.getByTestId('intervention-outcome').getByText('Attività riassegnata: ora è assegnata a Assistente sociale Grosseto.', { exact: true }).waitFor();
    await supervisor.getByTestId('task-assignee').getByText('social-worker-grosseto', { exact: true }).waitFor();
    await expect(supervisor.getByTestId('task-status').textContent()).resolves.toBe('In carico');

    // The social worker now finds it among their own tasks, no longer overdue.
    await social.getByLabel('Assegnazione').selectOption('mine');
    await tick(social, 'filter-overdue');
    const mine = inboxRowOf(social, reference);
    // The assignee column (at desktop width; on a tablet it folds under the status).
    await mine.getByText('Tu', { exact: true }).filter({ visible: true }).waitFor();
    await expect(mine.getByTestId('badge-overdue').count()).resolves.toBe(0);
    await expect(mine.textContent()).resolves.toContain('1 mar 2099');

    // --- English once: switched in the header, remembered, the case page in the second language.
    await social.getByRole('button', { name: /^EN/ }).click();
    await expectH1(social, 'My tasks');
    await social.goto(`/console/cases/${caseId}`);
    await social.getByRole('heading', { level: 1, name: `Case ${reference}` }).waitFor();
    await social.getByRole('heading', { level: 2, name: 'Timeline' }).waitFor();
    await social.getByTestId('case-timeline').locator('li').first().filter({ hasText: 'Case started' }).waitFor();
    await social.getByTestId('case-summary').getByText('Homeless person').waitFor();
    await consoleStack.expectAccessible(social, 'case page (English)');
  });

  it('shows the inbox at tablet width with the task table', async () => {
    const page = await consoleStack.newPage({ width: 800, height: 1000 });
    await consoleStack.signIn(page, 'oss-operator-grosseto');
    await page.getByTestId('inbox-empty').or(page.getByTestId('inbox-table')).first().waitFor();
    // Printed, not asserted (a shared machine's timings are not a test): navigation to a usable inbox.
    const started = Date.now();
    await page.goto('/console/inbox');
    await page.getByTestId('inbox-empty').or(page.getByTestId('inbox-table')).first().waitFor();
    console.log(`operator inbox usable after ${Date.now() - started} ms (full page load, signed in, tablet width)`);
    await consoleStack.expectAccessible(page, 'operator inbox (tablet)');
    // Nothing wider than the viewport but the table's own scroller.
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
