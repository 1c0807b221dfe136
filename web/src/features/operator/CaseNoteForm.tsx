/**
 * A note on the case's timeline, with its special category when it is about health, addiction,
 * disability, justice or minors: then only the readers allowed that category see its text.
 */
import { Alert } from 'design-react-kit';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { ProblemAlert } from '../../components/feedback';
import { FieldError, splitProblem } from '../../components/form-fields';
import { useCaseCommand } from '../cases/case-commands';

type Category = NonNullable<paths['/cases/{caseId}/notes']['post']['requestBody']['content']['application/json']['category']>;
const categories: Category[] = ['health', 'addiction', 'disability', 'judicial', 'minors'];

export function CaseNoteForm({ caseId }: { caseId: string }) {
  const { t } = useTranslation('operator');
  const id = useId();
  const [text, setText] = useState('');
  const [category, setCategory] = useState<Category | ''>('');
  const [done, setDone] = useState(false);
  const add = useCaseCommand(
    caseId,
    () => unwrap(api.POST('/cases/{caseId}/notes', { params: { path: { caseId } }, body: { text, ...(category ? { category } : {}) } })),
    () => {
      setDone(true);
      setText('');
      setCategory('');
    },
  );
  const { fieldErrors, rest } = splitProblem(add.error, ['text', 'category']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    add.mutate(undefined);
  };
  return (
    <section aria-labelledby={`${id}-title`} className="mt-4">
      <h2 className="h4" id={`${id}-title`}>
        {t('note.title')}
      </h2>
      <form onSubmit={submit} noValidate data-testid="note-form">
        <div className="row g-3">
          <div className="col-12 col-md-8">
            <label htmlFor={`${id}-text`} className="form-label fw-semibold">
              {t('note.text')}
            </label>
            <textarea
              id={`${id}-text`}
              className={`form-control${fieldErrors.text ? ' is-invalid' : ''}`}
              rows={3}
              maxLength={5000}
              value={text}
              required
              aria-describedby={fieldErrors.text ? `${id}-text-error` : undefined}
              aria-invalid={fieldErrors.text ? true : undefined}
              onChange={(event) => setText(event.target.value)}
            />
            <FieldError id={`${id}-text-error`} message={fieldErrors.text} />
          </div>
          <div className="col-12 col-md-4">
            <div className="select-wrapper">
              <label htmlFor={`${id}-category`}>{t('note.category')}</label>
              <select id={`${id}-category`} className="form-select" value={category} aria-describedby={`${id}-category-hint`} onChange={(event) => setCategory(event.target.value as Category | '')}>
                <option value="">{t('note.noCategory')}</option>
                {categories.map((code) => (
                  <option key={code} value={code}>
                    {t(`note.categories.${code}`)}
                  </option>
                ))}
              </select>
            </div>
            <small id={`${id}-category-hint`} className="form-text">
              {t('note.categoryHint')}
            </small>
          </div>
        </div>
        {add.isError && rest ? <ProblemAlert error={add.error} /> : null}
        <div aria-live="polite" role="status">
          {done ? <Alert color="success">{t('note.done')}</Alert> : null}
        </div>
        <button type="submit" className="btn btn-primary mt-3" disabled={add.isPending || text.trim() === ''}>
          {add.isPending ? t('caseActions.busy') : t('note.submit')}
        </button>
      </form>
    </section>
  );
}
