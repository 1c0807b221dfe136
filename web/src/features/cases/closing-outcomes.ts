/**
 * The outcomes a case may be closed with, as the close form offers them: the end steps' outcomes
 * (labelled by those steps' titles) and the pathway's extra codes. The server accepts the same set
 * (`allowedOutcomes` in domain/case-command-handlers.ts); tests/unit/console-closing-outcomes checks it.
 */
import { localized, type LocalizedText } from '../../i18n/format';

type DefinitionLike = { steps: Record<string, unknown>; outcomes?: string[] };

/** Code and label of every outcome a case of this definition may be closed with, by label. */
export function closingOutcomes(definition: DefinitionLike | undefined, language: string): Array<{ code: string; label: string }> {
  const options = new Map<string, string>();
  for (const step of Object.values(definition?.steps ?? {}) as Array<{ kind?: string; outcome?: string; title?: LocalizedText }>) {
    if (step.kind === 'end' && step.outcome && !options.has(step.outcome)) options.set(step.outcome, step.title ? localized(step.title, language) : step.outcome);
  }
  for (const code of definition?.outcomes ?? []) if (!options.has(code)) options.set(code, code);
  return [...options.entries()].map(([code, label]) => ({ code, label })).sort((a, b) => a.label.localeCompare(b.label, language));
}
