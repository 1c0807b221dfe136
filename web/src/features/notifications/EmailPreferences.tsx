/**
 * My notification emails: their language (Italian by default) and the default rules that apply to
 * me, each of which I may silence for email (the centre still lists what they match).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemAlert } from '../../components/feedback';

const preferencesKey = ['me', 'notification-preferences'] as const;
type Preferences = Schemas['NotificationPreferences'];
type Locale = Preferences['locale'];

/** The form, started from the saved choices. */
function PreferencesForm({ saved }: { saved: Preferences }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [locale, setLocale] = useState<Locale>(saved.locale);
  const [muted, setMuted] = useState<string[]>(saved.mutedRules);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/me/notification-preferences', { body: { locale, mutedRules: muted } })),
    onSuccess: (data) => client.setQueryData(preferencesKey, data),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  const rules = saved.rules.filter((rule) => rule.appliesToYou && rule.email);
  return (
    <form onSubmit={submit}>
      <div className="select-wrapper mb-3" style={{ maxWidth: '20rem' }}>
        <label htmlFor="email-locale">{t('notifications.email.language')}</label>
        <select id="email-locale" value={locale} onChange={(event) => setLocale(event.target.value as Locale)}>
          <option value="it">{t('layout.languages.it')}</option>
          <option value="en">{t('layout.languages.en')}</option>
        </select>
      </div>
      <fieldset className="mb-3">
        <legend className="h6">{t('notifications.email.rules')}</legend>
        {rules.map((rule) => (
          <div className="form-check" key={rule.ruleKey}>
            <input
              id={`rule-${rule.ruleKey}`}
              type="checkbox"
              checked={!muted.includes(rule.ruleKey)}
              onChange={(event) => setMuted(event.target.checked ? muted.filter((key) => key !== rule.ruleKey) : [...muted, rule.ruleKey])}
            />
            <label htmlFor={`rule-${rule.ruleKey}`}>{t(`notifications.rules.${rule.ruleKey}`, { defaultValue: rule.ruleKey })}</label>
          </div>
        ))}
      </fieldset>
      <button type="submit" className="btn btn-primary" disabled={save.isPending}>
        {t('save')}
      </button>
      {save.isSuccess && (
        <span className="ms-3" role="status">
          {t('notifications.email.saved')}
        </span>
      )}
      {save.isError && <ProblemAlert error={save.error} />}
    </form>
  );
}

export function EmailPreferences() {
  const { t } = useTranslation();
  const preferences = useQuery({ queryKey: preferencesKey, queryFn: () => unwrap(api.GET('/me/notification-preferences')) });
  return (
    <section aria-labelledby="email-preferences" className="mt-4">
      <h2 id="email-preferences" className="h4">
        {t('notifications.email.title')}
      </h2>
      {preferences.isError && <ProblemAlert error={preferences.error} />}
      {preferences.data && <PreferencesForm saved={preferences.data} />}
    </section>
  );
}
