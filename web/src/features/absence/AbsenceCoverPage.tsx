/**
 * My absence cover (`/console/absence`, operators): name a colleague of my area and service for the
 * days I am away; while the cover is in force the tasks I hold go to them, and any that reaches me.
 * Lists my covers (and those where I cover someone) and ends one early.
 */
import { Alert } from 'design-react-kit';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ColleagueSelect } from './ColleagueSelect';
import { useSession } from '../../auth/session';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { FieldError, splitProblem } from '../../components/form-fields';
import { formatDate } from '../cases/format';
import { endCover, setCover, useCoverCommand, useMyCovers, type AbsenceCover } from './absence-queries';

function CoverForm({ onSet }: { onSet: (cover: AbsenceCover) => void }) {
  const { t } = useTranslation('loop');
  const id = useId();
  const [colleagueId, setColleagueId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const command = useCoverCommand(() => setCover({ colleagueId, from, to }), (cover) => {
    onSet(cover);
    setColleagueId('');
    setFrom('');
    setTo('');
  });
  const { fieldErrors, rest } = splitProblem(command.error, ['colleagueId', 'from', 'to']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    command.mutate(undefined);
  };
  const described = (field: string) => (fieldErrors[field] ? `${id}-${field}-error` : undefined);
  return (
    <section aria-labelledby={`${id}-title`} className="mb-4">
      <h2 className="h4" id={`${id}-title`}>
        {t('absence.newTitle')}
      </h2>
      <form onSubmit={submit} noValidate data-testid="absence-form">
        <ColleagueSelect id={`${id}-colleague`} label={t('absence.colleague')} value={colleagueId} error={fieldErrors.colleagueId} onChange={setColleagueId} />
        <div className="row g-3">
          {(['from', 'to'] as const).map((field) => (
            <div className="col-12 col-sm-6" key={field}>
              <label htmlFor={`${id}-${field}`} className="form-label">
                {t(`absence.${field}`)}
              </label>
              <input
                id={`${id}-${field}`}
                type="date"
                className={`form-control${fieldErrors[field] ? ' is-invalid' : ''}`}
                value={field === 'from' ? from : to}
                required
                aria-invalid={fieldErrors[field] ? true : undefined}
                aria-describedby={described(field)}
                onChange={(event) => (field === 'from' ? setFrom : setTo)(event.target.value)}
              />
              <FieldError id={`${id}-${field}-error`} message={fieldErrors[field]} />
            </div>
          ))}
        </div>
        {command.isError && rest ? <ProblemAlert error={command.error} /> : null}
        <button type="submit" className="btn btn-primary mt-3" disabled={command.isPending || !colleagueId || !from || !to}>
          {t('absence.submit')}
        </button>
      </form>
    </section>
  );
}

function CoverRow({ cover }: { cover: AbsenceCover }) {
  const { t, i18n } = useTranslation('loop');
  const { actor } = useSession();
  const end = useCoverCommand(() => endCover(cover.coverId));
  const mine = cover.userId === actor.id;
  const period = t('absence.period', { from: formatDate(cover.from, i18n.language), to: formatDate(cover.to, i18n.language) });
  return (
    <tr>
      <td>{period}</td>
      <td>{mine ? t('absence.coveredBy', { name: cover.colleagueName ?? cover.colleagueId }) : t('absence.coveringFor', { name: cover.userName ?? cover.userId })}</td>
      <td>{cover.endedAt ? t('absence.ended') : cover.inForce ? t('absence.inForce') : t('absence.planned')}</td>
      <td>
        {mine && !cover.endedAt ? (
          <button type="button" className="btn btn-outline-secondary btn-sm" disabled={end.isPending} onClick={() => end.mutate(undefined)}>
            {t('absence.end')}
          </button>
        ) : null}
        {end.isError ? <ProblemAlert error={end.error} /> : null}
      </td>
    </tr>
  );
}

export default function AbsenceCoverPage() {
  const { t } = useTranslation('loop');
  const covers = useMyCovers();
  const [set, setSet] = useState<AbsenceCover | null>(null);
  const items = covers.data?.items ?? [];
  return (
    <>
      <h1 className="h2">{t('absence.title')}</h1>
      <p>{t('absence.intro')}</p>
      <div aria-live="polite" role="status">
        {set ? <Alert color="success">{t(set.inForce ? 'absence.setNow' : 'absence.setLater', { name: set.colleagueName ?? set.colleagueId })}</Alert> : null}
      </div>
      <CoverForm onSet={setSet} />
      <section aria-labelledby="absence-list-title">
        <h2 className="h4" id="absence-list-title">
          {t('absence.listTitle')}
        </h2>
        {covers.isPending ? <PageLoading /> : null}
        {covers.isError ? <ProblemAlert error={covers.error} /> : null}
        {covers.isSuccess && items.length === 0 ? <p className="text-muted">{t('absence.none')}</p> : null}
        {items.length > 0 ? (
          <div className="table-responsive">
            <table className="table">
              <caption className="visually-hidden">{t('absence.listTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('absence.columns.period')}</th>
                  <th scope="col">{t('absence.columns.who')}</th>
                  <th scope="col">{t('absence.columns.state')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('absence.columns.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((cover) => (
                  <CoverRow key={cover.coverId} cover={cover} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
