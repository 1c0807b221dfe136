/**
 * Sign-in with OAuth 2.0 authorization code + PKCE (oidc-client-ts) against whichever issuer the
 * API names in `/console-config`: an OIDC provider, or in embedded mode the API's own issuer,
 * whose sign-in page lets you pick a demo user. The token lives in sessionStorage (per tab, gone
 * when the tab closes); `useSession()` gives the actor from `/me`.
 */
import { useQuery } from '@tanstack/react-query';
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, configureAuth, unwrap, type Schemas } from '../api/client';
import { PageLoading, ProblemAlert } from '../components/feedback';

export type Actor = Schemas['Actor'];
export type Role = Actor['roles'][number];

export type ConsoleConfig = Schemas['ConsoleConfig'];

export const callbackPath = '/console/callback';

interface Session {
  actor: Actor;
  config: ConsoleConfig;
  signOut: () => Promise<void>;
  /** True if the actor has any of these roles (admin counts as every role). */
  hasRole: (...roles: Role[]) => boolean;
}

const SessionContext = createContext<Session | null>(null);

/** The signed-in actor and what they may see; only inside `<SessionProvider>`. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/console-config', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`console configuration: HTTP ${response.status}`);
  return (await response.json()) as ConsoleConfig;
}

function userManagerFor(config: ConsoleConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: `${origin}${callbackPath}`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: config.scope,
    loadUserInfo: false,
    automaticSilentRenew: false,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

/** Where to go back to after sign-in (the page the person asked for). */
function currentLocation(): string {
  return `${window.location.pathname}${window.location.search}${window.location.hash}`;
}

type Ready = { config: ConsoleConfig; manager: UserManager; user: User; returnTo?: string };
type Phase = { kind: 'loading' } | ({ kind: 'ready' } & Ready) | { kind: 'failed'; error: unknown };

/** Finishes a sign-in coming back from the issuer, or finds the tab's session, or leaves for the issuer (null). */
async function establishSession(): Promise<Ready | null> {
  const config = await loadConfig();
  // The embedded issuer's only redirect URI is on its own origin (e.g. 127.0.0.1, not localhost).
  if (config.consoleOrigin && config.consoleOrigin !== window.location.origin) {
    window.location.replace(`${config.consoleOrigin}${currentLocation()}`);
    return null;
  }
  const manager = userManagerFor(config);
  if (window.location.pathname === callbackPath) {
    const user = await manager.signinRedirectCallback();
    const returnTo = typeof user.state === 'string' && user.state.startsWith('/') && !user.state.startsWith('//') ? user.state : '/';
    return { config, manager, user, returnTo };
  }
  const user = await manager.getUser();
  if (user && !user.expired) return { config, manager, user };
  await manager.signinRedirect({ state: currentLocation() });
  return null;
}

// Once per page load, even when React mounts the provider twice (StrictMode): a callback's code is single-use.
let session: Promise<Ready | null> | null = null;

/** Signs the person in (redirecting to the issuer when needed) and provides the session. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const navigate = useNavigate();

  useEffect(() => {
    let cancelled = false;
    session ??= establishSession();
    session.then(
      (ready) => {
        if (cancelled || !ready) return;
        // The way back is taken once: this effect runs again whenever the router's navigate changes.
        const { returnTo } = ready;
        ready.returnTo = undefined;
        if (returnTo) void navigate(returnTo, { replace: true });
        setPhase((current) => (current.kind === 'ready' ? current : { kind: 'ready', ...ready }));
      },
      (error: unknown) => {
        if (!cancelled) setPhase({ kind: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [navigate]);

  if (phase.kind === 'failed') return <SignInFailed error={phase.error} />;
  if (phase.kind === 'loading') return <PageLoading />;
  return <ActorLoader config={phase.config} manager={phase.manager} user={phase.user}>{children}</ActorLoader>;
}

function ActorLoader({ config, manager, user, children }: { config: ConsoleConfig; manager: UserManager; user: User; children: ReactNode }) {
  configureAuth(user.access_token, () => {
    void manager.removeUser().then(() => manager.signinRedirect({ state: currentLocation() }));
  });
  const me = useQuery({ queryKey: ['me'], queryFn: () => unwrap(api.GET('/me')), staleTime: Infinity });
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <SignInFailed error={me.error} />;
  const actor = me.data;
  const session: Session = {
    actor,
    config,
    signOut: async () => {
      configureAuth(null, () => undefined);
      // At a provider, end its session too: on a shared office PC the next person must not be signed in as this one.
      if (config.consoleOrigin === null) {
        const ended = await manager.signoutRedirect({ id_token_hint: user.id_token }).then(
          () => true,
          () => false,
        );
        if (ended) return;
      }
      await manager.removeUser();
      window.location.assign('/');
    },
    hasRole: (...roles) => actor.roles.includes('admin') || roles.some((role) => actor.roles.includes(role)),
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

function SignInFailed({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return (
    <main className="container my-5" id="main">
      <h1 className="h3">{t('signIn.failedTitle')}</h1>
      <ProblemAlert error={error} />
      <a className="btn btn-primary" href="/">
        {t('signIn.retry')}
      </a>
    </main>
  );
}
