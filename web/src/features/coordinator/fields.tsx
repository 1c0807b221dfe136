/**
 * Inputs of the draft editor. Each names the document path it edits: that path gives the input its
 * id (so the issue summary can lead to it) and picks the API's issues shown under it.
 */
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { durationUnits, inputId, pathKey, type DocPath, type Duration, type Localized } from './model';

/** Issues of the last check, by dotted path. */
export const IssuesContext = createContext<Map<string, string[]>>(new Map());

/** The messages of the issues exactly at `path`. */
export function useIssues(path: DocPath): string[] {
  return useContext(IssuesContext).get(pathKey(path)) ?? [];
}

/** Issue messages for a path, shown under the input (or group) they belong to. */
export function IssueMessages({ path, id }: { path: DocPath; id?: string }) {
  const messages = useIssues(path);
  if (messages.length === 0) return null;
  return (
    <div id={id ?? `${inputId(path)}-issues`} className="invalid-feedback d-block" data-testid={`issue-${pathKey(path)}`}>
      {messages.map((message) => (
        <span key={message} className="d-block">
          ⚠ {message}
        </span>
      ))}
    </div>
  );
}

function describedBy(path: DocPath, hasIssues: boolean, hint?: string): string | undefined {
  const ids = [hasIssues ? `${inputId(path)}-issues` : null, hint ? `${inputId(path)}-hint` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

interface BaseProps {
  path: DocPath;
  label: string;
  hint?: string;
  className?: string;
}

/** Label above, the control, its hint and the API's issues for its path: the frame every input shares. */
function LabelledControl({ id, path, label, hint, className, children, below }: { id: string; path: DocPath; label: string; hint?: string; className?: string; children: ReactNode; below?: ReactNode }) {
  return (
    <div className={className ?? 'mb-3'}>
      <label className="form-label fw-semibold" htmlFor={id}>
        {label}
      </label>
      {children}
      {hint ? (
        <small id={`${id}-hint`} className="form-text d-block">
          {hint}
        </small>
      ) : null}
      {below}
      <IssueMessages path={path} />
    </div>
  );
}

/** A text input. */
export function TextInput({ path, label, hint, className, value, onChange, list, placeholder }: BaseProps & { value: string | undefined; onChange: (value: string) => void; list?: string; placeholder?: string }) {
  const issues = useIssues(path);
  const id = inputId(path);
  return (
    <LabelledControl id={id} path={path} label={label} hint={hint} className={className}>
      <input
        id={id}
        type="text"
        className={`form-control${issues.length > 0 ? ' is-invalid' : ''}`}
        value={value ?? ''}
        list={list}
        placeholder={placeholder}
        aria-invalid={issues.length > 0 || undefined}
        aria-describedby={describedBy(path, issues.length > 0, hint)}
        onChange={(event) => onChange(event.target.value)}
      />
    </LabelledControl>
  );
}

/** A whole-number input; an empty box stores nothing (and the API says what is missing). */
export function NumberInput({ path, label, hint, className, value, onChange, min }: BaseProps & { value: number | undefined; onChange: (value: number | undefined) => void; min?: number }) {
  const issues = useIssues(path);
  const id = inputId(path);
  return (
    <LabelledControl id={id} path={path} label={label} hint={hint} className={className}>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        className={`form-control${issues.length > 0 ? ' is-invalid' : ''}`}
        value={value ?? ''}
        min={min}
        aria-invalid={issues.length > 0 || undefined}
        aria-describedby={describedBy(path, issues.length > 0, hint)}
        onChange={(event) => onChange(event.target.value === '' ? undefined : Number(event.target.value))}
      />
    </LabelledControl>
  );
}

/** A select; with `empty` an empty choice stores nothing. */
export function SelectInput({
  path,
  label,
  hint,
  className,
  value,
  options,
  onChange,
  empty,
}: BaseProps & { value: string | undefined; options: { value: string; label: string }[]; onChange: (value: string | undefined) => void; empty?: string }) {
  const issues = useIssues(path);
  const id = inputId(path);
  const known = value === undefined || value === '' || options.some((option) => option.value === value);
  return (
    <LabelledControl id={id} path={path} label={label} hint={hint} className={className}>
      <select
        id={id}
        className={`form-select${issues.length > 0 ? ' is-invalid' : ''}`}
        value={value ?? ''}
        aria-invalid={issues.length > 0 || undefined}
        aria-describedby={describedBy(path, issues.length > 0, hint)}
        onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
      >
        {empty !== undefined || !value ? <option value="">{empty ?? '—'}</option> : null}
        {/* A value the document holds but the list does not (e.g. a step that does not exist) stays visible. */}
        {!known ? <option value={value}>{`⚠ ${value}`}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </LabelledControl>
  );
}

/** A checkbox. */
export function CheckboxInput({ path, label, className, checked, onChange }: BaseProps & { checked: boolean; onChange: (checked: boolean) => void }) {
  const id = inputId(path);
  return (
    <div className={className ?? 'form-check mb-3'}>
      <input id={id} type="checkbox" className="form-check-input" checked={checked} onChange={(event) => onChange(event.target.checked)} />
      <label className="form-check-label" htmlFor={id}>
        {label}
      </label>
      <IssueMessages path={path} />
    </div>
  );
}

/** Italian (required) and English text side by side. */
export function LocalizedInput({ path, label, value, onChange, optional }: BaseProps & { value: Localized | undefined; onChange: (value: Localized | undefined) => void; optional?: boolean }) {
  const { t } = useTranslation('coordinator');
  return (
    <fieldset className="mb-1">
      <legend className="h6 mb-2">{label}</legend>
      <div className="row g-2">
        <TextInput
          className="col-md-6 mb-2"
          path={[...path, 'it']}
          label={t('editor.italian')}
          value={value?.it}
          onChange={(it) => onChange(optional && it === '' && !value?.en ? undefined : { ...value, it })}
        />
        <TextInput
          className="col-md-6 mb-2"
          path={[...path, 'en']}
          label={t('editor.english')}
          value={value?.en}
          onChange={(en) => onChange(optional && en === '' && !value?.it ? undefined : { it: value?.it ?? '', ...(en === '' ? {} : { en }) })}
        />
      </div>
      <IssueMessages path={path} />
    </fieldset>
  );
}

/** An amount and its unit (working days, calendar days, ...). */
export function DurationInput({ path, label, value, onChange }: BaseProps & { value: Duration | undefined; onChange: (value: Duration) => void }) {
  const { t } = useTranslation('coordinator');
  return (
    <fieldset className="mb-2">
      <legend className="h6 mb-2">{label}</legend>
      <div className="row g-2">
        <NumberInput
          className="col-sm-5 mb-2"
          path={[...path, 'amount']}
          label={t('editor.amount')}
          min={0}
          value={value?.amount}
          onChange={(amount) => onChange({ unit: value?.unit ?? 'workingDays', amount: amount as number })}
        />
        <SelectInput
          className="col-sm-7 mb-2"
          path={[...path, 'unit']}
          label={t('editor.unit')}
          value={value?.unit}
          options={durationUnits.map((unit) => ({ value: unit, label: t(`units.${unit}`) }))}
          onChange={(unit) => onChange({ amount: value?.amount ?? 0, unit: (unit ?? 'workingDays') as Duration['unit'] })}
        />
      </div>
      <IssueMessages path={path} />
    </fieldset>
  );
}

/** A JSON text area for a part the structured inputs do not cover (compound conditions, code lists). */
export function JsonInput({ path, label, hint, value, onChange, rows = 6 }: BaseProps & { value: unknown; onChange: (value: unknown) => void; rows?: number }) {
  const { t } = useTranslation('coordinator');
  const id = inputId(path);
  const serialised = value === undefined ? '' : JSON.stringify(value, null, 2);
  const [text, setText] = useState(serialised);
  const [seen, setSeen] = useState(serialised);
  const [parseError, setParseError] = useState<string | null>(null);
  // Follow outside changes (another input, the JSON view) unless the person is mid-way through a broken edit.
  if (serialised !== seen) {
    setSeen(serialised);
    if (parseError === null) setText(serialised);
  }
  const issues = useIssues(path);
  return (
    <LabelledControl
      id={id}
      path={path}
      label={label}
      hint={hint}
      below={
        <div id={`${id}-parse`} className="invalid-feedback d-block">
          {parseError ? `⚠ ${t('editor.jsonError', { message: parseError })}` : null}
        </div>
      }
    >
      <textarea
        id={id}
        className={`form-control font-monospace${issues.length > 0 || parseError ? ' is-invalid' : ''}`}
        rows={rows}
        value={text}
        spellCheck={false}
        aria-invalid={issues.length > 0 || parseError !== null || undefined}
        aria-describedby={[`${id}-parse`, issues.length > 0 ? `${id}-issues` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ')}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim() === '') {
            setParseError(null);
            onChange(undefined);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(event.target.value);
            setParseError(null);
            // What the document will serialise to: not an outside change, so the text as typed stays.
            setSeen(JSON.stringify(parsed, null, 2));
            onChange(parsed);
          } catch (error) {
            setParseError(error instanceof Error ? error.message : String(error));
          }
        }}
      />
    </LabelledControl>
  );
}

/** A bordered group of inputs with a legend. */
export function Group({ legend, children, actions }: { legend: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <fieldset className="border rounded p-3 mb-3">
      <legend className="float-none w-auto px-2 h6 mb-0">{legend}</legend>
      {actions ? <div className="d-flex justify-content-end gap-2 mb-2">{actions}</div> : null}
      {children}
    </fieldset>
  );
}
