/**
 * The colleagues who may cover me (same area, service and role, from the API's own rule), as a
 * required select with its error: shared by "my absence" and "hand to a colleague".
 */
import { useTranslation } from 'react-i18next';
import { FieldError } from '../../components/form-fields';
import { useCoverColleagues } from './absence-queries';

export function ColleagueSelect({ id, label, value, error, onChange }: { id: string; label: string; value: string; error: string | undefined; onChange: (value: string) => void }) {
  const { t } = useTranslation('loop');
  const colleagues = useCoverColleagues();
  return (
    <div className="select-wrapper mb-3">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        className={`form-select${error ? ' is-invalid' : ''}`}
        value={value}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="" disabled>
          {t('absence.choose')}
        </option>
        {(colleagues.data?.items ?? []).map((colleague) => (
          <option key={colleague.id} value={colleague.id}>
            {colleague.name}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
