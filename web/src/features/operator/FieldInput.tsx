/**
 * The input of one answer of a step form (a field, or one item's sub-field of a repeating group):
 * text, textarea, number, date, select, multiselect (checkboxes) and yes/no (radio buttons, so a
 * required answer cannot be given by accident), with its label, required mark, help text, the
 * special-category notice and its error, tied to the input with aria-describedby.
 */
import type { ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { localized, type FormField } from '../cases/format';
import type { GroupSubField, ScalarFormValue } from './form-values';

interface FieldProps {
  idPrefix: string;
  /** The answer's key among the form's values and problems: `<key>`, or `<group>.<index>.<subKey>` inside a group. */
  path: string;
  field: FormField | GroupSubField;
  value: ScalarFormValue;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: ScalarFormValue) => void;
}

/** The "*" of a required field, read out as a word. */
export function RequiredMark() {
  const { t } = useTranslation('operator');
  return (
    <>
      <span aria-hidden="true"> *</span>
      <span className="visually-hidden"> ({t('form.required')})</span>
    </>
  );
}

/** The input of one answer (a field, or an item's sub-field), its label, help and error. */
export function FieldInput({ idPrefix, path, field, value, error, disabled, onChange }: FieldProps) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const id = `${idPrefix}-${path.replaceAll('.', '-')}`;
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
    <span id={errorId} className="invalid-feedback d-block" data-testid={`error-${path}`}>
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
      <fieldset className="mb-4" aria-describedby={describedBy} data-field={path}>
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
    name: path,
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
    <div className="mb-4" data-field={path}>
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
