/**
 * Where an issue of the API lies, in words a coordinator reads: `steps.intake.form.fields.1.key`
 * becomes "Modulo › Campi n. 2 › Codice" (the step's title is shown beside it). Each part is a
 * translation of the document's property name; a part with no translation shows as it is.
 */
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

type PathPart = string | number;

/** The readable form of an issue path below its step (`steps.<id>` is left to the caller). */
export function usePathLabel(): (path: readonly PathPart[]) => string {
  const { t } = useTranslation('coordinator');
  return useCallback(
    (path: readonly PathPart[]) => {
      const below = path[0] === 'steps' && typeof path[1] === 'string' ? path.slice(2) : path;
      const words: string[] = [];
      for (const part of below) {
        if (typeof part === 'number') {
          // A position belongs to the list named just before it: "Campi n. 2".
          if (words.length > 0) words[words.length - 1] = t('pathParts.item', { list: words[words.length - 1], number: part + 1 });
          else words.push(t('pathParts.item', { list: '', number: part + 1 }).trim());
        } else {
          words.push(t(`pathParts.${part}`, { defaultValue: part }));
        }
      }
      return words.length === 0 ? t('pathParts.whole') : words.join(' › ');
    },
    [t],
  );
}
