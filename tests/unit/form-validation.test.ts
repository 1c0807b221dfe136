import { isCalendarDate } from '../../domain/calendar-date';
import { formDataSchema, validateFormData } from '../../domain/form-validation';
import { formFieldSchema, type FormField } from '../../domain/pathway-schema';

/** A field as the schema would produce it from a coordinator's document (defaults applied). */
const field = (input: Record<string, unknown>): FormField => formFieldSchema.parse({ label: { it: String(input.key) }, ...input });
const options = (...values: string[]) => values.map((value) => ({ value, label: { it: value } }));

const eligibilityForm: FormField[] = [
  field({ key: 'isee', type: 'number', min: 0, max: 100_000 }),
  field({ key: 'measure', type: 'select', required: true, options: options('adi', 'sfl', 'none') }),
  field({ key: 'padDate', type: 'date' }),
  field({ key: 'alias', type: 'text', required: true }),
  field({ key: 'notes', type: 'textarea' }),
  field({ key: 'privacyNoticeGiven', type: 'boolean', required: true }),
  field({ key: 'benefits', type: 'multiselect', options: options('adi', 'naspi', 'auu') }),
];

const valid = { measure: 'adi', alias: 'Mario', privacyNoticeGiven: true };

const issuesOf = (input: unknown, fields: FormField[] = eligibilityForm) => {
  const result = validateFormData(fields, input);
  return result.ok ? [] : result.issues;
};
const pathsOf = (input: unknown, fields: FormField[] = eligibilityForm) => issuesOf(input, fields).map((issue) => issue.path.join('.'));

describe('validateFormData', () => {
  it('refuses dates whose year could not become a stored deadline', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('0000-01-01')).toBe(false);
    expect(isCalendarDate('9999-12-31')).toBe(false);
    expect(isCalendarDate('1899-12-31')).toBe(false);
    expect(isCalendarDate('2200-12-31')).toBe(true);
  });

  it('accepts a minimal valid submission and leaves absent optional fields out', () => {
    expect(validateFormData(eligibilityForm, valid)).toEqual({ ok: true, data: valid });
  });

  it('accepts every type with good values', () => {
    const result = validateFormData(eligibilityForm, { ...valid, isee: 5400.5, padDate: '2024-02-29', notes: 'ok', benefits: ['adi', 'auu'] });
    expect(result.ok).toBe(true);
  });

  it('trims text and stores blank optional text as null', () => {
    const result = validateFormData(eligibilityForm, { ...valid, alias: '  Mario  ', notes: '   ' });
    expect(result).toEqual({ ok: true, data: { ...valid, alias: 'Mario', notes: null } });
  });

  it('accepts null for optional fields', () => {
    const result = validateFormData(eligibilityForm, { ...valid, isee: null, padDate: null, benefits: null });
    expect(result).toEqual({ ok: true, data: { ...valid, isee: null, padDate: null, benefits: null } });
  });

  it('requires required fields to be present and non-empty', () => {
    const issues = issuesOf({ alias: '   ', privacyNoticeGiven: null });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ['measure'], message: 'required' },
        { path: ['alias'], message: 'required' },
        { path: ['privacyNoticeGiven'], message: 'required' },
      ]),
    );
    expect(issues).toHaveLength(3);
  });

  it('accepts false for a required boolean', () => {
    expect(validateFormData(eligibilityForm, { ...valid, privacyNoticeGiven: false }).ok).toBe(true);
  });

  it('rejects unknown keys at the key', () => {
    expect(issuesOf({ ...valid, fiscalCode: 'RSSMRA80A01H501U', other: 1 })).toEqual([
      { path: ['fiscalCode'], message: 'unknown field' },
      { path: ['other'], message: 'unknown field' },
    ]);
  });

  it('rejects input that is not an object', () => {
    expect(pathsOf('hello')).toEqual(['']);
    expect(pathsOf([valid])).toEqual(['']);
    expect(pathsOf(null)).toEqual(['']);
  });

  it('enforces number bounds and types', () => {
    expect(pathsOf({ ...valid, isee: -1 })).toEqual(['isee']);
    expect(pathsOf({ ...valid, isee: 100_001 })).toEqual(['isee']);
    expect(pathsOf({ ...valid, isee: '5400' })).toEqual(['isee']);
  });

  it('enforces text length, with a default limit', () => {
    expect(pathsOf({ ...valid, alias: 'x'.repeat(2001) })).toEqual(['alias']);
    expect(pathsOf({ ...valid, notes: 'x'.repeat(10_000) })).toEqual([]);
    expect(pathsOf({ ...valid, notes: 'x'.repeat(10_001) })).toEqual(['notes']);
    const short = [field({ key: 'alias', type: 'text', maxLength: 5 })];
    expect(pathsOf({ alias: 'abcdef' }, short)).toEqual(['alias']);
    expect(pathsOf({ alias: 123 }, short)).toEqual(['alias']);
  });

  it('accepts only real calendar dates as YYYY-MM-DD', () => {
    expect(pathsOf({ ...valid, padDate: '2026-02-29' })).toEqual(['padDate']);
    expect(pathsOf({ ...valid, padDate: '2026-13-01' })).toEqual(['padDate']);
    expect(pathsOf({ ...valid, padDate: '10/03/2026' })).toEqual(['padDate']);
    expect(pathsOf({ ...valid, padDate: '2026-03-10T00:00:00Z' })).toEqual(['padDate']);
    expect(pathsOf({ ...valid, padDate: '2026-03-10' })).toEqual([]);
  });

  it('accepts only listed options for a select', () => {
    const issues = issuesOf({ ...valid, measure: 'ADI' });
    expect(issues).toEqual([{ path: ['measure'], message: 'expected one of: adi, sfl, none' }]);
  });

  it('accepts only unique listed options for a multiselect, with index paths', () => {
    expect(pathsOf({ ...valid, benefits: ['adi', 'rdc'] })).toEqual(['benefits.1']);
    expect(pathsOf({ ...valid, benefits: ['adi', 'adi'] })).toEqual(['benefits']);
    expect(pathsOf({ ...valid, benefits: 'adi' })).toEqual(['benefits']);
  });

  it('requires at least one option for a required multiselect', () => {
    const fields = [field({ key: 'benefits', type: 'multiselect', required: true, options: options('adi') })];
    expect(pathsOf({ benefits: [] }, fields)).toEqual(['benefits']);
    expect(pathsOf({ benefits: ['adi'] }, fields)).toEqual([]);
  });

  it('rejects a non-boolean for a boolean field', () => {
    expect(pathsOf({ ...valid, privacyNoticeGiven: 'yes' })).toEqual(['privacyNoticeGiven']);
  });

  it('builds one schema per field-list content, so a replay decoding its own copy of the definition reuses it', () => {
    const copy = structuredClone(eligibilityForm);
    expect(formDataSchema(copy)).toBe(formDataSchema(eligibilityForm));
    // Different content never shares: a changed bound is enforced on the copy alone.
    const tightened = structuredClone(eligibilityForm).map((f) => (f.key === 'isee' ? { ...f, max: 10 } : f));
    expect(formDataSchema(tightened)).not.toBe(formDataSchema(eligibilityForm));
    expect(pathsOf({ ...valid, isee: 50 }, tightened)).toEqual(['isee']);
    expect(pathsOf({ ...valid, isee: 50 })).toEqual([]);
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2026-04-31', false],
    ['2026-00-10', false],
    ['2026-12-31', true],
  ])('%s → %s', (value, expected) => {
    expect(isCalendarDate(value)).toBe(expected);
  });
});
