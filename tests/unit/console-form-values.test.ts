/**
 * The operator console's form checks (web/src/features/operator/form-values.ts) agree with the
 * API's (domain/form-validation.ts): for any field definitions and anything typed into the form,
 * the console lets a form through exactly when the server accepts the data it sends. So a person
 * never waits for a round trip to learn what the console could have said, and the console never
 * blocks what the server would take. Fields may be required to hold one value (mustEqual) and may
 * be asked only when a rule over earlier answers holds (when).
 */
import fc from 'fast-check';
import { validateFormData } from '../../domain/form-validation';
import { formFieldSchema } from '../../domain/pathway-schema';
import { emptyValues, toApiData, validateValues, type FormValue } from '../../web/src/features/operator/form-values';

const options = ['a', 'b', 'c'].map((value) => ({ value, label: { it: value } }));
// The one value a field may be required to hold, by type (the privacy notice given is the boolean case).
const mustEqualOf: Record<string, string | number | boolean | undefined> = { text: 'a', number: 7, boolean: true, date: '2024-02-29', select: 'a' };
const field = fc
  .record({
    type: fc.constantFrom('text', 'textarea', 'number', 'boolean', 'date', 'select', 'multiselect'),
    required: fc.boolean(),
    min: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
    max: fc.option(fc.integer({ min: 5, max: 50 }), { nil: undefined }),
    maxLength: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
    mustEqual: fc.boolean(),
    // A rule over an earlier field (the index is taken modulo the fields before this one).
    when: fc.option(fc.tuple(fc.nat(), fc.constantFrom('exists', 'notExists', 'typed')), { nil: undefined }),
  })
  .map(({ type, required, min, max, maxLength, mustEqual, when }) => ({
    type,
    required: required || (mustEqual && mustEqualOf[type] !== undefined),
    ...(type === 'number' ? { min, max } : {}),
    ...(type === 'text' || type === 'textarea' ? { maxLength } : {}),
    ...(type === 'select' || type === 'multiselect' ? { options } : {}),
    ...(mustEqual && mustEqualOf[type] !== undefined ? { mustEqual: mustEqualOf[type] } : {}),
    when,
  }));

/** A rule of each kind a field can read an earlier field with, by the earlier field's type. */
function ruleOn(key: string, type: string, kind: 'exists' | 'notExists' | 'typed') {
  const field = `form.${key}`;
  if (kind !== 'typed') return { field, op: kind };
  if (type === 'boolean') return { field, op: 'isTrue' };
  if (type === 'number') return { field, op: 'gt', value: 0 };
  if (type === 'select') return { field, op: 'eq', value: 'a' };
  if (type === 'multiselect') return { field, op: 'contains', value: 'a' };
  if (type === 'date') return { field, op: 'gte', value: '2024-01-01' };
  return { field, op: 'ne', value: 'a' };
}

// What an input can hold: free text (numbers, dates, blanks among it), yes/no/unset, option lists.
const typed: fc.Arbitrary<FormValue> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('', '  ', '0', '7', '-3', '4,5', '1e3', 'abc', '2026-02-28', '2026-02-30', '1899-12-31', '2024-02-29', 'a', 'b', 'z'),
  fc.integer({ min: -20, max: 60 }).map(String),
  fc.constantFrom(true, false, null),
  // 'z' is no option: a stale or tampered choice the console must refuse as the API does.
  fc.subarray(['a', 'b', 'c', 'z']),
);

it('accepts a form in the console exactly when the API accepts the data it sends', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(field, typed), { minLength: 1, maxLength: 4 }), (pairs) => {
      const fields = pairs.map(([{ when, ...definition }], index) => {
        const rule = when && index > 0 ? ruleOn(`f${when[0] % index}`, pairs[when[0] % index][0].type, when[1]) : undefined;
        return formFieldSchema.parse({ key: `f${index}`, label: { it: `Campo ${index}` }, ...definition, ...(rule ? { when: rule } : {}) });
      });
      // The console's field type comes from the OpenAPI document, whose rendering of the recursive rule type is looser than zod's.
      const consoleFields = fields as unknown as Parameters<typeof validateValues>[0];
      // The console gives each input only what it can hold: a checkbox list an array, yes/no a boolean, the rest text.
      const values = { ...emptyValues(consoleFields) };
      pairs.forEach(([, value], index) => {
        const { type } = fields[index];
        if (type === 'multiselect') values[`f${index}`] = Array.isArray(value) ? value : [];
        else if (type === 'boolean') values[`f${index}`] = typeof value === 'boolean' || value === null ? value : null;
        else values[`f${index}`] = typeof value === 'string' ? value : '';
      });
      const consoleOk = Object.keys(validateValues(consoleFields, values)).length === 0;
      const server = validateFormData(fields, toApiData(consoleFields, values));
      if (consoleOk !== server.ok) {
        throw new Error(`console ${consoleOk ? 'accepts' : 'refuses'} but the API ${server.ok ? 'accepts' : `refuses (${JSON.stringify(server.issues)})`}: ${JSON.stringify({ fields, values })}`);
      }
    }),
    { numRuns: 3000 },
  );
});
