/**
 * A task whose form has a repeating group, in a real browser on the real stack. A coordinator
 * publishes (over the API) a pathway whose intake lists the household's members; the OSS front
 * desk fills in two members (and adds and removes a third), sees the console's own message on the
 * second member's birth year, then a 422 from the API placed on that same input, fixes it and
 * completes the task; the case page shows the members as a table, and the outreach unit (which may
 * not read disability data) sees that member's answer as hidden. The area's coordinator then opens
 * a draft of the pathway in the editor, adds a sub-field to the members group, and the saved draft
 * keeps every other sub-field and the household as they were. axe checks every screen.
 */
import type { Page } from 'playwright-core';
import { membersField } from '../../unit/household-pathway';
import { eventually } from '../stack-processes';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';

jest.setTimeout(240_000);

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/web-household-group') });
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

const AREA = 'livorno';
const PATHWAY = 'household-intake';
const t = (it: string, en: string) => ({ it, en });

/** The household's members are listed at intake (a task form), as the reference pathway's assessment does. */
const pathway = {
  key: PATHWAY,
  title: t('Accoglienza del nucleo', 'Household intake'),
  household: { members: 'intake.members' },
  start: 'intake',
  steps: {
    intake: {
      kind: 'task',
      title: t('Accoglienza del nucleo', 'Household intake'),
      assignee: { service: 'oss' },
      deadline: { amount: 5, unit: 'workingDays' },
      form: { fields: [membersField, { key: 'notes', type: 'text', label: t('Note', 'Notes') }] },
      next: 'assessment',
    },
    assessment: { kind: 'task', title: t('Analisi preliminare', 'Preliminary assessment'), assignee: { service: 'social' }, next: 'done' },
    done: { kind: 'end', title: t('Fine', 'End'), outcome: 'completed' },
  },
};

const expectH1 = (page: Page, text: string) => page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();
/** Ticks a radio button as a person does: bootstrap-italia draws them on the label. */
const tick = (page: Page, inputId: string) => page.locator(`label[for="${inputId}"]`).click();
const member = (page: Page, index: number) => page.getByTestId(`group-item-members-${index}`);

type CaseView = { caseId: string; reference: string; status: string; openTasks: Array<{ taskId: string; stepId: string }>; data: Record<string, Record<string, unknown>> };

describe('a repeating group in the console', () => {
  it('completes a task with two household members, placing client and server messages on the second member, and shows them on the case', async () => {
    // --- Setup over the API: the pathway and a case at its intake.
    const coordinator = await consoleStack.token(`coordinator-${AREA}`);
    expect((await consoleStack.http('POST', '/pathways', coordinator, pathway)).status).toBe(201);
    expect((await consoleStack.http('POST', `/pathways/${PATHWAY}/draft/publish`, coordinator)).status).toBe(201);
    const supervisor = await consoleStack.token(`supervisor-${AREA}`);
    const started = await consoleStack.http<CaseView>('POST', '/cases', await consoleStack.token(`oss-operator-${AREA}`), { pathwayKey: PATHWAY, areaId: AREA, data: {} }, { 'idempotency-key': 'household-group-1' });
    expect(started.status).toBe(201);
    const { caseId, reference } = started.body;
    const intake = await eventually(async () => {
      const detail = await consoleStack.http<CaseView>('GET', `/cases/${caseId}`, supervisor);
      return detail.body.openTasks.find((task) => task.stepId === 'intake');
    }, 'the open intake task');

    // --- The front desk opens the task: the required group starts with one blank member.
    const oss = await consoleStack.newPage();
    await consoleStack.signIn(oss, `oss-operator-${AREA}`);
    await oss.goto(`/console/tasks/${intake.taskId}`);
    await expectH1(oss, 'Attività: Accoglienza del nucleo');
    await oss.getByRole('group', { name: 'Componenti del nucleo (obbligatorio)' }).waitFor();
    await expect(oss.getByTestId(/^group-item-members-/).count()).resolves.toBe(1);
    await oss.getByRole('group', { name: 'Componente 1', exact: true }).waitFor();
    await oss.locator('#task-field-members-0-relation').selectOption({ label: 'Richiedente' });
    await oss.locator('#task-field-members-0-birthYear').fill('1984');
    await tick(oss, 'task-field-members-0-jobActivable-true');

    // A second member: the new item's first input takes the focus. A third, added by mistake, is removed.
    await oss.getByRole('button', { name: 'Aggiungi componente' }).click();
    await eventually(async () => ((await oss.evaluate(() => document.activeElement?.id)) === 'task-field-members-1-relation' ? true : undefined), 'the focus on the new member');
    await oss.locator('#task-field-members-1-relation').selectOption({ label: 'Figlio/a' });
    await oss.locator('#task-field-members-1-birthYear').fill('1850');
    await tick(oss, 'task-field-members-1-disability-true');
    await oss.getByRole('button', { name: 'Aggiungi componente' }).click();
    await member(oss, 2).waitFor();
    await oss.getByRole('button', { name: 'Rimuovi componente 3' }).click();
    await member(oss, 2).waitFor({ state: 'detached' });
    await expect(oss.getByTestId(/^group-item-members-/).count()).resolves.toBe(2);

    // The console's own check: the second member's birth year, by its member, in the summary too.
    await oss.getByRole('button', { name: "Completa l'attività" }).click();
    const birthYearError = oss.getByTestId('error-members.1.birthYear');
    await expect(birthYearError.textContent()).resolves.toBe('Il valore minimo è 1900.');
    await expect(oss.getByTestId('error-members.0.birthYear').count()).resolves.toBe(0);
    await expect(oss.getByTestId('form-errors').textContent()).resolves.toContain('Componenti del nucleo, componente 2: Anno di nascita');
    expect(await oss.locator('#task-field-members-1-birthYear').getAttribute('aria-describedby')).toBe('task-field-members-1-birthYear-error');
    await consoleStack.expectAccessible(oss, 'task with a household group (with a member’s message)');
    await consoleStack.screenshot(oss, 'operator-task-household');
    await oss.locator('#task-field-members-1-birthYear').fill('2016');
    await birthYearError.waitFor({ state: 'detached' });

    // The API's own check: one request carries a birth year the console would never send (as an
    // out-of-date console could); the real API refuses it with the item's path, and its message
    // lands on the second member's input. Nothing is recorded: the task stays open.
    let tampered = 0;
    await oss.route(`**/tasks/${intake.taskId}/complete`, async (route) => {
      const body = route.request().postDataJSON() as { data: { members: Array<Record<string, unknown>> } };
      body.data.members[1].birthYear = 'duemilasedici';
      tampered += 1;
      await route.continue({ postData: JSON.stringify(body) });
    });
    const refused = oss.waitForResponse((response) => response.url().endsWith(`/tasks/${intake.taskId}/complete`));
    await oss.getByRole('button', { name: "Completa l'attività" }).click();
    expect((await refused).status()).toBe(422);
    await expect(birthYearError.textContent()).resolves.toBe('expected a number');
    await expect(oss.getByTestId('form-errors').textContent()).resolves.toContain('Componenti del nucleo, componente 2: Anno di nascita');
    expect(await oss.locator('#task-field-members-1-birthYear').getAttribute('aria-invalid')).toBe('true');
    await consoleStack.expectAccessible(oss, 'task with a household group (with the API’s message)');
    await oss.unroute(`**/tasks/${intake.taskId}/complete`);
    expect(tampered).toBe(1);
    const stillOpen = await consoleStack.http<CaseView>('GET', `/cases/${caseId}`, supervisor);
    expect(stillOpen.body.openTasks.map((task) => task.taskId)).toContain(intake.taskId);
    expect(stillOpen.body.data.intake ?? {}).toEqual({});

    // Fixed as a person does (typing the year again), then completed.
    await oss.locator('#task-field-members-1-birthYear').fill('');
    await oss.locator('#task-field-members-1-birthYear').fill('2016');
    await birthYearError.waitFor({ state: 'detached' });
    await oss.getByRole('button', { name: "Completa l'attività" }).click();
    await oss.waitForURL((url) => !url.pathname.endsWith(intake.taskId));
    const completed = await eventually(async () => {
      const detail = await consoleStack.http<CaseView>('GET', `/cases/${caseId}`, supervisor);
      return detail.body.openTasks.some((task) => task.stepId === 'assessment') ? detail.body : undefined;
    }, 'the assessment after intake');
    expect(completed.data.intake).toEqual({
      members: [
        { relation: 'self', birthYear: 1984, jobActivable: true },
        { relation: 'child', birthYear: 2016, disability: true },
      ],
    });

    // --- The case page: the members as a table, a row per member.
    await oss.goto(`/console/cases/${caseId}`);
    await expectH1(oss, `Caso ${reference}`);
    const table = oss.getByTestId('collected-group-intake.members').getByTestId('group-table');
    await table.waitFor();
    await expect(table.locator('thead th').allTextContents()).resolves.toEqual(['Componente', 'Relazione', 'Anno di nascita', 'Attivabile al lavoro', 'Disabilità']);
    await expect(table.locator('tbody tr').nth(0).locator('th, td').allTextContents()).resolves.toEqual(['Componente 1', 'Richiedente', '1984', 'Sì', '—']);
    await expect(table.locator('tbody tr').nth(1).locator('th, td').allTextContents()).resolves.toEqual(['Componente 2', 'Figlio/a', '2016', '—', 'Sì']);
    expect(await oss.getByTestId('case-summary').textContent()).not.toContain('[object Object]');
    await consoleStack.expectAccessible(oss, 'case page with household members');
    await consoleStack.screenshot(oss, 'operator-case-household');

    // --- The outreach unit may read the case but not disability data: that member's answer says so.
    const outreach = await consoleStack.newPage();
    await consoleStack.signIn(outreach, `outreach-operator-${AREA}`);
    await outreach.goto(`/console/cases/${caseId}`);
    await expectH1(outreach, `Caso ${reference}`);
    const hiddenTable = outreach.getByTestId('collected-group-intake.members').getByTestId('group-table');
    await hiddenTable.waitFor();
    await expect(hiddenTable.locator('tbody tr').nth(1).locator('th, td').allTextContents()).resolves.toEqual(['Componente 2', 'Figlio/a', '2016', '—', 'non visibile']);
    await expect(outreach.getByTestId('case-summary').textContent()).resolves.toContain('Componenti del nucleo, componente 2: Disabilità');
    await consoleStack.expectAccessible(outreach, 'case page with a hidden member answer');
  });

  it('keeps the group through the pathway editor and adds a sub-field to it', async () => {
    const page = await consoleStack.newPage();
    await consoleStack.signIn(page, `coordinator-${AREA}`);
    const card = page.getByTestId(`pathway-${PATHWAY}`);
    await card.getByRole('button', { name: 'Nuova bozza dalla versione 1' }).click();
    await page.waitForURL(new RegExp(`/console/pathways/${PATHWAY}/draft$`));
    const status = page.getByTestId('draft-status');
    await eventually(async () => (/Nessun problema/.test((await status.textContent()) ?? '') ? true : undefined), 'the opened draft checked clean');
    type Draft = { document: { household: unknown; steps: { intake: { form: { fields: Array<{ key: string; type: string; fields?: unknown[] }> } } } } };
    const coordinator = await consoleStack.token(`coordinator-${AREA}`);
    const before = (await consoleStack.http<Draft>('GET', `/pathways/${PATHWAY}/draft`, coordinator)).body.document;

    await page.getByTestId('step-list').getByRole('button', { name: /Accoglienza del nucleo/ }).click();
    const group = page.getByTestId('form-field-0');
    await expect(group.locator('summary').first().textContent()).resolves.toContain('Gruppo ripetuto (es. componenti del nucleo), obbligatorio');
    await group.locator('summary').first().click();
    expect(await page.locator('#pw-steps-intake-form-fields-0-type').inputValue()).toBe('group');
    await expect(group.getByTestId(/^group-sub-field-/).count()).resolves.toBe(membersField.fields.length);
    await group.getByRole('button', { name: 'Aggiungi un campo di ogni elemento' }).click();
    const last = membersField.fields.length;
    await page.locator(`#pw-steps-intake-form-fields-0-fields-${last}-label-it`).fill('Scuola frequentata');
    await page.locator(`#pw-steps-intake-form-fields-0-fields-${last}-key`).fill('school');
    await eventually(async () => (/Nessun problema.*Bozza salvata/.test((await status.textContent()) ?? '') ? true : undefined), 'the draft with the new sub-field saved and clean');
    await consoleStack.expectAccessible(page, 'pathway editor with a group field');

    const after = (await consoleStack.http<Draft>('GET', `/pathways/${PATHWAY}/draft`, coordinator)).body.document;
    const [membersBefore, ...othersBefore] = before.steps.intake.form.fields;
    expect(after.steps.intake.form.fields).toEqual([
      { ...membersBefore, fields: [...(membersBefore.fields ?? []), { key: 'school', label: { it: 'Scuola frequentata' }, type: 'text', required: false }] },
      ...othersBefore,
    ]);
    expect(after.household).toEqual(before.household);
  });
});
