/**
 * The inputs of a step form, rendered from the pathway's field definitions: text, textarea,
 * number, date, select, multiselect (checkboxes) and yes/no (radio buttons, so a required answer
 * cannot be given by accident). Labels sit above fields; a required mark, help text, the
 * special-category notice and the field's error are tied to the input with aria-describedby.
 */
import type { ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { localized, type FormField } from '../cases/format';
import { askedFields, type FieldProblem, type FormValue, type FormValues } from './form-values';

/** The message of a field problem: a translation key, or a server message as written. */
export function useProblemText() {
  const { t } = useTranslation('operator');
  return (problem: FieldProblem | string | undefined): string | undefined =>
    problem === undefined ? undefined : typeof problem === 'string' ? problem : t(problem.key, problem.values ?? {});
}

interface FieldProps {
  idPrefix: string;
  field: FormField;
  value: FormValue;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: FormValue) => void;
}

function RequiredMark() {
  const { t } = useTranslation('operator');
  return (
    <>
      <span aria-hidden="true"> *</span>
      <span className="visually-hidden"> ({t('form.required')})</span>
    </>
  );
}

function FieldInput({ idPrefix, field, value, error, disabled, onChange }: FieldProps) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const id = `${idPrefix}-${field.key}`;
  const helpId = field.help || field.category ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  const label = localized(field.label, language);
  const invalid = error ? ' is-invalid' : '';
  const help =
    helpId !== undefined ? (
      <span id={helpId} className="form-text d-block">
        {field.help ? localized(field.help, language) : null}
        {field.help && field.category ? ' ' : null}
        {field.category ? <span className="badge bg-dark">{t('form.specialCategory', { category: t(`form.categories.${field.category}`) })}</span> : null}
      </span>
    ) : null;
  const errorText = error ? (
    <span id={errorId} className="invalid-feedback d-block" data-testid={`error-${field.key}`}>
      {error}
    </span>
  ) : null;

  if (field.type === 'boolean' || field.type === 'multiselect') {
    const options =
      field.type === 'boolean'
        ? [
            { value: 'true', label: t('form.yes') },
            { value: 'false', label: t('form.no') },
          ]
        : (field.options ?? []).map((option) => ({ value: option.value, label: localized(option.label, language) }));
    const selected = (optionValue: string) => (field.type === 'boolean' ? String(value) === optionValue : Array.isArray(value) && value.includes(optionValue));
    const toggle = (optionValue: string, checked: boolean) => {
      if (field.type === 'boolean') onChange(optionValue === 'true');
      else {
        const current = Array.isArray(value) ? value : [];
        onChange(checked ? [...current, optionValue] : current.filter((item) => item !== optionValue));
      }
    };
    return (
      <fieldset className="mb-4" aria-describedby={describedBy} data-field={field.key}>
        <legend className="fs-6 fw-semibold mb-2 px-0">
          {label}
          {field.required ? <RequiredMark /> : null}
        </legend>
        <div className={field.type === 'boolean' ? 'd-flex gap-4' : ''}>
          {options.map((option) => (
            <div className="form-check my-1" key={option.value}>
              <input
                id={`${id}-${option.value}`}
                name={id}
                type={field.type === 'boolean' ? 'radio' : 'checkbox'}
                className={`form-check-input${invalid}`}
                checked={selected(option.value)}
                disabled={disabled}
                onChange={(event) => toggle(option.value, event.target.checked)}
              />
              <label className="form-check-label" htmlFor={`${id}-${option.value}`}>
                {option.label}
              </label>
            </div>
          ))}
        </div>
        {help}
        {errorText}
      </fieldset>
    );
  }

  const common = {
    id,
    name: field.key,
    disabled,
    required: field.required,
    'aria-required': field.required,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    value: typeof value === 'string' ? value : '',
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => onChange(event.target.value),
  };
  let input;
  if (field.type === 'textarea') input = <textarea {...common} rows={4} className={`form-control${invalid}`} maxLength={field.maxLength} />;
  else if (field.type === 'select')
    input = (
      <select {...common} className={`form-select${invalid}`}>
        <option value="">{t('form.choose')}</option>
        {(field.options ?? []).map((option) => (
          <option key={option.value} value={option.value}>
            {localized(option.label, language)}
          </option>
        ))}
      </select>
    );
  else if (field.type === 'number') input = <input {...common} type="number" inputMode="decimal" step="any" min={field.min} max={field.max} className={`form-control${invalid}`} />;
  else if (field.type === 'date') input = <input {...common} type="date" min="1900-01-01" max="2200-12-31" className={`form-control${invalid}`} />;
  else input = <input {...common} type="text" maxLength={field.maxLength} className={`form-control${invalid}`} />;
  return (
    <div className="mb-4" data-field={field.key}>
      <label htmlFor={id} className="form-label fw-semibold d-block">
        {label}
        {field.required ? <RequiredMark /> : null}
      </label>
      {input}
      {help}
      {errorText}
    </div>
  );
}

/** Inputs for every field the form asks now; `errors` maps a field key to its message. */
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
      {fields.filter((field) => asked.has(field.key)).map((field) => (
        <FieldInput
          key={field.key}
          idPrefix={idPrefix}
          field={field}
          value={values[field.key] ?? null}
          error={errors[field.key]}
          disabled={disabled}
          onChange={(value) => onChange({ ...values, [field.key]: value }, field.key)}
        />
      ))}
    </>
  );
}
