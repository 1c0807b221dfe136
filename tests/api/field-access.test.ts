/**
 * Field-level protection of special-category data: the policy as data (unit), and over the API on
 * a real reference-pathway case whose preliminary assessment holds clinical notes. The employment
 * side never receives them, in the case detail, the timeline or a command's answer; the social
 * service does. Hidden fields are omitted and listed in `redactedFields`.
 */
import { fieldAccessPolicy, fieldCategories, fieldReader, mayReadCategory, mergeFieldCategories, redactCaseData } from '../../domain/field-access';
import { pathwayDefinitionSchema, specialCategories, type Role } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';
import { daysAgo } from '../support/reference-journey';
import type { CaseDetail, Page, TaskView } from '../support/api-types';
import { startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

const reference = pathwayDefinitionSchema.parse(ossReferencePathway);
const actor = (roles: Role[], services: string[]) => ({ roles, services });

describe('field access policy', () => {
  it('covers every special category', () => {
    expect(Object.keys(fieldAccessPolicy).sort()).toEqual([...specialCategories].sort());
  });

  it('lets the social and OSS services and their supervisors read clinical data, never the employment side', () => {
    for (const category of ['health', 'addiction', 'disability'] as const) {
      expect(mayReadCategory(actor(['operator'], ['social']), category)).toBe(true);
      expect(mayReadCategory(actor(['operator'], ['oss']), category)).toBe(true);
      expect(mayReadCategory(actor(['supervisor'], ['social', 'employment']), category)).toBe(true);
      expect(mayReadCategory(actor(['admin'], []), category)).toBe(true);
      expect(mayReadCategory(actor(['operator'], ['employment']), category)).toBe(false);
      expect(mayReadCategory(actor(['supervisor'], ['employment']), category)).toBe(false);
      expect(mayReadCategory(actor(['operator'], ['outreach']), category)).toBe(false);
      expect(mayReadCategory(actor(['coordinator'], ['social', 'oss']), category)).toBe(false);
      expect(mayReadCategory(actor(['auditor'], ['social', 'oss']), category)).toBe(false);
      expect(mayReadCategory(actor([], ['social']), category)).toBe(false);
    }
    expect(mayReadCategory(actor(['operator'], ['social']), 'judicial')).toBe(true);
    expect(mayReadCategory(actor(['operator'], ['oss']), 'judicial')).toBe(false);
    expect(mayReadCategory(actor(['operator'], ['outreach']), 'judicial')).toBe(false);
    expect(mayReadCategory(actor(['coordinator'], ['social']), 'judicial')).toBe(false);
    expect(mayReadCategory(actor(['operator'], ['employment']), 'minors')).toBe(false);
    for (const service of ['outreach', 'oss', 'social']) expect(mayReadCategory(actor(['operator'], [service]), 'minors')).toBe(true);
    expect(mayReadCategory(actor(['auditor'], ['outreach']), 'minors')).toBe(false);
  });

  it('finds the categorised fields of the reference pathway by step and key', () => {
    const categories = fieldCategories(reference);
    expect(categories.get('preliminary_assessment.personalFunctioning')).toBe('health');
    expect(categories.get('team_assessment.risks')).toBe('health');
    expect(categories.get('emergency.healthFlag')).toBe('health');
    expect(categories.get('intake.minors')).toBe('minors');
    expect(categories.has('intake.alias')).toBe(false);
  });

  it('omits and lists what a reader may not see, and hides everything when the definition is unknown', () => {
    const data = { intake: { alias: 'X', minors: true }, preliminary_assessment: { personalFunctioning: 'clinical', jobActivable: true } };
    const cpi = redactCaseData(data, fieldReader(actor(['operator'], ['employment']), fieldCategories(reference)));
    expect(cpi.data).toEqual({ intake: { alias: 'X' }, preliminary_assessment: { jobActivable: true } });
    expect(cpi.redactedFields.sort()).toEqual(['intake.minors', 'preliminary_assessment.personalFunctioning']);
    expect(cpi.returnedFields.sort()).toEqual(['intake.alias', 'preliminary_assessment.jobActivable']);
    const social = redactCaseData(data, fieldReader(actor(['operator'], ['social']), fieldCategories(reference)));
    expect(social.data).toEqual(data);
    expect(social.redactedFields).toEqual([]);
    const unknown = redactCaseData(data, fieldReader(actor(['operator'], ['social']), null));
    expect(unknown.data).toEqual({ intake: {}, preliminary_assessment: {} });
    expect(redactCaseData(data, fieldReader(actor(['admin'], []), null)).data).toEqual(data);
  });

  it('protects a field marked in any version of the pathway, by every category marking it', () => {
    const v1 = new Map([['assessment.notes', 'health' as const], ['intake.minors', 'minors' as const]]);
    const v2 = new Map([['assessment.notes', 'judicial' as const]]);
    const merged = mergeFieldCategories([v1, v2]);
    expect(merged.get('assessment.notes')).toEqual(['health', 'judicial']);
    expect(merged.get('intake.minors')).toEqual(['minors']);
    // The OSS operator may read health but not judicial data: a path marked with both stays hidden.
    const oss = fieldReader(actor(['operator'], ['oss']), merged);
    expect([oss('assessment.notes'), oss('intake.minors'), oss('intake.alias')]).toEqual([false, true, true]);
    const social = fieldReader(actor(['operator'], ['social']), merged);
    expect(social('assessment.notes')).toBe(true);
  });
});

describe('field access over the API', () => {
  const CLINICAL = 'Dipendenza da alcol, in carico al SerD dal 2024';
  let api: ApiHarness;
  let caseId: string;

  /** Completes the open task of a step as the given user. */
  async function complete(user: string, stepId: string, data: Record<string, unknown>) {
    const inbox = await api.request(user, { method: 'GET', url: `/tasks?caseId=${caseId}&stepId=${stepId}` });
    expect(inbox.statusCode).toBe(200);
    const [task] = inbox.json<Page<TaskView>>().items;
    expect(task).toBeDefined();
    const done = await api.request(user, { method: 'POST', url: `/tasks/${task.taskId}/complete`, payload: { data } });
    expect(done.statusCode).toBe(200);
    return done;
  }

  beforeAll(async () => {
    api = await startApiHarness({ worker: true });
    const started = await api.request('outreach-operator-lucca', {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': 'field-access-1' },
      payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'lucca', data: { targetGroup: 'homeless' } },
    });
    expect(started.statusCode).toBe(201);
    caseId = started.json<CaseDetail>().caseId;
    await complete('outreach-operator-lucca', 'outreach', { source: 'station', urgent: false });
    await complete('oss-operator-lucca', 'intake', { alias: 'Persona di prova', minors: true, privacyNoticeGiven: true });
    await complete('oss-operator-lucca', 'eligibility', { measure: 'adi', padDate: daysAgo(30) });
    await complete('social-worker-lucca', 'convocation', { meetingOn: daysAgo(1), place: 'Sportello OSS' });
    const assessed = await complete('social-worker-lucca', 'preliminary_assessment', { attendance: 'attended', personalFunctioning: CLINICAL, complexNeeds: false, jobActivable: true });
    // The command's answer carries no collected data at all.
    expect(assessed.body).not.toContain(CLINICAL);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
  });

  const detailAs = async (user: string) => {
    const response = await api.request(user, { method: 'GET', url: `/cases/${caseId}` });
    expect(response.statusCode).toBe(200);
    return response;
  };

  it('never sends clinical notes to the employment service, and says which fields are hidden', async () => {
    const response = await detailAs('cpi-counsellor-lucca');
    expect(response.body).not.toContain(CLINICAL);
    const detail = response.json<CaseDetail & { redactedFields: string[] }>();
    expect(detail.data.preliminary_assessment).toEqual({ attendance: 'attended', complexNeeds: false, jobActivable: true });
    expect(detail.data.intake).not.toHaveProperty('minors');
    expect(detail.data.intake.alias).toBe('Persona di prova');
    expect(detail.redactedFields.sort()).toEqual(['intake.minors', 'preliminary_assessment.personalFunctioning']);
    console.log(`field access: employment operator got ${detail.redactedFields.length} fields hidden: ${detail.redactedFields.join(', ')}`);
  });

  it('shows them to the social service and its supervisor, and to admins', async () => {
    for (const user of ['social-worker-lucca', 'oss-operator-lucca', 'supervisor-lucca', 'admin']) {
      const detail = (await detailAs(user)).json<CaseDetail & { redactedFields: string[] }>();
      expect(detail.data.preliminary_assessment.personalFunctioning).toBe(CLINICAL);
      expect(detail.redactedFields).toEqual([]);
    }
  });

  it('hides them from coordinators and auditors, who read the case but have no need for clinical notes', async () => {
    for (const user of ['coordinator-lucca', 'auditor-lucca']) {
      const response = await detailAs(user);
      expect(response.body).not.toContain(CLINICAL);
      expect(response.json<{ redactedFields: string[] }>().redactedFields).toContain('preliminary_assessment.personalFunctioning');
    }
  });

  it('keeps them out of the timeline and of case-command answers for the employment side', async () => {
    const timeline = await api.request('cpi-counsellor-lucca', { method: 'GET', url: `/cases/${caseId}/timeline?limit=500` });
    expect(timeline.statusCode).toBe(200);
    expect(timeline.body).not.toContain(CLINICAL);
    const noted = await api.request('cpi-counsellor-lucca', { method: 'POST', url: `/cases/${caseId}/notes`, payload: { text: 'Colloquio fissato al CPI' } });
    expect(noted.statusCode).toBe(200);
    expect(noted.body).not.toContain(CLINICAL);
    expect(noted.json<{ redactedFields: string[] }>().redactedFields).toContain('preliminary_assessment.personalFunctioning');
  });

  it('hides the text of a note marked with a special category from readers not allowed it', async () => {
    const SECRET = 'Ricovero in psichiatria la settimana scorsa';
    const noted = await api.request('social-worker-lucca', { method: 'POST', url: `/cases/${caseId}/notes`, payload: { text: SECRET, category: 'health' } });
    expect(noted.statusCode).toBe(200);
    type Event = { seq: number; type: string; details: Record<string, unknown>; redactedFields?: string[] };
    const cpi = await api.request('cpi-counsellor-lucca', { method: 'GET', url: `/cases/${caseId}/timeline?limit=500` });
    expect(cpi.body).not.toContain(SECRET);
    const hidden = cpi.json<Page<Event>>().items.find((event) => event.type === 'note_added' && event.details.category === 'health');
    expect(hidden?.details).not.toHaveProperty('text');
    expect(hidden?.redactedFields).toEqual([`note_added.${hidden?.seq}.text`]);
    // Plain notes stay readable to everyone who reads the case.
    expect(cpi.body).toContain('Colloquio fissato al CPI');
    const social = await api.request('social-worker-lucca', { method: 'GET', url: `/cases/${caseId}/timeline?limit=500` });
    expect(social.body).toContain(SECRET);
  });

  it('keeps hiding data recorded under an earlier version after the case moves to a version that renamed the step', async () => {
    // Version 2 renames the assessment step; a migrated case keeps its data under the old step id, which v2 does not know.
    const { rows } = await api.pool.query<{ definition: { steps: Record<string, unknown> } }>(
      `SELECT definition FROM pathway_versions WHERE key = 'oss-integrated-pathway' AND version = 1`,
    );
    const { preliminary_assessment: renamed, ...steps } = rows[0].definition.steps;
    const v2 = { ...rows[0].definition, steps: { ...steps, first_assessment: renamed } };
    await api.pool.query(`INSERT INTO pathway_versions (key, version, definition, published_by) VALUES ('oss-integrated-pathway', 2, $1, 'coordinator-lucca')`, [v2]);
    await api.pool.query('UPDATE cases SET pathway_version = 2 WHERE case_id = $1', [caseId]);
    const response = await detailAs('cpi-counsellor-lucca');
    expect(response.json<CaseDetail>().pathwayVersion).toBe(2);
    expect(response.body).not.toContain(CLINICAL);
    expect(response.json<{ redactedFields: string[] }>().redactedFields).toContain('preliminary_assessment.personalFunctioning');
    const social = (await detailAs('social-worker-lucca')).json<CaseDetail>();
    expect(social.data.preliminary_assessment.personalFunctioning).toBe(CLINICAL);
  });
});
