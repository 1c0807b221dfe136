/**
 * The whole cross-service loop in a real browser on the real stack. A coordinator publishes (over
 * the API) the reference pathway with a job-centre referral after intake; a case is walked to that
 * referral and its person given an alias. Then, each as they would: the front desk finds the case by
 * reference and by the person's alias and reads where it is (with the job centre, not "no open
 * tasks"); the job centre finds the referral in its inbox, accepts it with a first appointment and
 * reports the outcome; the front desk sees the closed loop (status, appointment on the timeline),
 * adds a note, suspends and resumes the case; the area manager sees the dashboard's tables by pathway
 * and step, and closes the case with an outcome. The inbox
 * shows the person's alias and fits a 768 px tablet; references never wrap at 1366 px. axe checks
 * every screen.
 */
import type { Page } from 'playwright-core';
import { referenceJourneyToJointPlan } from '../../support/reference-journey';
import { pathwayWithCpiReferral } from '../../support/referral-pathway';
import { eventually } from '../stack-processes';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';

jest.setTimeout(240_000);

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/web-case-loop') });
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

const AREA = 'livorno';
const PATHWAY = 'oss-with-cpi-referral';
const expectH1 = (page: Page, text: string) => page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();
type CaseView = { caseId: string; reference: string; personId: string; status: string; openStepIds: string[]; openTasks: Array<{ taskId: string; stepId: string }> };

/** Completes the open task of a step over the API, as the operator of its service. */
async function complete(caseId: string, stepId: string, userId: string, data: Record<string, unknown>): Promise<void> {
  const token = await consoleStack.token(userId);
  const task = await eventually(async () => {
    const detail = await consoleStack.http<CaseView>('GET', `/cases/${caseId}`, await consoleStack.token(`supervisor-${AREA}`));
    return detail.body.openTasks.find((candidate) => candidate.stepId === stepId);
  }, `the open ${stepId} task`);
  const done = await consoleStack.http('POST', `/tasks/${task.taskId}/complete`, token, { data }, { 'idempotency-key': `${task.taskId}-done` });
  expect(done.status).toBe(200);
}

async function startCase(key: string, personId?: string): Promise<CaseView> {
  const started = await consoleStack.http<CaseView>(
    'POST',
    '/cases',
    await consoleStack.token(`outreach-operator-${AREA}`),
    { pathwayKey: PATHWAY, areaId: AREA, data: { targetGroup: 'homeless' }, ...(personId ? { personId } : {}) },
    { 'idempotency-key': key },
  );
  expect(started.status).toBe(201);
  return started.body;
}

describe('the cross-service loop in the console', () => {
  it('finds the case, answers the referral at the job centre, notes, suspends, resumes and closes it', async () => {
    // --- Setup over the API: the pathway, a case at the referral, a second case of the same person.
    const coordinator = await consoleStack.token(`coordinator-${AREA}`);
    const reference = await consoleStack.http<{ definition: Parameters<typeof pathwayWithCpiReferral>[0] }>('GET', '/pathways/oss-integrated-pathway/versions/1', coordinator);
    expect(reference.status).toBe(200);
    expect((await consoleStack.http('POST', '/pathways', coordinator, pathwayWithCpiReferral(reference.body.definition, PATHWAY))).status).toBe(201);
    expect((await consoleStack.http('POST', `/pathways/${PATHWAY}/draft/publish`, coordinator)).status).toBe(201);
    const journey = referenceJourneyToJointPlan();
    const answer = (stepId: string) => journey.find((step) => step.stepId === stepId)!.data;
    const first = await startCase('case-loop-1');
    const identity = await consoleStack.http('PUT', `/persons/${first.personId}/identity`, await consoleStack.token(`oss-operator-${AREA}`), {
      givenName: 'Gino',
      familyName: 'Rossi',
      birthYear: 1970,
      aliases: ['Gigi'],
    });
    expect(identity.status).toBe(200);
    await complete(first.caseId, 'outreach', `outreach-operator-${AREA}`, answer('outreach'));
    await complete(first.caseId, 'intake', `oss-operator-${AREA}`, answer('intake'));
    const second = await startCase('case-loop-2', first.personId);

    // --- The street unit's inbox shows whose case each row is, and fits a tablet.
    const outreach = await consoleStack.newPage({ width: 768, height: 1000 });
    await consoleStack.signIn(outreach, `outreach-operator-${AREA}`);
    const row = outreach.getByTestId('inbox-row').filter({ hasText: second.reference });
    await row.waitFor();
    await expect(row.getByTestId('inbox-person').textContent()).resolves.toBe('Gigi');
    const overflow = await outreach.getByTestId('inbox-table').evaluate((table) => table.parentElement!.scrollWidth - table.parentElement!.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await consoleStack.expectAccessible(outreach, 'operator inbox with person aliases (768 px)');
    await outreach.setViewportSize({ width: 1366, height: 900 });
    const lines = await row.getByRole('link', { name: second.reference }).evaluate((link) => link.getClientRects().length);
    expect(lines).toBe(1);

    // --- The front desk finds the case by reference (its last characters) and by the person.
    const oss = await consoleStack.newPage();
    await consoleStack.signIn(oss, `oss-operator-${AREA}`);
    await oss.getByRole('link', { name: 'Cerca un caso' }).first().click();
    await expectH1(oss, 'Cerca un caso');
    await consoleStack.expectAccessible(oss, 'case search');
    await oss.getByLabel('Riferimento del caso', { exact: true }).fill(first.reference.slice(-6).toLowerCase());
    await oss.getByRole('button', { name: 'Cerca', exact: true }).click();
    // The count of the previous search stays on screen until the new answer comes: wait for this one's.
    await oss.getByTestId('case-search-count').filter({ hasText: '1 caso trovato.' }).waitFor();
    await expect(oss.getByTestId('case-search-count').textContent()).resolves.toBe('1 caso trovato.');
    await oss.getByTestId('case-search-row').getByRole('link', { name: first.reference }).waitFor();
    await oss.getByLabel('Cerca per').selectOption('alias');
    await oss.getByLabel('Alias', { exact: true }).fill('Gigi');
    await oss.getByRole('button', { name: 'Cerca', exact: true }).click();
    await oss.getByTestId('case-search-count').filter({ hasText: '2 casi trovati.' }).waitFor();
    await expect(oss.getByTestId('case-search-count').textContent()).resolves.toBe('2 casi trovati.');
    const found = await oss.getByTestId('case-search-row').allTextContents();
    expect(found.every((text) => text.includes('Gigi'))).toBe(true);
    await consoleStack.expectAccessible(oss, 'case search (by person, with aliases)');
    await consoleStack.screenshot(oss, 'operator-case-search');

    // Where the case is: with the job centre, not "no open tasks".
    await oss.getByTestId('case-search-row').getByRole('link', { name: first.reference }).click();
    await expectH1(oss, `Caso ${first.reference}`);
    const where = oss.getByTestId('case-where-step').filter({ hasText: 'Invio al centro per l’impiego' });
    await expect(where.textContent()).resolves.toContain("inviato a Centro per l'impiego");
    await consoleStack.expectAccessible(oss, 'case page (waiting on another service)');

    // The front desk follows its referral: sent, pending.
    await oss.getByRole('link', { name: 'Invii', exact: true }).click();
    await expectH1(oss, 'Invii tra servizi');
    await oss.getByLabel('Invii', { exact: true }).selectOption('outgoing');
    const sent = oss.getByTestId('referral-row').filter({ hasText: first.reference });
    await expect(sent.getByTestId('referral-status').textContent()).resolves.toBe('In attesa');
    await consoleStack.expectAccessible(oss, 'referral inbox (sent)');

    // --- The job centre accepts it with a first appointment, then reports the outcome.
    const cpi = await consoleStack.newPage();
    await consoleStack.signIn(cpi, `cpi-counsellor-${AREA}`);
    await cpi.getByRole('link', { name: 'Invii', exact: true }).click();
    await expectH1(cpi, 'Invii tra servizi');
    const received = cpi.getByTestId('referral-row').filter({ hasText: first.reference });
    await expect(received.textContent()).resolves.toContain("Sportello unico → Centro per l'impiego");
    await consoleStack.expectAccessible(cpi, 'referral inbox (received)');
    await consoleStack.screenshot(cpi, 'operator-referral-inbox');
    await received.getByRole('link', { name: 'Invio al centro per l’impiego' }).click();
    await expectH1(cpi, 'Invio: Invio al centro per l’impiego');
    await cpi.getByRole('button', { name: 'Accetta', exact: true }).click();
    const appointment = await cpi.getByLabel('Data e ora del primo appuntamento').inputValue();
    expect(appointment).toMatch(/^\d{4}-\d{2}-\d{2}T09:00$/);
    await consoleStack.expectAccessible(cpi, 'referral page (accept form)');
    await cpi.getByRole('button', { name: "Conferma l'accettazione" }).click();
    await cpi.getByRole('status').getByText('Invio accettato.', { exact: true }).waitFor();
    await cpi.getByTestId('referral-status').filter({ hasText: 'Accettato' }).waitFor();
    // Accepted: the only answer left is the outcome, its form already open.
    await cpi.getByLabel('Esito', { exact: true }).selectOption({ label: 'DID sottoscritta' });
    await consoleStack.expectAccessible(cpi, 'referral page (outcome form)');
    await cpi.getByRole('button', { name: "Registra l'esito" }).click();
    await cpi.getByRole('status').getByText('Esito registrato: il caso prosegue.', { exact: true }).waitFor();
    await cpi.getByTestId('referral-status').filter({ hasText: 'Concluso' }).waitFor();

    // --- The front desk sees the loop closed and the appointment on the case's timeline.
    await oss.getByLabel('Stato', { exact: true }).selectOption('closed');
    await oss.getByTestId('referral-row').filter({ hasText: first.reference }).getByTestId('referral-status').filter({ hasText: 'Concluso' }).waitFor();
    await oss.getByTestId('referral-row').filter({ hasText: first.reference }).getByRole('link', { name: first.reference }).click();
    await expectH1(oss, `Caso ${first.reference}`);
    const accepted = oss.locator('[data-testid="case-timeline"] li[data-event-type="referral_accepted"]');
    await expect(accepted.textContent()).resolves.toContain('primo appuntamento');
    // The referral's data reads as words, as the job centre gave them: status and outcome, not codes.
    await oss.getByTestId('case-summary').getByText('DID sottoscritta', { exact: true }).waitFor();

    // A note about health, then suspend and resume, each on the timeline.
    await oss.getByLabel('Testo della nota').fill('Riferisce problemi di salute: serve un medico di base');
    await oss.getByLabel('Categoria particolare').selectOption('health');
    await oss.getByRole('button', { name: 'Aggiungi la nota' }).click();
    await oss.getByRole('status').getByText('Nota aggiunta alla cronologia.', { exact: true }).waitFor();
    await oss.locator('[data-testid="case-timeline"] li[data-event-type="note_added"]').waitFor();
    await oss.getByRole('button', { name: 'Sospendi', exact: true }).click();
    await oss.getByLabel('Motivazione (obbligatoria)').fill('Ricovero ospedaliero');
    await consoleStack.expectAccessible(oss, 'case page (suspend form)');
    await oss.getByRole('button', { name: 'Conferma la sospensione' }).click();
    await oss.getByRole('status').getByText('Caso sospeso: le scadenze interne sono ferme.', { exact: true }).waitFor();
    await oss.getByTestId('case-summary').getByText('Sospeso', { exact: true }).waitFor();
    await oss.locator('[data-testid="case-timeline"] li[data-event-type="case_suspended"]').waitFor();
    await oss.getByRole('button', { name: 'Riprendi', exact: true }).click();
    await oss.getByRole('button', { name: 'Conferma la ripresa' }).click();
    await oss.getByRole('status').getByText('Caso ripreso: le scadenze ripartono.', { exact: true }).waitFor();
    await oss.getByTestId('case-summary').getByText('Attivo', { exact: true }).waitFor();
    await oss.locator('[data-testid="case-timeline"] li[data-event-type="case_resumed"]').waitFor();
    // Operators neither close nor cancel: those are the area manager's.
    await expect(oss.getByRole('button', { name: 'Chiudi con esito' }).count()).resolves.toBe(0);
    await consoleStack.expectAccessible(oss, 'case page (after suspend and resume)');
    await consoleStack.screenshot(oss, 'operator-case-loop');

    // --- The area manager's dashboard counts by pathway and step: the two pathways share step ids,
    // and only the one with cases in the area has tables.
    const manager = await consoleStack.newPage();
    await consoleStack.signIn(manager, `supervisor-${AREA}`);
    const byPathway = manager.locator(`[data-testid="counts-pathway"][data-pathway-key="${PATHWAY}"]`);
    await byPathway.getByRole('heading', { level: 3, name: 'Percorso OSS con invio al CPI' }).waitFor();
    await expect(manager.locator('[data-testid="counts-pathway"][data-pathway-key="oss-integrated-pathway"]').count()).resolves.toBe(0);
    await consoleStack.expectAccessible(manager, 'supervisor dashboard (by pathway and step)');

    // --- The area manager closes the case with an outcome of the pathway.
    await manager.goto(`/console/cases/${first.caseId}`);
    await expectH1(manager, `Caso ${first.reference}`);
    await manager.getByRole('button', { name: 'Chiudi con esito' }).click();
    await manager.getByLabel('Esito', { exact: true }).selectOption({ label: 'Chiuso: lavoro' });
    await manager.getByLabel('Motivazione (facoltativa)').fill('Assunto con contratto a tempo determinato');
    await consoleStack.expectAccessible(manager, 'case page (close form)');
    await manager.getByRole('button', { name: 'Conferma la chiusura' }).click();
    await manager.getByRole('status').getByText('Caso chiuso.', { exact: true }).waitFor();
    await manager.getByTestId('case-summary').getByText('Chiuso', { exact: true }).waitFor();
    await expect(manager.getByTestId('case-whereabouts').textContent()).resolves.toBe('Stato del caso: Chiuso. Nessuna fase è aperta.');
    const closed = await consoleStack.http<CaseView & { outcome: string }>('GET', `/cases/${first.caseId}`, await consoleStack.token(`supervisor-${AREA}`));
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'job' });
    await consoleStack.expectAccessible(manager, 'case page (closed)');
  });
});
