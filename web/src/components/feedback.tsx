/**
 * Loading and error states shared by every screen: a spinner with a text for screen readers, and
 * a problem from the API shown in the person's language (with its field messages, if any).
 */
import { Alert, Spinner } from 'design-react-kit';
import { useTranslation } from 'react-i18next';
import { ProblemError } from '../api/problem';

/** A centred spinner announced to screen readers. */
export function PageLoading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="d-flex justify-content-center my-5" role="status" aria-live="polite">
      <Spinner active small />
      <span className="ms-2">{label ?? t('loading')}</span>
    </div>
  );
}

/** The message of an API problem (or any error), with field issues listed. */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  const problem = error instanceof ProblemError ? error : null;
  const message = problem ? t(`problems.${problem.type}`, { defaultValue: problem.message }) : error instanceof Error ? error.message : String(error);
  return (
    <Alert color="danger" role="alert">
      {title ? <strong className="d-block">{title}</strong> : null}
      {message}
      {problem?.problem.detail && problem.problem.detail !== message ? <span className="d-block small">{problem.problem.detail}</span> : null}
      {problem && (problem.problem.issues ?? []).length > 0 ? (
        <ul className="mb-0 mt-2 small">
          {(problem.problem.issues ?? []).map((issue) => (
            <li key={`${issue.path.join('.')}:${issue.message}`}>
              {issue.path.length > 0 ? <code>{issue.path.join('.')}</code> : null} {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </Alert>
  );
}
