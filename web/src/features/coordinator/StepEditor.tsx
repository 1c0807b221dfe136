/**
 * The structured editor of one step: texts, assignee, form fields, deadline in working days,
 * reminders, escalation ladder, decision rules and transitions. Parts the inputs do not cover
 * (compound conditions, code lists) are edited as JSON in place.
 */
import { useContext, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CheckboxInput,
  DurationInput,
  Group,
  IssueMessages,
  IssuesContext,
  JsonInput,
  LocalizedInput,
  NumberInput,
  SelectInput,
  TextInput,
} from './fields';
import {
  blankField,
  conditionOperators,
  fieldTypes,
  localized,
  pathKey,
  roles,
  scalarFieldTypes,
  specialCategories,
  updateAt,
  withFieldType,
  type ConditionDoc,
  type DocPath,
  type Duration,
  type EscalationDoc,
  type FieldType,
  type FormFieldDoc,
  type Scalar,
  type StepDoc,
} from './model';

export interface StepEditorProps {
  stepId: string;
  step: StepDoc;
  stepIds: { value: string; label: string }[];
  services: string[];
  onChange: (step: StepDoc) => void;
}

type Option = { value: string; label: string };

/** The services a step may name, as a select offers them: by their name in the reader's language, the code alongside. */
function useServiceOptions(services: string[]): Option[] {
  const { t } = useTranslation('coordinator');
  return services.map((service) => ({ value: service, label: `${t(`operator:services.${service}`, { defaultValue: service })} (${service})` }));
}

function move<T>(items: T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length) return items;
  const copy = [...items];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item);
  return copy;
}

/** Buttons to move an item up or down and remove it; their names say which item. */
function ItemActions({ name, index, count, onMove, onRemove }: { name: string; index: number; count: number; onMove: (to: number) => void; onRemove: () => void }) {
  const { t } = useTranslation('coordinator');
  return (
    <div className="d-flex gap-2 flex-wrap">
      <button type="button" className="btn btn-outline-primary btn-xs btn-sm py-1" disabled={index === 0} onClick={() => onMove(index - 1)}>
        <span aria-hidden="true">↑</span> {t('editor.moveUp')}
        <span className="visually-hidden"> {name}</span>
      </button>
      <button type="button" className="btn btn-outline-primary btn-sm py-1" disabled={index === count - 1} onClick={() => onMove(index + 1)}>
        <span aria-hidden="true">↓</span> {t('editor.moveDown')}
        <span className="visually-hidden"> {name}</span>
      </button>
      <button type="button" className="btn btn-outline-danger btn-sm py-1" onClick={onRemove}>
        {t('editor.remove')}
        <span className="visually-hidden"> {name}</span>
      </button>
    </div>
  );
}

/**
 * The fields of a form (a task's, or the case start data): add, remove, reorder, and edit each. A
 * repeating group's sub-fields are edited by the same editor inside it (`inGroup`: scalar types
 * only, no rules).
 */
export function FormFieldsEditor({ path, fields, inGroup = false, onChange }: { path: DocPath; fields: FormFieldDoc[]; inGroup?: boolean; onChange: (fields: FormFieldDoc[]) => void }) {
  const { t, i18n } = useTranslation('coordinator');
  const issues = useContext(IssuesContext);
  // Fields are folded to one line each; a new field, one opened by hand, or one with an issue shows its inputs.
  const [open, setOpen] = useState<Set<number>>(new Set());
  const hasIssues = (index: number) => {
    const prefix = `${pathKey([...path, index])}.`;
    return [...issues.keys()].some((key) => key.startsWith(prefix));
  };
  const set = (index: number, field: FormFieldDoc) => onChange(fields.map((old, i) => (i === index ? field : old)));
  return (
    <>
      <IssueMessages path={path} />
      {fields.length === 0 ? <p>{t('editor.noFields')}</p> : null}
      {fields.map((field, index) => {
        const at = [...path, index];
        const name = t('editor.fieldName', { number: index + 1, key: field.key || '…' });
        const needsOptions = field.type === 'select' || field.type === 'multiselect';
        return (
          <details
            key={index}
            className="border rounded p-2 mb-2"
            data-testid={`${inGroup ? 'group-sub-field' : 'form-field'}-${index}`}
            open={open.has(index) || hasIssues(index)}
            onToggle={(event) => {
              const isOpen = event.currentTarget.open;
              setOpen((current) => {
                if (current.has(index) === isOpen) return current;
                const next = new Set(current);
                if (isOpen) next.add(index);
                else next.delete(index);
                return next;
              });
            }}
          >
            <summary className="fw-semibold">
              {name}
              {field.label?.it ? ` — ${localized(field.label, i18n.language)}` : ''}
              <span className="fw-normal">
                {' '}
                ({t(`fieldTypes.${field.type}`, { defaultValue: String(field.type) })}
                {field.required ? `, ${t('editor.required').toLowerCase()}` : ''})
              </span>
              {hasIssues(index) ? <span className="badge bg-danger ms-2">{t('editor.hasIssues')}</span> : null}
            </summary>
            <div className="d-flex justify-content-end my-2">
              <ItemActions
                name={name}
                index={index}
                count={fields.length}
                onMove={(to) => {
                  setOpen(new Set([to]));
                  onChange(move(fields, index, to));
                }}
                onRemove={() => {
                  setOpen(new Set());
                  onChange(fields.filter((_, i) => i !== index));
                }}
              />
            </div>
            <div className="row g-2">
              <TextInput className="col-md-6 mb-2" path={[...at, 'key']} label={t('editor.fieldKey')} hint={t('editor.fieldKeyHint')} value={field.key} onChange={(key) => set(index, { ...field, key })} />
              <SelectInput
                className="col-md-6 mb-2"
                path={[...at, 'type']}
                label={t('editor.fieldType')}
                value={field.type}
                options={(inGroup ? scalarFieldTypes : fieldTypes).map((type) => ({ value: type, label: t(`fieldTypes.${type}`) }))}
                onChange={(type) => set(index, withFieldType(field, (type ?? 'text') as FieldType))}
              />
            </div>
            <LocalizedInput path={[...at, 'label']} label={t('editor.fieldLabel')} value={field.label} onChange={(label) => set(index, { ...field, label: label ?? { it: '' } })} />
            <div className="row g-2 align-items-end">
              <CheckboxInput className="form-check col-md-4 mb-3" path={[...at, 'required']} label={t('editor.required')} checked={field.required ?? false} onChange={(required) => set(index, { ...field, required })} />
              <SelectInput
                className="col-md-8 mb-2"
                path={[...at, 'category']}
                label={t('editor.category')}
                hint={t('editor.categoryHint')}
                value={field.category}
                empty={t('editor.noCategory')}
                options={specialCategories.map((category) => ({ value: category, label: t(`categories.${category}`) }))}
                onChange={(category) => set(index, { ...field, category: category as FormFieldDoc['category'] })}
              />
            </div>
            {field.type === 'boolean' ? (
              <CheckboxInput
                className="form-check mb-3"
                path={[...at, 'mustEqual']}
                label={t('editor.mustBeYes')}
                checked={field.mustEqual === true}
                onChange={(checked) => {
                  const { mustEqual: _mustEqual, ...rest } = field;
                  set(index, checked ? { ...rest, mustEqual: true, required: true } : rest);
                }}
              />
            ) : field.type === 'number' ? (
              <NumberInput
                path={[...at, 'mustEqual']}
                label={t('editor.mustEqual')}
                hint={t('editor.mustEqualHint')}
                value={typeof field.mustEqual === 'number' ? field.mustEqual : undefined}
                onChange={(mustEqual) => {
                  const { mustEqual: _mustEqual, ...rest } = field;
                  set(index, mustEqual === undefined ? rest : { ...rest, mustEqual });
                }}
              />
            ) : field.type === 'text' || field.type === 'date' || field.type === 'select' ? (
              <TextInput
                path={[...at, 'mustEqual']}
                label={t('editor.mustEqual')}
                hint={t('editor.mustEqualHint')}
                value={typeof field.mustEqual === 'string' ? field.mustEqual : undefined}
                onChange={(mustEqual) => {
                  const { mustEqual: _mustEqual, ...rest } = field;
                  set(index, mustEqual === '' ? rest : { ...rest, mustEqual });
                }}
              />
            ) : null}
            {inGroup ? null : (
              <JsonInput
                path={[...at, 'when']}
                label={t('editor.fieldWhen')}
                hint={t('editor.fieldWhenHint')}
                value={field.when}
                onChange={(when) => {
                  const { when: _when, ...rest } = field;
                  set(index, when === undefined || when === null ? rest : { ...rest, when: when as ConditionDoc });
                }}
                rows={3}
              />
            )}
            {field.type === 'number' ? (
              <div className="row g-2">
                <NumberInput className="col-md-6 mb-2" path={[...at, 'min']} label={t('editor.min')} value={field.min} onChange={(min) => set(index, { ...field, min })} />
                <NumberInput className="col-md-6 mb-2" path={[...at, 'max']} label={t('editor.max')} value={field.max} onChange={(max) => set(index, { ...field, max })} />
              </div>
            ) : null}
            {field.type === 'text' || field.type === 'textarea' ? (
              <NumberInput path={[...at, 'maxLength']} label={t('editor.maxLength')} value={field.maxLength} onChange={(maxLength) => set(index, { ...field, maxLength })} />
            ) : null}
            {field.type === 'group' && !inGroup ? (
              <>
                <div className="row g-2">
                  <NumberInput className="col-md-6 mb-2" path={[...at, 'minItems']} label={t('editor.minItems')} min={0} value={field.minItems} onChange={(minItems) => set(index, { ...field, minItems })} />
                  <NumberInput className="col-md-6 mb-2" path={[...at, 'maxItems']} label={t('editor.maxItems')} min={1} value={field.maxItems} onChange={(maxItems) => set(index, { ...field, maxItems })} />
                </div>
                <Group legend={t('editor.groupFields')}>
                  <p className="small">{t('editor.groupFieldsHint')}</p>
                  <FormFieldsEditor path={[...at, 'fields']} fields={field.fields ?? []} inGroup onChange={(subFields) => set(index, { ...field, fields: subFields })} />
                </Group>
              </>
            ) : null}
            {needsOptions ? (
              <Group legend={t('editor.options')}>
                <IssueMessages path={[...at, 'options']} />
                {(field.options ?? []).map((option, o) => (
                  <div key={o} className="row g-2 align-items-end border-bottom mb-2">
                    <TextInput
                      className="col-md-3 mb-2"
                      path={[...at, 'options', o, 'value']}
                      label={t('editor.optionValue', { number: o + 1 })}
                      value={option.value}
                      onChange={(value) => set(index, updateAt(field, ['options', o, 'value'], () => value))}
                    />
                    <TextInput
                      className="col-md-4 mb-2"
                      path={[...at, 'options', o, 'label', 'it']}
                      label={t('editor.optionLabelIt', { number: o + 1 })}
                      value={option.label?.it}
                      onChange={(it) => set(index, updateAt(field, ['options', o, 'label', 'it'], () => it))}
                    />
                    <TextInput
                      className="col-md-3 mb-2"
                      path={[...at, 'options', o, 'label', 'en']}
                      label={t('editor.optionLabelEn', { number: o + 1 })}
                      value={option.label?.en}
                      onChange={(en) => set(index, updateAt(field, ['options', o, 'label', 'en'], () => (en === '' ? undefined : en)))}
                    />
                    <div className="col-md-2 mb-3">
                      <button type="button" className="btn btn-outline-danger btn-sm" onClick={() => set(index, { ...field, options: (field.options ?? []).filter((_, i) => i !== o) })}>
                        {t('editor.remove')}
                        <span className="visually-hidden"> {t('editor.optionValue', { number: o + 1 })}</span>
                      </button>
                    </div>
                  </div>
                ))}
                <button
                  type="button"
                  className="btn btn-outline-primary btn-sm"
                  onClick={() => {
                    const number = (field.options ?? []).length + 1;
                    set(index, { ...field, options: [...(field.options ?? []), { value: `option_${number}`, label: { it: `Opzione ${number}` } }] });
                  }}
                >
                  {t('editor.addOption')}
                </button>
              </Group>
            ) : null}
          </details>
        );
      })}
      <button
        type="button"
        className="btn btn-outline-primary mt-2"
        onClick={() => {
          setOpen((current) => new Set([...current, fields.length]));
          onChange([...fields, blankField()]);
        }}
      >
        {inGroup ? t('editor.addSubField') : t('editor.addField')}
      </button>
    </>
  );
}

function ClockEditor({ path, step, serviceOptions, onChange }: { path: DocPath; step: StepDoc; serviceOptions: Option[]; onChange: (step: StepDoc) => void }) {
  const { t } = useTranslation('coordinator');
  const reminders = step.reminders ?? [];
  const escalation = step.escalation ?? [];
  return (
    <>
      <Group legend={t('editor.deadline')}>
        <CheckboxInput
          path={[...path, 'deadline', 'enabled']}
          label={t('editor.hasDeadline')}
          checked={step.deadline !== undefined}
          onChange={(checked) => onChange({ ...step, deadline: checked ? { amount: 5, unit: 'workingDays' } : undefined })}
        />
        {step.deadline ? (
          <>
            <DurationInput path={[...path, 'deadline']} label={t('editor.deadlineDuration')} value={step.deadline} onChange={(duration) => onChange({ ...step, deadline: { ...step.deadline, ...duration } })} />
            <TextInput
              path={[...path, 'deadline', 'from', 'field']}
              label={t('editor.deadlineFrom')}
              hint={t('editor.deadlineFromHint')}
              value={step.deadline.from?.field}
              onChange={(field) => {
                const { from: _from, ...rest } = step.deadline!;
                onChange({ ...step, deadline: { ...rest, ...(field ? { from: { field } } : {}) } });
              }}
            />
            <SelectInput
              path={[...path, 'deadline', 'clock']}
              label={t('editor.deadlineClock')}
              hint={t('editor.deadlineClockHint')}
              value={step.deadline.clock}
              empty={t('editor.deadlineClockUnset')}
              options={[
                { value: 'statutory', label: t('editor.deadlineClockStatutory') },
                { value: 'internal', label: t('editor.deadlineClockInternal') },
              ]}
              onChange={(clock) => {
                const { clock: _clock, ...rest } = step.deadline!;
                onChange({ ...step, deadline: { ...rest, ...(clock ? { clock: clock as 'statutory' | 'internal' } : {}) } });
              }}
            />
            {step.deadline.clock === 'statutory' || step.deadline.legalBasis ? (
              <LocalizedInput
                path={[...path, 'deadline', 'legalBasis']}
                label={t('editor.deadlineLegalBasis')}
                value={step.deadline.legalBasis}
                onChange={(legalBasis) => {
                  const { legalBasis: _legalBasis, ...rest } = step.deadline!;
                  onChange({ ...step, deadline: { ...rest, ...(legalBasis ? { legalBasis } : {}) } });
                }}
              />
            ) : null}
          </>
        ) : (
          <IssueMessages path={[...path, 'deadline']} />
        )}
      </Group>
      <Group legend={t('editor.reminders')}>
        <IssueMessages path={[...path, 'reminders']} />
        {reminders.length === 0 ? <p>{t('editor.noReminders')}</p> : null}
        {reminders.map((reminder, index) => (
          <div key={index} className="d-flex flex-wrap gap-3 align-items-end border-bottom mb-2">
            <DurationInput
              path={[...path, 'reminders', index, 'before']}
              label={t('editor.reminderBefore', { number: index + 1 })}
              value={reminder.before}
              onChange={(before) => onChange({ ...step, reminders: reminders.map((old, i) => (i === index ? { before } : old)) })}
            />
            <button type="button" className="btn btn-outline-danger btn-sm mb-3" onClick={() => onChange({ ...step, reminders: reminders.filter((_, i) => i !== index) })}>
              {t('editor.remove')}
              <span className="visually-hidden"> {t('editor.reminderBefore', { number: index + 1 })}</span>
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => onChange({ ...step, reminders: [...reminders, { before: { amount: 1, unit: 'workingDays' } }] })}>
          {t('editor.addReminder')}
        </button>
      </Group>
      <Group legend={t('editor.escalation')}>
        <IssueMessages path={[...path, 'escalation']} />
        {escalation.length === 0 ? <p>{t('editor.noEscalation')}</p> : null}
        {escalation.map((level, index) => {
          const at = [...path, 'escalation', index];
          const setLevel = (next: EscalationDoc) => onChange({ ...step, escalation: escalation.map((old, i) => (i === index ? next : old)) });
          const name = t('editor.level', { number: index + 1 });
          return (
            <fieldset key={index} className="border rounded p-2 mb-2">
              <legend className="float-none w-auto px-2 h6 mb-0">{name}</legend>
              <SelectInput
                className="mb-2"
                path={[...at, 'timing']}
                label={t('editor.escalationTiming')}
                value={level.before ? 'before' : 'after'}
                options={[
                  { value: 'after', label: t('editor.escalationTimingAfter') },
                  { value: 'before', label: t('editor.escalationTimingBefore') },
                ]}
                onChange={(timing) => {
                  const { after, before, ...rest } = level;
                  const duration = after ?? before ?? { amount: 1, unit: 'workingDays' };
                  setLevel(timing === 'before' ? { ...rest, before: duration } : { ...rest, after: duration });
                }}
              />
              {level.before ? (
                <DurationInput path={[...at, 'before']} label={t('editor.escalationBefore')} value={level.before} onChange={(before: Duration) => setLevel({ ...level, before })} />
              ) : (
                <DurationInput path={[...at, 'after']} label={t('editor.escalationAfter')} value={level.after ?? { amount: 0, unit: 'workingDays' }} onChange={(after: Duration) => setLevel({ ...level, after })} />
              )}
              <div className="row g-2 align-items-end">
                <SelectInput
                  className="col-12 col-xl-6 mb-2"
                  path={[...at, 'role']}
                  label={t('editor.role')}
                  value={level.role}
                  options={roles.map((role) => ({ value: role, label: t(`common:roles.${role}`) }))}
                  onChange={(role) => setLevel({ ...level, role: (role ?? 'supervisor') as EscalationDoc['role'] })}
                />
                <SelectInput
                  className="col-12 col-xl-6 mb-2"
                  path={[...at, 'service']}
                  label={t('editor.escalationService')}
                  value={level.service}
                  options={serviceOptions}
                  empty={t('editor.anyService')}
                  onChange={(service) => setLevel({ ...level, service })}
                />
                <CheckboxInput className="form-check col-12 mb-3" path={[...at, 'reassign']} label={t('editor.reassign')} checked={level.reassign ?? false} onChange={(reassign) => setLevel({ ...level, reassign })} />
              </div>
              <ItemActions
                name={name}
                index={index}
                count={escalation.length}
                onMove={(to) => onChange({ ...step, escalation: move(escalation, index, to) })}
                onRemove={() => onChange({ ...step, escalation: escalation.filter((_, i) => i !== index) })}
              />
            </fieldset>
          );
        })}
        <button
          type="button"
          className="btn btn-outline-primary btn-sm"
          onClick={() => onChange({ ...step, escalation: [...escalation, { after: { amount: escalation.length + 1, unit: 'workingDays' }, role: 'supervisor', reassign: false }] })}
        >
          {t('editor.addLevel')}
        </button>
      </Group>
    </>
  );
}

/** Condition values typed as text: numbers, true/false, and comma-separated lists for in / notIn. */
function parseValue(text: string, op: string): Scalar | Scalar[] | undefined {
  if (text.trim() === '') return undefined;
  const scalar = (part: string): Scalar => {
    const trimmed = part.trim();
    if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
    return trimmed !== '' && !Number.isNaN(Number(trimmed)) && !/^\d{4}-/.test(trimmed) ? Number(trimmed) : trimmed;
  };
  return op === 'in' || op === 'notIn' ? text.split(',').map(scalar) : scalar(text);
}

const valueText = (value: unknown): string => {
  const scalar = (item: unknown) => (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean' ? String(item) : JSON.stringify(item));
  return Array.isArray(value) ? value.map(scalar).join(', ') : value === undefined ? '' : scalar(value);
};

function RulesEditor({ path, step, stepIds, onChange }: { path: DocPath; step: StepDoc; stepIds: StepEditorProps['stepIds']; onChange: (step: StepDoc) => void }) {
  const { t } = useTranslation('coordinator');
  const rules = step.rules ?? [];
  const setRule = (index: number, rule: (typeof rules)[number]) => onChange({ ...step, rules: rules.map((old, i) => (i === index ? rule : old)) });
  return (
    <Group legend={t('editor.rules')}>
      <IssueMessages path={[...path, 'rules']} />
      {rules.map((rule, index) => {
        const at = [...path, 'rules', index];
        const when = (rule.when ?? {}) as Record<string, unknown>;
        const isLeaf = 'field' in when || Object.keys(when).length === 0;
        const name = t('editor.rule', { number: index + 1 });
        return (
          <fieldset key={index} className="border rounded p-2 mb-2" data-testid={`rule-${index}`}>
            <legend className="float-none w-auto px-2 h6 mb-0">{name}</legend>
            <LocalizedInput path={[...at, 'label']} label={t('editor.ruleLabel')} optional value={rule.label} onChange={(label) => setRule(index, { ...rule, label })} />
            {isLeaf ? (
              <div className="row g-2">
                <TextInput
                  className="col-md-5 mb-2"
                  path={[...at, 'when', 'field']}
                  label={t('editor.conditionField')}
                  hint={t('editor.conditionFieldHint')}
                  value={when.field as string | undefined}
                  onChange={(field) => setRule(index, { ...rule, when: { ...(when as object), field } as ConditionDoc })}
                />
                <SelectInput
                  className="col-md-3 mb-2"
                  path={[...at, 'when', 'op']}
                  label={t('editor.conditionOp')}
                  value={when.op as string | undefined}
                  options={conditionOperators.map((op) => ({ value: op, label: t(`operators.${op}`) }))}
                  onChange={(op) => setRule(index, { ...rule, when: { ...(when as object), op } as ConditionDoc })}
                />
                <TextInput
                  className="col-md-4 mb-2"
                  path={[...at, 'when', 'value']}
                  label={t('editor.conditionValue')}
                  hint={t('editor.conditionValueHint')}
                  value={valueText(when.value)}
                  onChange={(text) => {
                    const value = parseValue(text, String(when.op));
                    const { value: _old, ...rest } = when;
                    setRule(index, { ...rule, when: (value === undefined ? rest : { ...rest, value }) as ConditionDoc });
                  }}
                />
              </div>
            ) : (
              <JsonInput path={[...at, 'when']} label={t('editor.conditionJson')} hint={t('editor.conditionJsonHint')} value={rule.when} onChange={(value) => setRule(index, { ...rule, when: value as ConditionDoc })} />
            )}
            <SelectInput path={[...at, 'next']} label={t('editor.ruleNext')} value={rule.next} options={stepIds} empty={t('editor.chooseStep')} onChange={(next) => setRule(index, { ...rule, next: next ?? '' })} />
            <ItemActions
              name={name}
              index={index}
              count={rules.length}
              onMove={(to) => onChange({ ...step, rules: move(rules, index, to) })}
              onRemove={() => onChange({ ...step, rules: rules.filter((_, i) => i !== index) })}
            />
          </fieldset>
        );
      })}
      <button type="button" className="btn btn-outline-primary btn-sm mb-3" onClick={() => onChange({ ...step, rules: [...rules, { when: { field: '', op: 'isTrue' }, next: '' }] })}>
        {t('editor.addRule')}
      </button>
      <SelectInput path={[...path, 'otherwise']} label={t('editor.otherwise')} value={step.otherwise} options={stepIds} empty={t('editor.chooseStep')} onChange={(otherwise) => onChange({ ...step, otherwise: otherwise ?? '' })} />
    </Group>
  );
}

/** The step's kind-specific inputs, plus the texts every step has. */
export function StepEditor({ stepId, step, stepIds, services, onChange }: StepEditorProps) {
  const { t } = useTranslation('coordinator');
  const serviceOptions = useServiceOptions(services);
  const path: DocPath = ['steps', stepId];
  const nextSelect = (property: 'next' | 'onRejected' | 'otherwise' | 'target' | 'body', label: string) => (
    <SelectInput
      path={[...path, property]}
      label={label}
      value={step[property]}
      options={stepIds.filter((option) => option.value !== stepId || property === 'target')}
      empty={t('editor.noNext')}
      onChange={(value) => onChange({ ...step, [property]: value })}
    />
  );
  return (
    <div data-testid={`step-editor-${stepId}`}>
      <IssueMessages path={path} />
      <LocalizedInput path={[...path, 'title']} label={t('editor.stepTitle')} value={step.title} onChange={(title) => onChange({ ...step, title: title ?? { it: '' } })} />
      <LocalizedInput path={[...path, 'description']} label={t('editor.stepDescription')} optional value={step.description} onChange={(description) => onChange({ ...step, description })} />

      {step.kind === 'task' ? (
        <>
          <Group legend={t('editor.assignee')}>
            <div className="row g-2">
              <SelectInput
                className="col-12 col-xl-6 mb-2"
                path={[...path, 'assignee', 'service']}
                label={t('editor.service')}
                value={step.assignee?.service}
                options={serviceOptions}
                onChange={(service) => onChange({ ...step, assignee: { ...step.assignee, service: service ?? '' } })}
              />
              <SelectInput
                className="col-12 col-xl-6 mb-2"
                path={[...path, 'assignee', 'role']}
                label={t('editor.role')}
                value={step.assignee?.role ?? 'operator'}
                options={roles.map((role) => ({ value: role, label: t(`common:roles.${role}`) }))}
                onChange={(role) => onChange({ ...step, assignee: { service: step.assignee?.service ?? '', role: (role ?? 'operator') as NonNullable<StepDoc['assignee']>['role'] } })}
              />
            </div>
            <IssueMessages path={[...path, 'assignee']} />
          </Group>
          <Group legend={t('editor.form')}>
            <FormFieldsEditor path={[...path, 'form', 'fields']} fields={step.form?.fields ?? []} onChange={(fields) => onChange({ ...step, form: { ...step.form, fields } })} />
          </Group>
          <ClockEditor path={path} step={step} serviceOptions={serviceOptions} onChange={onChange} />
          {step.signOff ? (
            <TextInput
              path={[...path, 'signOff', 'services']}
              label={t('editor.signOff')}
              hint={t('editor.signOffHint')}
              value={step.signOff.services.join(', ')}
              onChange={(text) => onChange({ ...step, signOff: { ...step.signOff, services: text.split(',').map((s) => s.trim()).filter(Boolean) } })}
            />
          ) : null}
          <Group legend={t('editor.transitions')}>{nextSelect('next', t('editor.next'))}</Group>
        </>
      ) : null}

      {step.kind === 'decision' ? <RulesEditor path={path} step={step} stepIds={stepIds} onChange={onChange} /> : null}

      {step.kind === 'parallel' ? (
        <Group legend={t('editor.branches')}>
          <IssueMessages path={[...path, 'branches']} />
          {(step.branches ?? []).map((branch, index) => (
            <div key={index} className="d-flex gap-2 align-items-end">
              <SelectInput
                className="flex-grow-1 mb-2"
                path={[...path, 'branches', index]}
                label={t('editor.branch', { number: index + 1 })}
                value={branch}
                options={stepIds}
                empty={t('editor.chooseStep')}
                onChange={(value) => onChange({ ...step, branches: (step.branches ?? []).map((old, i) => (i === index ? (value ?? '') : old)) })}
              />
              <button type="button" className="btn btn-outline-danger btn-sm mb-3" onClick={() => onChange({ ...step, branches: (step.branches ?? []).filter((_, i) => i !== index) })}>
                {t('editor.remove')}
                <span className="visually-hidden"> {t('editor.branch', { number: index + 1 })}</span>
              </button>
            </div>
          ))}
          <button type="button" className="btn btn-outline-primary btn-sm mb-3" onClick={() => onChange({ ...step, branches: [...(step.branches ?? []), ''] })}>
            {t('editor.addBranch')}
          </button>
          {nextSelect('next', t('editor.joinNext'))}
        </Group>
      ) : null}

      {step.kind === 'wait' ? (
        <Group legend={t('editor.wait')}>
          {step.for ? (
            <DurationInput path={[...path, 'for']} label={t('editor.waitFor')} value={step.for} onChange={(duration) => onChange({ ...step, for: duration })} />
          ) : (
            <JsonInput path={[...path, 'until']} label={t('editor.waitUntil')} value={step.until} onChange={(until) => onChange({ ...step, until })} rows={4} />
          )}
          {nextSelect('next', t('editor.next'))}
        </Group>
      ) : null}

      {step.kind === 'recurring' ? (
        <Group legend={t('editor.recurring')}>
          <DurationInput path={[...path, 'every']} label={t('editor.every')} value={step.every} onChange={(every) => onChange({ ...step, every })} />
          <NumberInput path={[...path, 'times']} label={t('editor.times')} min={1} value={step.times} onChange={(times) => onChange({ ...step, times })} />
          <TextInput
            path={[...path, 'anchor', 'field']}
            label={t('editor.recurringAnchor')}
            hint={t('editor.recurringAnchorHint')}
            value={step.anchor?.field}
            onChange={(field) => {
              const { anchor: _anchor, opensBefore: _opensBefore, ...rest } = step;
              onChange(field ? { ...rest, anchor: { field }, ...(step.opensBefore ? { opensBefore: step.opensBefore } : {}) } : rest);
            }}
          />
          {step.anchor ? (
            <>
              <CheckboxInput
                className="form-check mb-2"
                path={[...path, 'opensBefore']}
                label={t('editor.recurringOpensBefore')}
                checked={step.opensBefore !== undefined}
                onChange={(checked) => {
                  const { opensBefore: _opensBefore, ...rest } = step;
                  onChange(checked ? { ...rest, opensBefore: { amount: 30, unit: 'calendarDays' } } : rest);
                }}
              />
              {step.opensBefore ? (
                <DurationInput path={[...path, 'opensBefore']} label={t('editor.recurringOpensBeforeBy')} value={step.opensBefore} onChange={(opensBefore) => onChange({ ...step, opensBefore })} />
              ) : null}
            </>
          ) : null}
          {nextSelect('body', t('editor.body'))}
          <JsonInput path={[...path, 'until']} label={t('editor.recurringUntil')} hint={t('editor.conditionJsonHint')} value={step.until} onChange={(until) => onChange({ ...step, until })} rows={4} />
          {nextSelect('next', t('editor.next'))}
        </Group>
      ) : null}

      {step.kind === 'goto' ? (
        <Group legend={t('editor.transitions')}>
          {nextSelect('target', t('editor.gotoTarget'))}
          <NumberInput path={[...path, 'maxTimes']} label={t('editor.maxTimes')} min={1} value={step.maxTimes} onChange={(maxTimes) => onChange({ ...step, maxTimes })} />
          {nextSelect('otherwise', t('editor.gotoOtherwise'))}
        </Group>
      ) : null}

      {step.kind === 'referral' ? (
        <>
          <Group legend={t('editor.referral')}>
            <div className="row g-2">
              <SelectInput className="col-12 col-xl-4 mb-2" path={[...path, 'from']} label={t('editor.referralFrom')} value={step.from} options={serviceOptions} onChange={(from) => onChange({ ...step, from: from ?? '' })} />
              <SelectInput
                className="col-12 col-xl-4 mb-2"
                path={[...path, 'to', 'service']}
                label={t('editor.referralTo')}
                value={step.to?.service}
                options={serviceOptions}
                onChange={(service) => onChange({ ...step, to: { ...step.to, service: service ?? '' } })}
              />
              <SelectInput
                className="col-12 col-xl-4 mb-2"
                path={[...path, 'to', 'role']}
                label={t('editor.role')}
                value={step.to?.role ?? 'operator'}
                options={roles.map((role) => ({ value: role, label: t(`common:roles.${role}`) }))}
                onChange={(role) => onChange({ ...step, to: { service: step.to?.service ?? '', role: (role ?? 'operator') as NonNullable<StepDoc['to']>['role'] } })}
              />
            </div>
            <JsonInput path={[...path, 'rejectionReasons']} label={t('editor.rejectionReasons')} value={step.rejectionReasons} onChange={(value) => onChange({ ...step, rejectionReasons: value as StepDoc['rejectionReasons'] })} />
            <JsonInput path={[...path, 'outcomes']} label={t('editor.referralOutcomes')} value={step.outcomes} onChange={(value) => onChange({ ...step, outcomes: value as StepDoc['outcomes'] })} />
          </Group>
          <ClockEditor path={path} step={step} serviceOptions={serviceOptions} onChange={onChange} />
          <Group legend={t('editor.transitions')}>
            {nextSelect('next', t('editor.next'))}
            {nextSelect('onRejected', t('editor.onRejected'))}
          </Group>
        </>
      ) : null}

      {step.kind === 'end' ? (
        <TextInput path={[...path, 'outcome']} label={t('editor.outcome')} hint={t('editor.outcomeHint')} value={step.outcome} onChange={(outcome) => onChange({ ...step, outcome })} />
      ) : null}
    </div>
  );
}
