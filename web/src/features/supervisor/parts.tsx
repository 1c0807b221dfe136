/**
 * Small pieces the supervision screens share: their tab navigation, the area selector, a bar
 * drawn with CSS widths beside its written value.
 */
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { useSession } from '../../auth/session';
import { useFormat } from './format';

/** Tabs between the supervision screens (a navigation landmark of its own). */
export function SupervisionNav() {
  const { t } = useTranslation('supervisor');
  const tabs = [
    { to: '/console/supervision', label: t('nav.dashboard'), end: true },
    { to: '/console/supervision/bulk', label: t('nav.bulk'), end: false },
    { to: '/console/supervision/exports', label: t('nav.exports'), end: false },
  ];
  return (
    <nav aria-label={t('nav.label')} className="mb-4">
      <ul className="nav nav-tabs">
        {tabs.map((tab) => (
          <li className="nav-item" key={tab.to}>
            <NavLink to={tab.to} end={tab.end} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
              {tab.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The areas the actor may pick; '' means all of them. Hidden when there is only one. */
export function AreaSelect({ id, value, onChange, allowAll = true }: { id: string; value: string; onChange: (areaId: string) => void; allowAll?: boolean }) {
  const { t } = useTranslation('supervisor');
  const { actor } = useSession();
  const format = useFormat();
  if (actor.areas.length <= 1 && allowAll) return null;
  return (
    <div className="select-wrapper mb-3">
      <label htmlFor={id}>{t('area.label')}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {allowAll ? <option value="">{t('area.all')}</option> : null}
        {actor.areas.map((areaId) => (
          <option key={areaId} value={areaId}>
            {format.area(areaId)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A horizontal bar (decorative: the number beside it says the same). */
export function Bar({ value, max }: { value: number; max: number }) {
  const width = max > 0 ? Math.max(value > 0 ? 2 : 0, Math.round((value / max) * 100)) : 0;
  return (
    <div className="progress supervisor-bar" aria-hidden="true" style={{ height: '0.75rem', minWidth: '6rem' }}>
      <div className="progress-bar bg-primary" style={{ width: `${width}%` }} />
    </div>
  );
}
