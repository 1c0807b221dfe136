/**
 * A transfer accepted by the receiving area, in a real browser on the real stack: Livorno's area
 * manager asks to move a case to Grosseto from the case page (the case stays, the request shows as
 * waiting); Grosseto's manager finds it under "Trasferimenti", accepts it, and opens the case, now
 * Grosseto's. An operator sees the clock pause after failed contacts, hands a task to a colleague and
 * sets an absence cover. axe checks each screen.
 */
import type { Page } from 'playwright-core';
import { upsertUser } from '../../../infra/db/directory-repository';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/web-transfers') });
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

const expectH1 = (page: Page, text: string) => page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();

describe('transfers between areas in the console', () => {
  it('is asked by the sending area and accepted by the receiving one, where the case then is', async () => {
    const operatorToken = await consoleStack.token('outreach-operator-livorno');
    const started = await consoleStack.http<{ caseId: string; reference: string }>(
      'POST',
      '/cases',
      operatorToken,
      { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
      { 'idempotency-key': 'transfers-e2e-1' },
    );
    expect(started.status).toBe(201);

    const sender = await consoleStack.newPage();
    await consoleStack.signIn(sender, 'supervisor-livorno');
    await sender.goto(`/console/cases/${started.body.caseId}`);
    const form = sender.getByTestId('transfer-form');
    await form.waitFor();
    await form.getByLabel('Area di destinazione').selectOption({ label: 'Grosseto' });
    await form.getByLabel('Motivazione (obbligatoria)').fill('La persona ora dorme al dormitorio di Grosseto');
    await form.getByRole('button', { name: 'Chiedi il trasferimento' }).click();
    const panel = sender.getByTestId('case-transfers');
    await panel.getByText(/In attesa che l'area Grosseto accetti/).waitFor();
    await consoleStack.expectAccessible(sender, 'case with a transfer waiting');
    const stillHere = await consoleStack.http<{ areaId: string }>('GET', `/cases/${started.body.caseId}`, operatorToken);
    expect(stillHere.body.areaId).toBe('livorno');

    const receiver = await consoleStack.newPage();
    await consoleStack.signIn(receiver, 'supervisor-grosseto');
    await receiver.getByRole('link', { name: 'Trasferimenti' }).click();
    await expectH1(receiver, 'Trasferimenti da accettare');
    const row = receiver.getByTestId(`transfer-${started.body.caseId}`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(started.body.reference);
    await expect(row.textContent()).resolves.toContain('dormitorio di Grosseto');
    await consoleStack.expectAccessible(receiver, 'transfers to accept');
    await consoleStack.screenshot(receiver, 'supervisor-transfers');

    await row.getByRole('button', { name: 'Accetta il caso' }).click();
    await receiver.getByText(`Caso ${started.body.reference} accettato`).waitFor();
    await consoleStack.expectAccessible(receiver, 'transfer accepted');
    await receiver.getByRole('link', { name: 'Apri il caso' }).click();
    await receiver.waitForURL(new RegExp(`/console/cases/${started.body.caseId}$`));
    await receiver.getByTestId('case-transfers').getByText(/Trasferimento accettato dall'area Grosseto/).waitFor();

    const moved = await consoleStack.http<{ areaId: string }>('GET', `/cases/${started.body.caseId}`, await consoleStack.token('supervisor-grosseto'));
    expect(moved.body.areaId).toBe('grosseto');
    const gone = await consoleStack.http('GET', `/cases/${started.body.caseId}`, operatorToken);
    expect(gone.status).toBe(404);
  });

  it('shows the clock pause after failed contacts, and lets an operator hand a task to a colleague and set their absence cover', async () => {
    // The demo has one outreach operator per area: a colleague to hand to.
    await upsertUser(consoleStack.stack.pool, { id: 'outreach-operator-pistoia-2', name: 'Giulia Neri', roles: ['operator'], areas: ['pistoia'], services: ['outreach'], active: true });
    const token = await consoleStack.token('outreach-operator-pistoia');
    const started = await consoleStack.http<{ caseId: string; openTasks: Array<{ taskId: string }> }>(
      'POST',
      '/cases',
      token,
      { pathwayKey: 'oss-integrated-pathway', areaId: 'pistoia', data: { targetGroup: 'homeless' } },
      { 'idempotency-key': 'absence-e2e-1' },
    );
    expect(started.status).toBe(201);
    const taskId = started.body.openTasks[0].taskId;
    expect((await consoleStack.http('POST', `/tasks/${taskId}/claim`, token)).status).toBe(200);

    // Three failed attempts in a row (the default rule) pause the internal clocks: the case page says so.
    for (const minutes of [30, 20, 10]) {
      const at = new Date(Date.now() - minutes * 60_000).toISOString();
      expect((await consoleStack.http('POST', `/cases/${started.body.caseId}/contacts`, token, { outcome: 'failed_attempt', channel: 'phone', at })).status).toBe(200);
    }
    const page = await consoleStack.newPage();
    await consoleStack.signIn(page, 'outreach-operator-pistoia');
    await page.goto(`/console/cases/${started.body.caseId}`);
    await page.getByTestId('contact-pause').getByText(/dopo 3 tentativi falliti di fila le scadenze interne sono sospese/).waitFor();
    await consoleStack.expectAccessible(page, 'case with its internal clocks paused');

    await page.goto(`/console/tasks/${taskId}`);
    const hand = page.getByTestId('hand-task-form');
    await hand.waitFor();
    await consoleStack.expectAccessible(page, 'task with hand to a colleague');
    await hand.getByLabel('Collega del tuo servizio').selectOption({ label: 'Giulia Neri' });
    await hand.getByLabel('Motivazione (obbligatoria)').fill('Conosce già la persona');
    await hand.getByRole('button', { name: "Passa l'attività" }).click();
    await page.getByText('Attività passata a Giulia Neri.').waitFor();
    const handed = await consoleStack.http<{ assigneeId: string }>('GET', `/tasks/${taskId}`, token);
    expect(handed.body.assigneeId).toBe('outreach-operator-pistoia-2');

    await page.getByRole('link', { name: 'La mia assenza' }).click();
    await expectH1(page, 'La mia assenza');
    await page.getByText('Nessuna sostituzione.').waitFor();
    await consoleStack.expectAccessible(page, 'my absence cover');
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Rome' });
    const form = page.getByTestId('absence-form');
    await form.getByLabel('Chi ti sostituisce').selectOption({ label: 'Giulia Neri' });
    await form.getByLabel('Dal').fill(today);
    await form.getByLabel('Al (compreso)').fill(today);
    await form.getByRole('button', { name: 'Imposta la sostituzione' }).click();
    await page.getByText('Sostituzione attiva: le tue attività sono passate a Giulia Neri.').waitFor();
    await page.getByRole('cell', { name: 'In corso' }).waitFor();
    await consoleStack.expectAccessible(page, 'my absence cover (in force)');
    await consoleStack.screenshot(page, 'operator-absence-cover');
  });
});
