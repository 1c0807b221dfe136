/** The Designers Italia breadcrumb of detail pages (every role's): links up to the current page, which is not a link. */
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

export function Breadcrumb({ items }: { items: Array<{ label: string; to?: string }> }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('layout.breadcrumb')} className="breadcrumb-container mb-2">
      <ol className="breadcrumb p-0">
        {items.map((item, index) => {
          const last = index === items.length - 1;
          return (
            <li key={`${index}-${item.label}`} className={`breadcrumb-item${last ? ' active' : ''}`} aria-current={last ? 'page' : undefined}>
              {item.to && !last ? <Link to={item.to}>{item.label}</Link> : item.label}
              {!last ? <span className="separator" aria-hidden="true">/</span> : null}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
