/**
 * A refused form answers with field paths and messages, and those messages go back to the caller,
 * into the workflow's update rejection (a Temporal failure) and possibly into logs: they must never
 * quote what was submitted, which may be special-category data. Every way a value can be wrong, for
 * every field type, with a unique canary as the value.
 */
import { validateFormData } from '../../domain/form-validation';
import { formFieldSchema, type FormField } from '../../domain/pathway-schema';

const label = { it: 'Campo' };
const fields: FormField[] = [
  { key: 'notes', label, type: 'text', maxLength: 20, required: true },
  { key: 'history', label, type: 'textarea', maxLength: 30 },
  { key: 'age', label, type: 'number', min: 18, max: 120 },
  { key: 'minor', label, type: 'boolean' },
  { key: 'since', label, type: 'date' },
  { key: 'service', label, type: 'select', options: [{ value: 'serd', label }] },
  { key: 'needs', label, type: 'multiselect', options: [{ value: 'housing', label }] },
].map((field) => formFieldSchema.parse(field));

const canary = 'SECRET-Dipendenza-da-alcol-7f3c';
const canaryNumber = 987654321;

describe('form validation messages', () => {
  it('never quote the submitted values', () => {
    const wrongValues: Array<Record<string, unknown>> = [
      { notes: `${canary} ${'x'.repeat(40)}` },
      { notes: 'ok', history: `${canary} ${'y'.repeat(40)}` },
      { notes: 'ok', age: canaryNumber },
      { notes: 'ok', age: canary },
      { notes: 'ok', minor: canary },
      { notes: 'ok', since: canary },
      { notes: 'ok', since: '2024-02-30' },
      { notes: 'ok', service: canary },
      { notes: 'ok', needs: [canary] },
      { notes: 'ok', needs: ['housing', 'housing'] },
      { notes: 'ok', needs: canary },
      { notes: { nested: canary } },
      { notes: 'ok', [canary]: 'unknown field value' },
    ];
    let refused = 0;
    for (const input of wrongValues) {
      const result = validateFormData(fields, input);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      refused += 1;
      const messages = result.issues.map((issue) => issue.message).join('\n');
      expect(messages).not.toContain(canary);
      expect(messages).not.toContain(String(canaryNumber));
      expect(messages).not.toContain('2024-02-30');
      expect(messages).not.toContain('unknown field value');
    }
    expect(refused).toBe(wrongValues.length);
  });
});
