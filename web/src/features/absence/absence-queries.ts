/** Absence covers and handing a task on, as the console reads and sends them (`/absence-covers`, `/tasks/{taskId}/hand`). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';

export type AbsenceCover = Schemas['AbsenceCover'];
const coversQueryKey = ['absence-covers'] as const;

/** My covers: where I am absent and where I cover. */
export function useMyCovers() {
  return useQuery({ queryKey: [...coversQueryKey, 'mine'], queryFn: () => unwrap(api.GET('/absence-covers', { params: { query: {} } })) });
}

/** The colleagues who may cover me (same area, service and role). */
export function useCoverColleagues() {
  return useQuery({ queryKey: [...coversQueryKey, 'colleagues'], queryFn: () => unwrap(api.GET('/absence-covers/colleagues', { params: { query: {} } })) });
}

/** Sets or ends a cover; everything is refetched (tasks may have been handed on). */
export function useCoverCommand<Input>(run: (input: Input) => Promise<AbsenceCover>, onSuccess?: (cover: AbsenceCover) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async (cover) => {
      onSuccess?.(cover);
      await queryClient.invalidateQueries();
    },
  });
}

export const setCover = (body: { colleagueId: string; from: string; to: string }) => unwrap(api.POST('/absence-covers', { body }));
export const endCover = (coverId: string) => unwrap(api.POST('/absence-covers/{coverId}/end', { params: { path: { coverId } } }));
export const handTask = (taskId: string, body: { assigneeId: string; reason: string }) => unwrap(api.POST('/tasks/{taskId}/hand', { params: { path: { taskId } }, body }));
