/**
 * Find a person at first contact (`/console/persons`): by codice fiscale, by name with the birth
 * year, or by alias. What is searched goes in a POST body (never in the address, so it reaches no
 * log). People with a case in the operator's areas come back with their cases and a one-click
 * "start a case for this person"; someone known only elsewhere shows where and whom to contact.
 */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemAlert } from '../../components/feedback';

type Mode = 'codiceFiscale' | 'name' | 'alias';
type SearchBody = Schemas['PersonSearchInput'];

export default function PersonSearchPage() {
  const { t } = useTranslation('operator');
  const [mode, setMode] = useState<Mode>('codiceFiscale');
  const [text, setText] = useState('');
  const [birthYear, setBirthYear] = useState('');

  const search = useMutation({
    mutationFn: (body: SearchBody) => unwrap(api.POST('/persons/search', { body })),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const body: SearchBody =
      mode === 'codiceFiscale' ? { codiceFiscale: text } : mode === 'alias' ? { alias: text } : { name: text, birthYear: Number(birthYear) };
    search.mutate(body);
  }

  const result = search.data;
  return (
    <>
      <h1 className="h2">{t('persons.title')}</h1>
      <p>{t('persons.intro')}</p>
      <form onSubmit={submit} className="mb-4" noValidate>
        <div className="row g-3 align-items-end">
          <div className="col-md-3">
            <div className="select-wrapper">
              <label htmlFor="person-search-mode">{t('persons.mode')}</label>
              <select id="person-search-mode" value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
                <option value="codiceFiscale">{t('persons.modes.codiceFiscale')}</option>
                <option value="name">{t('persons.modes.name')}</option>
                <option value="alias">{t('persons.modes.alias')}</option>
              </select>
            </div>
          </div>
          <div className="col-md-5 form-group mb-0">
            <label htmlFor="person-search-text" className="active">
              {t(`persons.fields.${mode}`)}
            </label>
            <input id="person-search-text" type="text" className="form-control" value={text} onChange={(event) => setText(event.target.value)} autoComplete="off" />
          </div>
          {mode === 'name' && (
            <div className="col-md-2 form-group mb-0">
              <label htmlFor="person-search-year" className="active">
                {t('persons.fields.birthYear')}
              </label>
              <input id="person-search-year" type="number" inputMode="numeric" className="form-control" value={birthYear} onChange={(event) => setBirthYear(event.target.value)} />
            </div>
          )}
          <div className="col-md-2">
            <button type="submit" className="btn btn-primary" disabled={search.isPending || text.trim() === ''}>
              {t('persons.search')}
            </button>
          </div>
        </div>
      </form>
      {search.isError && <ProblemAlert error={search.error} />}
      {result && (
        <section aria-labelledby="person-results" data-testid="person-results">
          <h2 id="person-results" className="h4">
            {t('persons.results', { count: result.matches.length })}
          </h2>
          {result.matches.length === 0 && result.elsewhere.length === 0 && (
            <p>
              {t('persons.none')} <Link to="/console/cases/new">{t('persons.newCase')}</Link>
            </p>
          )}
          <ul className="list-unstyled">
            {result.matches.map((match) => (
              <li key={match.personId} className="card card-bg mb-3" data-testid="person-match">
                <div className="card-body">
                  <h3 className="h5 card-title">{match.shortAlias ?? t('persons.noAlias')}</h3>
                  <p className="mb-1">
                    {[match.givenName, match.familyName].filter(Boolean).join(' ')}
                    {match.birthYear !== null && ` (${match.birthYear})`}
                    {match.codiceFiscale !== null && ` · ${match.codiceFiscale}`}
                  </p>
                  {match.cases.length > 0 && (
                    <p className="mb-2">
                      {t('persons.cases')}{' '}
                      {match.cases.map((item, index) => (
                        <span key={item.caseId}>
                          {index > 0 && ', '}
                          <Link to={`/console/cases/${item.caseId}`}>{item.reference ?? item.caseId}</Link>
                        </span>
                      ))}
                    </p>
                  )}
                  <Link className="btn btn-outline-primary btn-sm" to={`/console/cases/new?personId=${encodeURIComponent(match.personId)}`} data-testid="start-for-person">
                    {t('persons.startForPerson')}
                  </Link>
                </div>
              </li>
            ))}
          </ul>
          {result.elsewhere.map((known) => (
            <div key={known.areaId} className="alert alert-info" role="status" data-testid="person-elsewhere">
              {t('persons.elsewhere', { area: known.areaName, services: known.contactServices.map((service) => service.name).join(', ') })}
            </div>
          ))}
        </section>
      )}
    </>
  );
}
