/**
 * Suggestions of colleagues for an assignee field: a `<datalist>` of the people who work in the
 * area (and service) from the staff directory, so a supervisor picks "Assistente sociale Grosseto"
 * rather than remembering a user id. The field stays free text: the API decides who may take a task.
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

/** `<input list={id}>` gets these suggestions; nothing renders until the directory answers. */
export function StaffSuggestions({ id, areaId, service }: { id: string; areaId?: string; service?: string }) {
  const query = { ...(areaId ? { areaId } : {}), ...(service ? { service } : {}) };
  const staff = useQuery({ queryKey: ['staff', query], queryFn: () => unwrap(api.GET('/staff', { params: { query } })), staleTime: 5 * 60_000 });
  return (
    <datalist id={id} data-testid="staff-suggestions">
      {(staff.data?.items ?? []).map((person) => (
        <option key={person.id} value={person.id} label={`${person.name} · ${person.services.join(', ')}`} />
      ))}
    </datalist>
  );
}
