/**
 * The frame of every signed-in screen, after the Designers Italia header pattern: a slim bar
 * (organisation, language, person and sign-out), the product's name, and the navigation of the
 * screens the person's roles open. A skip link leads to the main content, which takes focus on
 * every navigation so screen-reader users hear the new page.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import { languages, setLanguage } from '../i18n';
import { NotificationBell } from '../features/notifications/NotificationBell';

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="btn-group language-switch" role="group" aria-label={t('layout.language')}>
      {languages.map((language) => (
        <button
          key={language}
          type="button"
          lang={language}
          className={`btn btn-sm ${i18n.language === language ? 'btn-light' : 'btn-outline-light'}`}
          aria-pressed={i18n.language === language}
          onClick={() => setLanguage(language)}
        >
          {language.toUpperCase()}
          <span className="visually-hidden"> {t(`layout.languages.${language}`)}</span>
        </button>
      ))}
    </div>
  );
}

/** Header, navigation and main landmark around a screen. */
export function AppLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { actor, hasRole, signOut } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  const links = [
    hasRole('operator') && { to: '/console/inbox', label: t('nav.inbox') },
    hasRole('operator', 'supervisor') && { to: '/console/referrals', label: t('nav.referrals') },
    hasRole('operator', 'supervisor', 'coordinator') && { to: '/console/cases', label: t('nav.cases'), end: true },
    hasRole('operator', 'supervisor') && { to: '/console/persons', label: t('nav.persons') },
    hasRole('supervisor', 'coordinator') && { to: '/console/supervision', label: t('nav.supervision') },
    hasRole('coordinator', 'supervisor') && { to: '/console/pathways', label: t('nav.pathways') },
    hasRole('supervisor') && { to: '/console/transfers', label: t('nav.transfers', { ns: 'loop' }) },
    hasRole('operator') && { to: '/console/absence', label: t('nav.absence', { ns: 'loop' }) },
  ].filter((link): link is { to: string; label: string; end?: boolean } => Boolean(link));

  return (
    <>
      <a className="visually-hidden-focusable skiplink-item btn btn-primary m-1" href="#main">
        {t('layout.skipToContent')}
      </a>
      <header className="it-header-wrapper">
        <div className="it-header-slim-wrapper">
          <div className="container">
            <div className="it-header-slim-wrapper-content d-flex align-items-center justify-content-between flex-wrap gap-2">
              <span className="d-none d-md-inline text-white">{t('layout.organisation')}</span>
              <div className="d-flex align-items-center gap-3 flex-wrap">
                <LanguageSwitch />
                <NotificationBell />
                <span className="text-white" data-testid="signed-in-as">
                  {actor.name} · {actor.roles.map((role) => t(`roles.${role}`)).join(', ')}
                </span>
                <button type="button" className="btn btn-sm btn-outline-light" onClick={() => void signOut()}>
                  {t('layout.signOut')}
                </button>
              </div>
            </div>
          </div>
        </div>
        <div className="it-header-center-wrapper it-small-header">
          <div className="container">
            <div className="it-header-center-content-wrapper">
              <div className="it-brand-wrapper">
                <NavLink to="/" className="text-white text-decoration-none">
                  <div className="it-brand-text">
                    <div className="it-brand-title">Reticulate</div>
                    <div className="it-brand-tagline d-none d-md-block">{t('layout.tagline')}</div>
                  </div>
                </NavLink>
              </div>
            </div>
          </div>
        </div>
        <div className="it-header-navbar-wrapper">
          <div className="container">
            {/* A plain wrapping list rather than bootstrap-italia's collapsing navbar: two or three
                entries fit on a tablet, and a hidden menu would cost a tap on every screen change. */}
            <nav aria-label={t('layout.mainNavigation')}>
              <ul className="nav console-nav">
                {links.map((link) => (
                  <li className="nav-item" key={link.to}>
                    <NavLink to={link.to} end={link.end} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
                      {link.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="container my-4">
        {children}
      </main>
    </>
  );
}

/** A console address that leads nowhere. */
export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <>
      <h1 className="h3">{t('notFound.title')}</h1>
      <p>{t('notFound.text')}</p>
      <NavLink to="/">{t('notFound.home')}</NavLink>
    </>
  );
}
