/**
 * The coordinator's screens under /console/pathways: the pathways and their versions, a version's
 * read-only view with its graph, the draft editor with live validation, the diff between versions,
 * and the migration of open cases. Only this lazy chunk (and the graph's own) loads the graph
 * libraries.
 */
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../../layout/AppLayout';
import DiffPage from './DiffPage';
import DraftEditorPage from './DraftEditorPage';
import MigrationPage from './MigrationPage';
import PathwayListPage from './PathwayListPage';
import VersionPage from './VersionPage';

export default function PathwayRoutes() {
  return (
    <Routes>
      <Route index element={<PathwayListPage />} />
      <Route path=":key/draft" element={<DraftEditorPage />} />
      <Route path=":key/versions/:version" element={<VersionPage />} />
      <Route path=":key/diff" element={<DiffPage />} />
      <Route path=":key/migrations" element={<MigrationPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
