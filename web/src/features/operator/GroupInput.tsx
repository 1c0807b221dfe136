/**
 * A repeating group of a step form (the household's members): one fieldset per item with the
 * inputs of its sub-fields, "add" and "remove" buttons named for the item they act on, and the
 * group's own problem (how many items it takes) under the group. An item's sub-field answers under
 * the key `<group>.<index>.<subKey>`, the path the API's issues give it, so a server error lands
 * next to the right member's input.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { localized, type FormField } from '../cases/format';
import { FieldInput, RequiredMark } from './FieldInput';
import { emptyItem, itemFieldKey, leastItems, mostItems, type FormItem } from './form-values';

interface GroupInputProps {
  idPrefix: string;
  group: FormField;
  items: FormItem[];
  /** Messages by problem key: the group's under its key, an item's sub-field under `<group>.<index>.<subKey>`. */
  errors: Record<string, string | undefined>;
  disabled: boolean;
  /** The new items and what changed: `<group>.<index>.<subKey>` (an answer), `<group>` (an item added), `<group>.<index>` (an item removed). */
  onChange: (items: FormItem[], changedKey: string) => void;
}

/** The inputs of a repeating group, item by item. */
export function GroupInput({ idPrefix, group, items, errors, disabled, onChange }: GroupInputProps) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const id = `${idPrefix}-${group.key}`;
  const error = errors[group.key];
  const least = leastItems(group);
  const most = mostItems(group);
  const hints = [least > 1 ? t('form.group.least', { count: least }) : null, group.maxItems !== undefined ? t('form.group.most', { count: most }) : null].filter(Boolean).join(' ');
  const helpId = group.help || group.category || hints ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  const subFields = group.fields ?? [];
  // After "add" the new item's first input takes the focus, after "remove" the add button: the person's place is never lost.
  const focusNext = useRef<string | null>(null);
  useEffect(() => {
    if (focusNext.current === null) return;
    document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const itemName = (index: number) => t('form.group.item', { number: index + 1 });
  const add = () => {
    const first = subFields[0];
    focusNext.current = first ? `${id}-${items.length}-${first.key}${first.type === 'boolean' ? '-true' : first.type === 'multiselect' ? `-${first.options?.[0]?.value ?? ''}` : ''}` : `${id}-add`;
    onChange([...items, emptyItem(group)], group.key);
  };
  const remove = (index: number) => {
    focusNext.current = `${id}-add`;
    onChange(
      items.filter((_, i) => i !== index),
      `${group.key}.${index}`,
    );
  };

  return (
    <fieldset className="mb-4" aria-describedby={describedBy} data-field={group.key} data-testid={`group-${group.key}`}>
      <legend className="fs-5 fw-semibold mb-2 px-0">
        {localized(group.label, language)}
        {group.required ? <RequiredMark /> : null}
      </legend>
      {helpId !== undefined ? (
        <p id={helpId} className="form-text mb-2">
          {group.help ? `${localized(group.help, language)} ` : null}
          {hints ? `${hints} ` : null}
          {group.category ? <span className="badge bg-dark">{t('form.specialCategory', { category: t(`form.categories.${group.category}`) })}</span> : null}
        </p>
      ) : null}
      {items.length === 0 ? <p className="small">{t('form.group.none')}</p> : null}
      {items.map((item, index) => (
        <fieldset key={index} className="border rounded p-3 mb-3" data-testid={`group-item-${group.key}-${index}`}>
          <legend className="fs-6 fw-semibold float-none w-auto px-2 mb-2">{itemName(index)}</legend>
          {/* Two sub-fields a row on an office screen: a member stays within one screen's height. */}
          <div className="row">
            {subFields.map((sub) => {
              const key = itemFieldKey(group.key, index, sub.key);
              return (
                <div className="col-12 col-md-6" key={sub.key}>
                  <FieldInput
                    idPrefix={idPrefix}
                    path={key}
                    field={sub}
                    value={item[sub.key] ?? null}
                    error={errors[key]}
                    disabled={disabled}
                    onChange={(value) =>
                      onChange(
                        items.map((old, i) => (i === index ? { ...old, [sub.key]: value } : old)),
                        key,
                      )
                    }
                  />
                </div>
              );
            })}
          </div>
          <button type="button" className="btn btn-outline-danger btn-sm" disabled={disabled} onClick={() => remove(index)}>
            {t('form.group.remove')}
            <span className="visually-hidden"> {itemName(index).toLowerCase()}</span>
          </button>
        </fieldset>
      ))}
      <button id={`${id}-add`} type="button" className="btn btn-outline-primary btn-sm" disabled={disabled || items.length >= most} aria-describedby={describedBy} onClick={add}>
        {t('form.group.add')}
      </button>
      {error ? (
        <span id={errorId} className="invalid-feedback d-block" data-testid={`error-${group.key}`}>
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}
