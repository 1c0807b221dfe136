/**
 * The two kinds of deadline clock in the read model: a task's projected row carries its clock, and
 * the API's task view says statutory (with the legal basis) or internal; a deadline whose step
 * states no kind reads as internal, and a task without a deadline has no clock.
 */
import type pg from 'pg';
import { createCase } from '../../domain/case-engine';
import { ensurePersonKeys } from '../../infra/codec/personal-data';
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';
import { runMigrations } from '../../infra/db/migrate';
import { createPool } from '../../infra/db/pool';
import { applyProjection } from '../../infra/db/projection-repository';
import { findTask, selectTaskViews } from '../../infra/db/task-repository';
import { taskDetailSchema, taskViewSchema } from '../../api/schemas/tasks';
import { createTestDatabase, testConfig } from '../support/stack';

let database: { url: string; drop(): Promise<void> };
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  await runMigrations(database.url);
  pool = createPool(database.url);
  ensurePersonKeys(pool, testConfig({ DATABASE_URL: database.url }));
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const t = (it: string) => ({ it });
const legalBasis = { it: 'DM dicembre 2023, art. 9', en: 'Ministerial decree Dec 2023, art. 9' };

const definition = pathwayDefinitionSchema.parse({
  key: 'clock-read-model',
  title: t('Orologi'),
  caseFields: [{ key: 'padDate', type: 'date', label: t('Data PAD') }],
  start: 'fork',
  steps: {
    fork: { kind: 'parallel', title: t('Avvio'), branches: ['meeting', 'visit', 'call', 'note'], next: 'done' },
    meeting: { kind: 'task', title: t('Incontro'), assignee: { service: 'social' }, deadline: { amount: 120, unit: 'calendarDays', from: { field: 'case.padDate' }, clock: 'statutory', legalBasis } },
    visit: { kind: 'task', title: t('Visita'), assignee: { service: 'social' }, deadline: { amount: 30, unit: 'calendarDays', clock: 'internal' } },
    call: { kind: 'task', title: t('Telefonata'), assignee: { service: 'social' }, deadline: { amount: 10, unit: 'calendarDays' } },
    note: { kind: 'task', title: t('Nota'), assignee: { service: 'social' } },
    done: { kind: 'end', title: t('Fine'), outcome: 'completed' },
  },
});

it('projects each task with its clock and shows it in the task view', async () => {
  const { batch } = createCase({
    caseId: '21111111-2222-4333-8444-555555555555',
    reference: 'RT-LI-CLOCK2',
    areaId: 'livorno',
    startedAt: '2026-03-02T09:00:00.000Z',
    startedBy: { id: 'social-worker-livorno', kind: 'user' },
    caseData: { padDate: '2026-03-02' },
    pathway: { key: definition.key, version: 1, definition },
    localHolidays: [],
  });
  await applyProjection(pool, batch);
  const scope = { areas: null, services: null };
  const now = new Date('2026-03-03T09:00:00.000Z');
  const views = await selectTaskViews(pool, scope, {}, { limit: 10 }, now);
  const byStep = Object.fromEntries(views.items.map((view) => [view.stepId, taskViewSchema.parse(view).deadlineClock]));
  expect(byStep).toEqual({
    meeting: { kind: 'statutory', legalBasis },
    visit: { kind: 'internal', legalBasis: null },
    call: { kind: 'internal', legalBasis: null },
    note: null,
  });
  const meeting = views.items.find((view) => view.stepId === 'meeting')!;
  const detail = await findTask(pool, scope, meeting.taskId, now);
  expect(taskDetailSchema.parse({ ...detail, step: null }).deadlineClock).toEqual({ kind: 'statutory', legalBasis });
});
