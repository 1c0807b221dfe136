/**
 * The area manager's screens, under /console/supervision: the dashboard of their areas with the
 * stalled cases, a case's drill-down with single interventions, bulk reassign / extend with a dry
 * run and the job's progress, and the CSV exports and funders' indicators.
 */
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../../layout/AppLayout';
import { BulkPage } from './BulkPage';
import { CaseDrillDownPage } from './CaseDrillDownPage';
import { DashboardPage } from './DashboardPage';
import { ExportsPage } from './ExportsPage';

export default function SupervisionRoutes() {
  return (
    <Routes>
      <Route index element={<DashboardPage />} />
      <Route path="cases/:caseId" element={<CaseDrillDownPage />} />
      <Route path="bulk" element={<BulkPage />} />
      <Route path="exports" element={<ExportsPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
