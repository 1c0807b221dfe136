/**
 * The inputs of a step form, rendered from the pathway's field definitions: text, textarea,
 * number, date, select, multiselect (checkboxes), yes/no (radio buttons, so a required answer
 * cannot be given by accident) and repeating groups (a fieldset per item, e.g. per household
 * member, with the same inputs for its sub-fields). Labels sit above fields; a required mark, help
 * text, the special-category notice and the field's error are tied to the input with
 * aria-describedby.
 */
import { useTranslation } from 'react-i18next';
import { localized, type FormField } from '../cases/format';
import { FieldInput } from './FieldInput';
import { GroupInput } from './GroupInput';
import { askedFields, itemsOf, scalarOf, type FieldProblem, type FormValues, type GroupSubField } from './form-values';

/** The message of a field problem: a translation key, or a server message as written. */
export function useProblemText() {
  const { t } = useTranslation('operator');
  return (problem: FieldProblem | string | undefined): string | undefined =>
    problem === undefined ? undefined : typeof problem === 'string' ? problem : t(problem.key, problem.values ?? {});
}

/**
 * The DOM id of the input that answers a problem key (`<key>`, or `<group>.<index>.<subKey>`): the
 * first choice of a yes/no or checkbox list, a group's "add" button for the group's own problems.
 */
export function fieldInputId(idPrefix: string, fields: FormField[], problemKey: string): string {
  const [key, index, subKey] = problemKey.split('.');
  const field = fields.find((candidate) => candidate.key === key);
  const target: FormField | GroupSubField | undefined = subKey !== undefined ? field?.fields?.find((sub) => sub.key === subKey) : field;
  const base = `${idPrefix}-${problemKey.replaceAll('.', '-')}`;
  if (field?.type === 'group' && subKey === undefined && index === undefined) return `${base}-add`;
  if (target?.type === 'boolean') return `${base}-true`;
  if (target?.type === 'multiselect') return `${base}-${target.options?.[0]?.value ?? ''}`;
  return base;
}

/** A link from a form's error summary to the input a problem is about, named by its label (and item). */
export function FieldErrorLink({ idPrefix, fields, problemKey }: { idPrefix: string; fields: FormField[]; problemKey: string }) {
  const { t, i18n } = useTranslation('operator');
  const [key, index, subKey] = problemKey.split('.');
  const field = fields.find((candidate) => candidate.key === key);
  const sub = subKey !== undefined ? field?.fields?.find((candidate) => candidate.key === subKey) : undefined;
  const label = field ? localized(field.label, i18n.language) : key;
  const text = subKey !== undefined ? t('form.group.itemField', { group: label, number: Number(index) + 1, field: sub ? localized(sub.label, i18n.language) : subKey }) : label;
  return <a href={`#${fieldInputId(idPrefix, fields, problemKey)}`}>{text}</a>;
}

/**
 * Inputs for every field the form asks now; `errors` maps a problem key (a field's key, or
 * `<group>.<index>.<subKey>`) to its message; `onChange` names the answer that changed the same
 * way (`<group>.<index>` when an item was removed, `<group>` when one was added).
 */
export function StepFormFields({
  idPrefix,
  fields,
  values,
  errors,
  disabled = false,
  onChange,
}: {
  idPrefix: string;
  fields: FormField[];
  values: FormValues;
  errors: Record<string, string | undefined>;
  disabled?: boolean;
  onChange: (values: FormValues, changedKey: string) => void;
}) {
  // A field with a rule appears only while the earlier answers make the rule hold (e.g. household details once "has a household" is yes).
  const asked = askedFields(fields, values);
  return (
    <>
      {fields.filter((field) => asked.has(field.key)).map((field) =>
        field.type === 'group' ? (
          <GroupInput
            key={field.key}
            idPrefix={idPrefix}
            group={field}
            items={itemsOf(values[field.key])}
            errors={errors}
            disabled={disabled}
            onChange={(items, changedKey) => onChange({ ...values, [field.key]: items }, changedKey)}
          />
        ) : (
          <FieldInput
            key={field.key}
            idPrefix={idPrefix}
            path={field.key}
            field={field}
            value={scalarOf(values[field.key])}
            error={errors[field.key]}
            disabled={disabled}
            onChange={(value) => onChange({ ...values, [field.key]: value }, field.key)}
          />
        ),
      )}
    </>
  );
}
