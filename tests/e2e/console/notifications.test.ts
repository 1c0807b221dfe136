/**
 * The notification centre in a real browser on the real stack: an escalation fires on a real case
 * in Livorno; with no subscription set up by anyone, the area manager's bell counts it, the centre
 * lists it with the case reference and the step's title, opens its task, marks it read (the bell
 * follows), and the manager switches their emails to English. axe checks each screen.
 */
import type { Page } from 'playwright-core';
import { buildConsole, startConsoleStack, type ConsoleStack } from './console-harness';

let consoleStack: ConsoleStack;

beforeAll(async () => {
  consoleStack = await startConsoleStack({ consoleDir: buildConsole('/tmp/web-notifications'), env: { NOTIFICATION_POLL_MS: '200' } });
}, 240_000);

afterAll(async () => {
  await consoleStack?.close();
});

const expectH1 = (page: Page, text: string) => page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();

const escalatingPathway = {
  key: 'console-notify-escalating',
  title: { it: 'Percorso con scadenza immediata' },
  start: 'intake',
  steps: {
    intake: {
      kind: 'task',
      title: { it: 'Accoglienza urgente', en: 'Urgent intake' },
      assignee: { service: 'oss' },
      deadline: { amount: 0, unit: 'minutes' },
      escalation: [{ after: { amount: 0, unit: 'minutes' }, role: 'supervisor' }],
      next: 'done',
    },
    done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
  },
};

interface CentrePage {
  items: Array<{ caseId: string; readAt: string | null }>;
  unreadCount: number;
}

describe('notification centre in the console', () => {
  it('shows an area manager the escalation in their area, opens it, marks it read and keeps their email choices', async () => {
    const coordinator = await consoleStack.token('coordinator-livorno');
    expect((await consoleStack.http('POST', '/pathways', coordinator, escalatingPathway)).status).toBe(201);
    expect((await consoleStack.http('POST', `/pathways/${escalatingPathway.key}/draft/publish`, coordinator)).status).toBe(201);
    const operator = await consoleStack.token('oss-operator-livorno');
    const started = await consoleStack.http<{ caseId: string; reference: string }>(
      'POST',
      '/cases',
      operator,
      { pathwayKey: escalatingPathway.key, areaId: 'livorno', data: {} },
      { 'idempotency-key': 'console-notifications-1' },
    );
    expect(started.status).toBe(201);
    const supervisor = await consoleStack.token('supervisor-livorno');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const centre = await consoleStack.http<CentrePage>('GET', '/me/notifications', supervisor);
      if (centre.body.items.some((item) => item.caseId === started.body.caseId)) break;
      if (Date.now() > deadline) throw new Error('the escalation never reached the centre');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const page = await consoleStack.newPage();
    await consoleStack.signIn(page, 'supervisor-livorno');
    const bell = page.getByTestId('notification-bell');
    await page.getByTestId('notification-unread').waitFor();
    await expect(bell.textContent()).resolves.toContain('1 non letta');
    await bell.click();
    await expectH1(page, 'Notifiche');
    const item = page.getByTestId('notification-item').filter({ hasText: started.body.reference });
    await item.waitFor();
    const text = (await item.textContent()) ?? '';
    expect(text).toContain("Escalation di un'attività");
    expect(text).toContain('livello 1');
    expect(text).toContain('Accoglienza urgente');
    expect(text).toContain('Non letta');
    await consoleStack.expectAccessible(page, 'notification centre');
    await consoleStack.screenshot(page, 'supervisor-notifications');

    await item.getByRole('button', { name: /Segna come letta/ }).click();
    await page.getByTestId('notification-count').filter({ hasText: '0 non lette' }).waitFor();
    await page.getByTestId('notification-unread').waitFor({ state: 'detached' });
    const after = await consoleStack.http<CentrePage>('GET', '/me/notifications', supervisor);
    expect(after.body.unreadCount).toBe(0);
    expect(after.body.items.find((entry) => entry.caseId === started.body.caseId)?.readAt).not.toBeNull();

    // Emails in English from now on; escalations in the area still by email, those to the role muted.
    await page.getByLabel('Lingua delle e-mail').selectOption('en');
    // bootstrap-italia draws the checkbox on its label: a person clicks the label.
    await page.getByText('Escalation rivolte al mio ruolo', { exact: true }).click();
    await expect(page.getByLabel('Escalation rivolte al mio ruolo').isChecked()).resolves.toBe(false);
    await expect(page.getByLabel('Escalation nelle mie aree').isChecked()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByRole('status').filter({ hasText: 'Preferenze salvate.' }).waitFor();
    await consoleStack.expectAccessible(page, 'notification centre (preferences saved)');
    const preferences = await consoleStack.http<{ locale: string; mutedRules: string[] }>('GET', '/me/notification-preferences', supervisor);
    expect(preferences.body).toMatchObject({ locale: 'en', mutedRules: ['escalations-to-my-role'] });

    await item.getByRole('link', { name: /Apri/ }).click();
    await page.waitForURL(/\/console\/tasks\//);
  });
});
