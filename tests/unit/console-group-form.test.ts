/**
 * The console's repeating groups (household members) as pure logic: a group starts with as many
 * blank members as it must hold, is sent as a list of objects, and its problems are keyed by the
 * API's item paths (`members.1.birthYear`), so a 422 lands on the right member's input; fixing or
 * removing a member moves the remaining messages with the members. The pathway editor changes a
 * field's type without leaving behind what the new type does not take, and a group it edits still
 * passes the domain's schema.
 */
import { formFieldSchema } from '../../domain/pathway-schema';
import { withFieldType, type FormFieldDoc } from '../../web/src/features/coordinator/model';
import { emptyValues, serverFieldProblems, toApiData, validateValues, withoutFixedErrors } from '../../web/src/features/operator/form-values';
import { membersField } from './household-pathway';

type ConsoleField = Parameters<typeof validateValues>[0][number];
const members = formFieldSchema.parse(membersField) as unknown as ConsoleField;

describe('a group being filled in', () => {
  it('starts with one blank member when required, with minItems when more, with none when optional', () => {
    expect(emptyValues([members]).members).toEqual([{ relation: '', birthYear: '', minor: null, jobActivable: null, disability: null, health: null }]);
    expect((emptyValues([{ ...members, minItems: 2 }]).members as unknown[]).length).toBe(2);
    expect(emptyValues([{ ...members, required: false }]).members).toEqual([]);
  });

  it('is sent as a list of members with typed answers, blank optional answers left out', () => {
    const values = {
      members: [
        { relation: 'self', birthYear: ' 1984 ', minor: null, jobActivable: true, disability: null, health: false },
        { relation: 'child', birthYear: '2016', minor: true, jobActivable: null, disability: null, health: null },
      ],
    };
    expect(validateValues([members], values)).toEqual({});
    expect(toApiData([members], values)).toEqual({
      members: [
        { relation: 'self', birthYear: 1984, jobActivable: true, health: false },
        { relation: 'child', birthYear: 2016, minor: true },
      ],
    });
  });

  it('keys each member’s problem by its item path, and a missing list by the group', () => {
    const values = {
      members: [
        { relation: 'self', birthYear: '1984', minor: null, jobActivable: null, disability: null, health: null },
        { relation: '', birthYear: '1850', minor: null, jobActivable: null, disability: null, health: null },
      ],
    };
    expect(validateValues([members], values)).toEqual({
      'members.1.relation': { key: 'form.errors.required' },
      'members.1.birthYear': { key: 'form.errors.min', values: { min: 1900 } },
    });
    expect(validateValues([members], { members: [] })).toEqual({ members: { key: 'form.errors.required' } });
    expect(validateValues([{ ...members, minItems: 3 }], values)).toMatchObject({ members: { key: 'form.errors.minItems', values: { min: 3 } } });
  });
});

describe('the API’s field errors', () => {
  it('land on the member’s sub-field, the group, or the field, by their path', () => {
    const { byField, rest } = serverFieldProblems({
      'data.members.1.birthYear': 'expected a number',
      'data.members.0.relation': 'required',
      'data.members': 'at most 12 items',
      'data.tags.2': 'expected one of: a, b',
      'data.note': 'required',
      pathwayKey: 'unknown pathway',
    });
    expect(byField).toEqual({
      'members.1.birthYear': 'expected a number',
      'members.0.relation': { key: 'form.errors.required' },
      members: 'at most 12 items',
      tags: 'expected one of: a, b',
      note: { key: 'form.errors.required' },
    });
    expect(rest).toEqual(['pathwayKey']);
  });
});

describe('messages after a change', () => {
  const errors = {
    note: 'n',
    members: 'count',
    'members.0.relation': 'r0',
    'members.1.birthYear': 'b1',
    'members.2.relation': 'r2',
    'members.2.birthYear': 'b2',
  };

  it('lose only the answer that was corrected', () => {
    expect(withoutFixedErrors(errors, 'members.1.birthYear')).toEqual({ note: 'n', members: 'count', 'members.0.relation': 'r0', 'members.2.relation': 'r2', 'members.2.birthYear': 'b2' });
    expect(withoutFixedErrors(errors, 'note')).not.toHaveProperty('note');
  });

  it('follow their members when one is removed, and the count message goes', () => {
    expect(withoutFixedErrors(errors, 'members.1')).toEqual({ note: 'n', 'members.0.relation': 'r0', 'members.1.relation': 'r2', 'members.1.birthYear': 'b2' });
    expect(withoutFixedErrors(errors, 'members.0')).toEqual({ note: 'n', 'members.0.birthYear': 'b1', 'members.1.relation': 'r2', 'members.1.birthYear': 'b2' });
  });

  it('keep the members’ own when one is added', () => {
    const { members: _count, ...others } = errors;
    expect(withoutFixedErrors(errors, 'members')).toEqual(others);
  });
});

describe('the pathway editor’s field type', () => {
  const text: FormFieldDoc = { key: 'members', label: { it: 'Componenti' }, type: 'text', required: true, maxLength: 50 };

  it('turns a field into a group the domain accepts once its sub-field is named', () => {
    const group = withFieldType(text, 'group');
    expect(group).toEqual({ key: 'members', label: { it: 'Componenti' }, type: 'group', required: true, fields: [{ key: '', label: { it: '' }, type: 'text', required: false }] });
    const named = { ...group, maxItems: 12, fields: [{ ...group.fields![0], key: 'birthYear', type: 'number' as const, label: { it: 'Anno di nascita' } }] };
    expect(formFieldSchema.safeParse(named).success).toBe(true);
  });

  it('keeps a group’s sub-fields while it stays a group and drops them when it stops being one', () => {
    const group: FormFieldDoc = { ...(membersField as unknown as FormFieldDoc), minItems: 1 };
    expect(withFieldType(group, 'group')).toEqual(group);
    const select = withFieldType(group, 'select');
    expect(select).not.toHaveProperty('fields');
    expect(select).not.toHaveProperty('minItems');
    expect(select).not.toHaveProperty('maxItems');
    expect(select.options).toEqual([{ value: 'option_1', label: { it: 'Opzione 1' } }]);
    expect(formFieldSchema.safeParse(select).success).toBe(true);
  });
});
