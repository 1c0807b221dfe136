/**
 * Finding a person at first contact, in a real browser on the real stack: an OSS operator searches by
 * codice fiscale, finds the person with their case, and starts a second case for them in one click
 * (the new case is about the same person); an operator of another area searching the same code
 * learns only where the person is known and whom to contact. On the case page the operator uploads
 * an ISEE and downloads it back; a file of another type is refused with a message. axe checks each
 * screen.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/web-persons') });
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

const expectH1 = (page: Page, text: string) => page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();
const CF = 'BNCLRA92E47H501G';

describe('person search in the console', () => {
  it('finds a known person, starts a case for them in one click, and discloses nothing to another area', async () => {
    const token = await consoleStack.token('oss-operator-grosseto');
    const started = await consoleStack.http<{ caseId: string; personId: string; reference: string }>(
      'POST',
      '/cases',
      token,
      { pathwayKey: 'oss-integrated-pathway', areaId: 'grosseto', data: { targetGroup: 'homeless' } },
      { 'idempotency-key': 'persons-e2e-1' },
    );
    expect(started.status).toBe(201);
    const recorded = await consoleStack.http('PUT', `/persons/${started.body.personId}/identity`, token, {
      codiceFiscale: CF,
      givenName: 'Laura',
      familyName: 'Bianchi',
      birthYear: 1992,
      aliases: ['Lalla'],
    });
    expect(recorded.status).toBe(200);

    const page = await consoleStack.newPage();
    await consoleStack.signIn(page, 'oss-operator-grosseto');
    await page.getByRole('link', { name: 'Cerca persona' }).click();
    await expectH1(page, 'Cerca una persona');
    await consoleStack.expectAccessible(page, 'person search');
    await page.getByLabel('Codice fiscale', { exact: true }).fill(CF.toLowerCase());
    await page.getByRole('button', { name: 'Cerca' }).click();
    const match = page.getByTestId('person-match');
    await match.waitFor();
    await expect(match.textContent()).resolves.toContain('Lalla');
    await expect(match.textContent()).resolves.toContain(started.body.reference);
    await consoleStack.expectAccessible(page, 'person search (a match)');
    await consoleStack.screenshot(page, 'operator-person-search');

    await page.getByTestId('start-for-person').click();
    await page.waitForURL(/\/console\/cases\/new\?personId=/);
    await page.getByTestId('known-person').waitFor();
    await consoleStack.expectAccessible(page, 'start case for a known person');
    await page.getByLabel('Gruppo destinatario').selectOption({ label: 'Persona senza dimora' });
    await page.getByRole('button', { name: 'Avvia il caso' }).click();
    await page.waitForURL(/\/console\/cases\/[0-9a-f-]{36}$/);
    const secondCaseId = new URL(page.url()).pathname.split('/').pop() as string;
    const second = await consoleStack.http<{ personId: string }>('GET', `/cases/${secondCaseId}`, token);
    expect(second.body.personId).toBe(started.body.personId);

    // Another area: only where the person is known and whom to ask.
    const other = await consoleStack.newPage();
    await consoleStack.signIn(other, 'oss-operator-livorno');
    await other.goto('/console/persons');
    await expectH1(other, 'Cerca una persona');
    await other.getByLabel('Codice fiscale', { exact: true }).fill(CF);
    await other.getByRole('button', { name: 'Cerca' }).click();
    const elsewhere = other.getByTestId('person-elsewhere');
    await elsewhere.waitFor();
    const results = (await other.getByTestId('person-results').textContent()) ?? '';
    expect(results).toContain('Grosseto');
    for (const secret of ['Lalla', 'Laura', 'Bianchi', started.body.reference, CF]) expect(results).not.toContain(secret);
    await expect(other.getByTestId('person-match').count()).resolves.toBe(0);
    await consoleStack.expectAccessible(other, 'person search (known elsewhere)');
  });

  it('uploads an ISEE on the case page, downloads it back, and refuses a file of another type', async () => {
    const token = await consoleStack.token('social-worker-pistoia');
    const started = await consoleStack.http<{ caseId: string }>(
      'POST',
      '/cases',
      token,
      { pathwayKey: 'oss-integrated-pathway', areaId: 'pistoia', data: { targetGroup: 'homeless' } },
      { 'idempotency-key': 'persons-e2e-documents' },
    );
    expect(started.status).toBe(201);
    const page = await consoleStack.newPage();
    await consoleStack.signIn(page, 'social-worker-pistoia');
    await page.goto(`/console/cases/${started.body.caseId}`);
    const panel = page.getByTestId('case-documents');
    await panel.getByText('Nessun documento.').waitFor();
    await consoleStack.expectAccessible(page, 'case page (documents, empty)');

    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n% ISEE di prova\n'), Buffer.alloc(4096, 7), Buffer.from('\n%%EOF\n')]);
    await page.locator('#document-file').setInputFiles({ name: 'isee-2026.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.getByRole('button', { name: 'Carica', exact: true }).click();
    await page.getByTestId('document-saved').waitFor();
    const row = page.getByTestId('document-row').filter({ hasText: 'isee-2026.pdf' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(`valido fino al ${new Date().getFullYear()}-12-31`);
    await consoleStack.expectAccessible(page, 'case page (a document)');
    await consoleStack.screenshot(page, 'operator-case-documents');

    // From the keyboard, as a screen-reader user would.
    await row.getByRole('button', { name: /Scarica/ }).focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toBe('isee-2026.pdf');
    expect((await readFile(await download.path())).equals(pdf)).toBe(true);

    await page.getByLabel('Tipo di documento').selectOption('pad');
    await page.locator('#document-file').setInputFiles({ name: 'pad.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not really a PDF') });
    await page.getByRole('button', { name: 'Carica', exact: true }).click();
    await page.getByRole('alert').first().waitFor();
    await expect(page.getByTestId('document-row').count()).resolves.toBe(1);
    await consoleStack.expectAccessible(page, 'case page (a refused upload)');
  });
});
