/**
 * The embedded issuer's sign-in page (embedded mode only): the API's /oauth/authorize sends the
 * browser here with the authorization request; the person picks a demo user, the API issues an
 * authorization code bound to the request's PKCE challenge, and the browser returns to the
 * console's callback with it. With an OIDC provider this page is never used.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageLoading, ProblemAlert } from '../components/feedback';
import { languages, setLanguage } from '../i18n';

interface DemoUser {
  id: string;
  name: string;
  roles: string[];
  areas: string[];
  services: string[];
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  const payload = (await response.json().catch(() => ({}))) as T & { detail?: string; title?: string };
  if (!response.ok) throw new Error(payload.detail ?? payload.title ?? `HTTP ${response.status}`);
  return payload;
}

export function DemoSignInPage() {
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<unknown>(null);
  const users = useQuery({
    queryKey: ['demo-users'],
    queryFn: async () => {
      const response = await fetch('/oauth/demo-users', { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(t('signIn.demoUnavailable'));
      return ((await response.json()) as { users: DemoUser[] }).users;
    },
  });

  async function signInAs(userId: string) {
    setError(null);
    try {
      const { redirectTo } = await postJson<{ redirectTo: string }>('/oauth/authorize', { ...Object.fromEntries(params), user_id: userId });
      window.location.assign(redirectTo);
    } catch (failure) {
      setError(failure);
    }
  }

  const shown = (users.data ?? []).filter((user) => `${user.id} ${user.name} ${user.areas.join(' ')}`.toLowerCase().includes(filter.trim().toLowerCase()));
  return (
    <main id="main" className="container my-5">
      <div className="d-flex justify-content-between align-items-start flex-wrap gap-2">
        <h1 className="h2">{t('signIn.title')}</h1>
        <div className="btn-group language-switch" role="group" aria-label={t('layout.language')}>
          {languages.map((language) => (
            <button key={language} type="button" lang={language} className={`btn btn-sm ${i18n.language === language ? 'btn-primary' : 'btn-outline-primary'}`} aria-pressed={i18n.language === language} onClick={() => setLanguage(language)}>
              {language.toUpperCase()}
            </button>
          ))}
        </div>
      </div>
      <p className="lead">{t('signIn.demoIntro')}</p>
      {error ? <ProblemAlert error={error} /> : null}
      <div className="form-group mt-4">
        <label htmlFor="demo-user-filter" className="active">
          {t('signIn.filter')}
        </label>
        <input id="demo-user-filter" type="search" className="form-control" value={filter} onChange={(event) => setFilter(event.target.value)} />
      </div>
      {users.isPending ? <PageLoading /> : users.isError ? <ProblemAlert error={users.error} /> : null}
      <ul className="list-unstyled row g-2" aria-label={t('signIn.users')}>
        {shown.map((user) => (
          <li key={user.id} className="col-12 col-md-6 col-lg-4">
            <button type="button" className="btn btn-outline-primary w-100 text-start" onClick={() => void signInAs(user.id)} data-user-id={user.id}>
              <strong className="d-block">{user.name}</strong>
              <span className="small d-block">
                {user.roles.map((role) => t(`roles.${role}`)).join(', ')} · {user.areas.join(', ')}
              </span>
              <code className="small">{user.id}</code>
            </button>
          </li>
        ))}
      </ul>
    </main>
  );
}
