/**
 * Find a case (`/console/cases`): by its reference (`RT-LI-7K3Q9X`, or its last characters) for
 * everyone who reads cases, and by the person it is about (codice fiscale, name with birth year,
 * alias) for the roles that may look people up. The search goes in a POST body, never in the
 * address; only cases in the reader's scope come back, with the person's short alias for those
 * who may see it, so an operator recognises the case they just started among identical rows.
 */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/feedback';
import { CaseStatusBadge } from '../cases/badges';
import { formatDateTime } from '../cases/format';

type Mode = 'reference' | 'codiceFiscale' | 'name' | 'alias';
type SearchBody = Schemas['CaseSearch'];

export default function CaseSearchPage() {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const { hasRole } = useSession();
  // Who may search by person is the API's rule (cases.searchByPerson); these roles hold it, and a refusal would show if not.
  const byPerson = hasRole('operator', 'supervisor');
  const modes: Mode[] = byPerson ? ['reference', 'codiceFiscale', 'name', 'alias'] : ['reference'];
  const [mode, setMode] = useState<Mode>('reference');
  const [text, setText] = useState('');
  const [birthYear, setBirthYear] = useState('');
  const search = useMutation({ mutationFn: (body: SearchBody) => unwrap(api.POST('/cases/search', { body })) });

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = text.trim();
    const body: SearchBody =
      mode === 'reference'
        ? { reference: value }
        : { person: mode === 'codiceFiscale' ? { codiceFiscale: value } : mode === 'alias' ? { alias: value } : { name: value, birthYear: Number(birthYear) } };
    search.mutate(body);
  }

  const items = search.data?.items ?? [];
  const showAlias = items.some((item) => item.personAlias !== null);
  return (
    <>
      <h1 className="h2">{t('search.title')}</h1>
      <p>{t(byPerson ? 'search.intro' : 'search.introReference')}</p>
      <form onSubmit={submit} className="mb-4" noValidate data-testid="case-search-form">
        <div className="row g-3 align-items-end">
          {modes.length > 1 ? (
            <div className="col-12 col-md-3">
              <div className="select-wrapper">
                <label htmlFor="case-search-mode">{t('search.mode')}</label>
                <select id="case-search-mode" value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
                  {modes.map((option) => (
                    <option key={option} value={option}>
                      {t(`search.modes.${option}`)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          ) : null}
          <div className="col-12 col-md-5 form-group mb-0">
            <label htmlFor="case-search-text" className="active">
              {t(`search.fields.${mode}`)}
            </label>
            <input
              id="case-search-text"
              type="text"
              className="form-control"
              value={text}
              autoComplete="off"
              aria-describedby={mode === 'reference' ? 'case-search-hint' : undefined}
              onChange={(event) => setText(event.target.value)}
            />
            {mode === 'reference' ? (
              <small id="case-search-hint" className="form-text">
                {t('search.referenceHint')}
              </small>
            ) : null}
          </div>
          {mode === 'name' ? (
            <div className="col-12 col-md-2 form-group mb-0">
              <label htmlFor="case-search-year" className="active">
                {t('persons.fields.birthYear')}
              </label>
              <input id="case-search-year" type="number" inputMode="numeric" className="form-control" value={birthYear} onChange={(event) => setBirthYear(event.target.value)} />
            </div>
          ) : null}
          <div className="col-12 col-md-2">
            <button type="submit" className="btn btn-primary" disabled={search.isPending || text.trim() === ''}>
              {t('search.submit')}
            </button>
          </div>
        </div>
      </form>
      {search.isError ? <ProblemAlert error={search.error} /> : null}
      <div aria-live="polite">
        {search.isSuccess ? (
          <p className={items.length === 0 ? 'alert alert-info' : 'small'} data-testid="case-search-count">
            {t('search.results', { count: items.length })}
          </p>
        ) : null}
      </div>
      {items.length > 0 ? (
        <div className="table-responsive">
          <table className="table table-dense table-hover" data-testid="case-search-results">
            <caption className="visually-hidden">{t('search.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('inbox.columns.case')}</th>
                {showAlias ? <th scope="col">{t('inbox.columns.person')}</th> : null}
                <th scope="col">{t('inbox.columns.status')}</th>
                <th scope="col">{t('inbox.columns.area')}</th>
                <th scope="col">{t('cases.summary.startedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.caseId} data-testid="case-search-row">
                  <th scope="row" className="fw-normal text-nowrap">
                    <Link to={`/console/cases/${item.caseId}`} className="fw-semibold case-reference">
                      {item.reference}
                    </Link>
                  </th>
                  {showAlias ? <td>{item.personAlias ?? '—'}</td> : null}
                  <td>
                    <CaseStatusBadge status={item.status} />
                  </td>
                  <td>{t(`areas.${item.areaId}`, { defaultValue: item.areaId })}</td>
                  <td>{formatDateTime(item.startedAt, language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
