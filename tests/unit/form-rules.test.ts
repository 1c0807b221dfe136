/**
 * Form rules beyond a value's type: a field that must hold one value (the privacy notice must have
 * been given: `false` is refused and intake cannot complete) and fields asked only when a rule over
 * earlier answers holds (required then, left empty otherwise). Decided the same way by the API, the
 * workflow's validator and, via tests/unit/console-form-values.test.ts, the console.
 */
import { checkCommand } from '../../domain/case-command-handlers';
import { createCase, openTasks } from '../../domain/case-engine';
import type { Actor } from '../../domain/case-state';
import { validateFormData } from '../../domain/form-validation';
import { checkPathway } from '../../domain/pathway-checks';
import { formFieldSchema, pathwayDefinitionSchema, type FormField } from '../../domain/pathway-schema';

const label = (it: string) => ({ it });
const privacyNotice = { key: 'privacyNoticeGiven', label: label('Informativa privacy consegnata'), type: 'boolean', required: true, mustEqual: true };
const intakeFields = [
  privacyNotice,
  { key: 'hasHousehold', label: label('Vive con un nucleo familiare'), type: 'boolean', required: true },
  { key: 'householdSize', label: label('Componenti del nucleo'), type: 'number', min: 1, required: true, when: { field: 'intake.hasHousehold', op: 'isTrue' } },
  { key: 'minors', label: label('Minori nel nucleo'), type: 'number', min: 0, when: { field: 'intake.householdSize', op: 'gt', value: 1 } },
];
const fields: FormField[] = intakeFields.map((field) => formFieldSchema.parse(field));
const paths = (result: ReturnType<typeof validateFormData>) => (result.ok ? [] : result.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));

describe('a field that must hold one value', () => {
  it('refuses the privacy notice recorded as not given, or not recorded', () => {
    expect(paths(validateFormData(fields, { privacyNoticeGiven: false, hasHousehold: false }))).toEqual(['privacyNoticeGiven: must be true']);
    expect(paths(validateFormData(fields, { hasHousehold: false }))).toEqual(['privacyNoticeGiven: required']);
    expect(validateFormData(fields, { privacyNoticeGiven: true, hasHousehold: false })).toEqual({ ok: true, data: { privacyNoticeGiven: true, hasHousehold: false } });
  });

  it('is refused by the schema where it cannot hold: on a textarea, of the wrong type, not an option, or not required', () => {
    const issues = (field: Record<string, unknown>) => formFieldSchema.safeParse({ key: 'x', label: label('x'), ...field }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ type: 'textarea', required: true, mustEqual: 'ok' })).toEqual(['mustEqual: a textarea field cannot be required to hold one value']);
    expect(issues({ type: 'boolean', required: true, mustEqual: 'yes' })).toEqual(['mustEqual: a boolean field holds boolean values, not "yes"']);
    expect(issues({ type: 'select', required: true, options: [{ value: 'a', label: label('a') }], mustEqual: 'b' })).toEqual(['mustEqual: "b" is not an option of the field']);
    expect(issues({ type: 'boolean', mustEqual: true })).toEqual(['required: a field that must hold a value must be required (a blank answer would skip the check)']);
  });

  it('stops intake from completing through the engine with the notice not given', () => {
    const definition = pathwayDefinitionSchema.parse({
      key: 'privacy-test',
      title: label('Privacy'),
      start: 'intake',
      steps: {
        intake: { kind: 'task', title: label('Accoglienza'), assignee: { service: 'oss' }, form: { fields: intakeFields }, next: 'done' },
        done: { kind: 'end', title: label('Fine'), outcome: 'completed' },
      },
    });
    expect(checkPathway(definition, { services: ['oss'] })).toEqual([]);
    const { state } = createCase({
      caseId: '31111111-2222-4333-8444-555555555555',
      reference: 'RT-LI-PRIV01',
      areaId: 'livorno',
      startedAt: '2026-03-02T09:00:00.000Z',
      startedBy: { id: 'u-desk', kind: 'user' },
      caseData: {},
      pathway: { key: definition.key, version: 1, definition },
      localHolidays: [],
    });
    const desk: Actor = { id: 'u-desk', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['oss'] };
    const taskId = openTasks(state)[0].id;
    const refused = checkCommand(state, definition, { actor: desk, command: { kind: 'completeTask', taskId, data: { privacyNoticeGiven: false, hasHousehold: false } } });
    expect(refused).toMatchObject({ type: 'invalid_data', issues: [{ path: ['privacyNoticeGiven'], message: 'must be true' }] });
    expect(checkCommand(state, definition, { actor: desk, command: { kind: 'completeTask', taskId, data: { privacyNoticeGiven: true, hasHousehold: false } } })).toBeNull();
  });
});

describe('fields asked only when a rule holds', () => {
  it('requires a conditional field while its rule holds, and refuses it while it does not', () => {
    expect(paths(validateFormData(fields, { privacyNoticeGiven: true, hasHousehold: true }))).toEqual(['householdSize: required']);
    expect(validateFormData(fields, { privacyNoticeGiven: true, hasHousehold: true, householdSize: 1 }).ok).toBe(true);
    expect(paths(validateFormData(fields, { privacyNoticeGiven: true, hasHousehold: false, householdSize: 3 }))).toEqual([
      'householdSize: not asked: the rule that shows this field does not hold',
    ]);
    // A chain: minors are asked only for a household of more than one, and are optional then.
    expect(validateFormData(fields, { privacyNoticeGiven: true, hasHousehold: true, householdSize: 3, minors: 2 }).ok).toBe(true);
    expect(validateFormData(fields, { privacyNoticeGiven: true, hasHousehold: true, householdSize: 3 }).ok).toBe(true);
    expect(validateFormData(fields, { privacyNoticeGiven: true, hasHousehold: true, householdSize: 1, minors: 0 }).ok).toBe(false);
  });

  it('lets a rule read only fields above it in the same form', () => {
    const definition = pathwayDefinitionSchema.parse({
      key: 'rules-test',
      title: label('Regole'),
      caseFields: [
        { key: 'channel', label: label('Canale'), type: 'select', options: [{ value: 'desk', label: label('Sportello') }] },
        { key: 'desk', label: label('Sportello'), type: 'text', when: { field: 'case.channel', op: 'eq', value: 'desk' } },
      ],
      start: 'intake',
      steps: {
        intake: {
          kind: 'task',
          title: label('Accoglienza'),
          assignee: { service: 'oss' },
          form: {
            fields: [
              { key: 'early', label: label('Prima'), type: 'text', when: { field: 'intake.late', op: 'exists' } },
              { key: 'late', label: label('Dopo'), type: 'boolean' },
              { key: 'elsewhere', label: label('Altrove'), type: 'text', when: { field: 'case.channel', op: 'exists' } },
              { key: 'typed', label: label('Tipo'), type: 'text', when: { field: 'intake.late', op: 'gt', value: 1 } },
            ],
          },
          next: 'done',
        },
        done: { kind: 'end', title: label('Fine'), outcome: 'completed' },
      },
    });
    expect(checkPathway(definition, { services: ['oss'] }).map((issue) => `${issue.code} ${issue.path.join('.')}`)).toEqual([
      'unknown_field steps.intake.form.fields.0.when.field',
      'unknown_field steps.intake.form.fields.2.when.field',
      'field_type_mismatch steps.intake.form.fields.3.when.op',
    ]);
  });
});
