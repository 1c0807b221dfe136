/**
 * A pathway issue in the person's language. The API gives each issue a stable `messageCode` with
 * the values it names (`params`); the text for each code lives in `locales/<language>/pathway-issues.json`
 * (tests/unit/pathway-issue-codes.test.ts keeps both languages complete). An issue without a code the
 * console knows keeps the old form: the translated kind of problem, then the API's English message.
 */
import { useCallback } from 'react';
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

/** The issue's text in the current language. */
export function useIssueText(): (issue: PathwayIssueView) => string {
  const { t, i18n } = useTranslation(['pathwayIssues', 'coordinator']);
  return useCallback(
    (issue: PathwayIssueView) => {
      if (issue.messageCode && i18n.exists(issue.messageCode, { ns: 'pathwayIssues' })) {
        const params = { ...issue.params };
        // Field and step types are codes in the API's values: shown by the editor's own labels.
        if (typeof params.type === 'string') params.type = t(`coordinator:fieldTypes.${params.type}`, { defaultValue: params.type });
        if (typeof params.kind === 'string') params.kind = t(`coordinator:kinds.${params.kind}`, { defaultValue: params.kind });
        return t(issue.messageCode, { ns: 'pathwayIssues', ...params });
      }
      const kind = issue.code ? t(`coordinator:issues.${issue.code}`, { defaultValue: '' }) : '';
      return kind ? `${kind}: ${issue.message}` : issue.message;
    },
    [t, i18n],
  );
}
