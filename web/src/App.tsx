/**
 * The console's routes. Sign-in pages sit outside the session; everything else needs one. Each
 * role's screens load lazily, so a person downloads only what they use:
 * - operator: /console/inbox, /console/tasks/:taskId, /console/cases/new, /console/cases/:caseId, /console/persons,
 *   /console/referrals(/:referralId)
 * - everyone who reads cases: /console/cases (search)
 * - supervisor: /console/supervision/*
 * - coordinator: /console/pathways/*
 * - supervisor: /console/transfers (transfers into my areas to accept or refuse); operator: /console/absence (my absence cover)
 * - everyone signed in: /console/notifications (the notification centre; the header's bell counts what is unread)
 * Console paths never collide with API paths, which the same server answers.
 */
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { DemoSignInPage } from './auth/DemoSignInPage';
import { SessionProvider, useSession } from './auth/session';
import { PageLoading } from './components/feedback';
import { AppLayout, NotFoundPage } from './layout/AppLayout';

const InboxPage = lazy(() => import('./features/operator/InboxPage'));
const TaskPage = lazy(() => import('./features/operator/TaskPage'));
const CasePage = lazy(() => import('./features/operator/CasePage'));
const StartCasePage = lazy(() => import('./features/operator/StartCasePage'));
const PersonSearchPage = lazy(() => import('./features/persons/PersonSearchPage'));
const CaseSearchPage = lazy(() => import('./features/case-search/CaseSearchPage'));
const ReferralInboxPage = lazy(() => import('./features/referrals/ReferralInboxPage'));
const ReferralPage = lazy(() => import('./features/referrals/ReferralPage'));
const SupervisionRoutes = lazy(() => import('./features/supervisor/SupervisionRoutes'));
const PathwayRoutes = lazy(() => import('./features/coordinator/PathwayRoutes'));
const NotificationsPage = lazy(() => import('./features/notifications/NotificationsPage'));
const TransferInboxPage = lazy(() => import('./features/transfers/TransferInboxPage'));
const AbsenceCoverPage = lazy(() => import('./features/absence/AbsenceCoverPage'));

/** Where a person lands: their main screen by role. */
function Home() {
  const { hasRole } = useSession();
  if (hasRole('operator')) return <Navigate to="/console/inbox" replace />;
  if (hasRole('supervisor')) return <Navigate to="/console/supervision" replace />;
  if (hasRole('coordinator')) return <Navigate to="/console/pathways" replace />;
  return <NoScreensPage />;
}

/** Auditors (and anyone without a working role) have no screens here: say so rather than show refusals. */
function NoScreensPage() {
  const { t } = useTranslation();
  return (
    <>
      <h1 className="h2">{t('noScreens.title')}</h1>
      <p>{t('noScreens.text')}</p>
    </>
  );
}

export default function App() {
  return (
    <Routes>
      <Route path="/console/sign-in" element={<DemoSignInPage />} />
      <Route
        path="*"
        element={
          <SessionProvider>
            <AppLayout>
              <Suspense fallback={<PageLoading />}>
                <Routes>
                  <Route path="/" element={<Home />} />
                  <Route path="/console" element={<Home />} />
                  <Route path="/console/inbox" element={<InboxPage />} />
                  <Route path="/console/tasks/:taskId" element={<TaskPage />} />
                  <Route path="/console/cases" element={<CaseSearchPage />} />
                  <Route path="/console/cases/new" element={<StartCasePage />} />
                  <Route path="/console/cases/:caseId" element={<CasePage />} />
                  <Route path="/console/persons" element={<PersonSearchPage />} />
                  <Route path="/console/referrals" element={<ReferralInboxPage />} />
                  <Route path="/console/referrals/:referralId" element={<ReferralPage />} />
                  <Route path="/console/supervision/*" element={<SupervisionRoutes />} />
                  <Route path="/console/pathways/*" element={<PathwayRoutes />} />
                  <Route path="/console/notifications" element={<NotificationsPage />} />
                  <Route path="/console/transfers" element={<TransferInboxPage />} />
                  <Route path="/console/absence" element={<AbsenceCoverPage />} />
                  <Route path="*" element={<NotFoundPage />} />
                </Routes>
              </Suspense>
            </AppLayout>
          </SessionProvider>
        }
      />
    </Routes>
  );
}
