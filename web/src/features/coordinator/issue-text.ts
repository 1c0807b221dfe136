/**
 * A pathway issue in the person's language. The API gives each issue a stable `messageCode` with
 * the values it names (`params`); the text for each code lives in `locales/<language>/pathway-issues.json`
 * (tests/unit/pathway-issue-codes.test.ts keeps both languages complete). An issue without a code the
 * console knows keeps the old form: the translated kind of problem, then the API's English message.
 */
import { useCallback } from 'react';
import type { i18n } from 'i18next';
import { useTranslation } from 'react-i18next';

/** An issue as the API reports it (validation, or a refused draft). */
export interface PathwayIssueView {
  path: (string | number)[];
  code?: string;
  messageCode?: string;
  params?: Record<string, string | number>;
  message: string;
}

/** The issue fields the editor keeps, from an issue of either API answer. */
export function issueView(issue: PathwayIssueView): PathwayIssueView {
  return { path: issue.path, code: issue.code, messageCode: issue.messageCode, params: issue.params, message: issue.message };
}

/** The issue's text in the language of `i18n`: from its message code, else its kind and the API's English message. */
export function sayIssue(i18n: Pick<i18n, 't' | 'exists'>, issue: PathwayIssueView): string {
  // With its values: a code with plural forms exists only as <code>_one, <code>_other.
  if (issue.messageCode && i18n.exists(issue.messageCode, { ns: 'pathwayIssues', ...issue.params })) {
    const params: Record<string, string | number> = { ...issue.params };
    // Field and step types are codes in the API's values: shown by the editor's own labels.
    if (typeof params.type === 'string') params.type = i18n.t(`coordinator:fieldTypes.${params.type}`, { defaultValue: params.type });
    if (typeof params.kind === 'string') params.kind = i18n.t(`coordinator:kinds.${params.kind}`, { defaultValue: params.kind });
    return i18n.t(issue.messageCode, { ns: 'pathwayIssues', ...params });
  }
  const kind = issue.code ? i18n.t(`coordinator:issues.${issue.code}`, { defaultValue: '' }) : '';
  return kind ? `${kind}: ${issue.message}` : issue.message;
}

/** The issue's text in the current language. */
export function useIssueText(): (issue: PathwayIssueView) => string {
  // `t` changes with the language, so texts memoised on this callback follow a switch.
  const { t, i18n } = useTranslation(['pathwayIssues', 'coordinator']);
  return useCallback((issue: PathwayIssueView) => sayIssue({ t, exists: i18n.exists.bind(i18n) }, issue), [t, i18n]);
}
