/**
 * The case-level commands as the console sends them, and the refresh every one of them needs (the
 * case, its timeline, the inbox). A transfer goes through `requestTransfer` alone, so when the API
 * turns transfers into a request the receiving area accepts, only this call changes.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { inboxQueryKey } from '../operator/query-keys';
import { referralsQueryKey } from '../referrals/query-keys';
import { caseQueryKey } from './CaseSummary';
import { timelineQueryKey } from './CaseTimeline';

type CaseDetail = Schemas['CaseDetail'];

/** Asks to move the case to another area: it moves once a manager of that area accepts (features/transfers). */
export function requestTransfer(caseId: string, body: { areaId: string; reason: string }): Promise<CaseDetail> {
  return unwrap(api.POST('/cases/{caseId}/transfer', { params: { path: { caseId } }, body }));
}

/** A mutation running one case command; on success the case, its timeline and inboxes are refetched. */
export function useCaseCommand<Input>(caseId: string, run: (input: Input) => Promise<CaseDetail>, onSuccess?: (result: CaseDetail) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async (result) => {
      onSuccess?.(result);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: caseQueryKey(caseId) }),
        queryClient.invalidateQueries({ queryKey: timelineQueryKey(caseId) }),
        queryClient.invalidateQueries({ queryKey: inboxQueryKey }),
        queryClient.invalidateQueries({ queryKey: referralsQueryKey }),
      ]);
    },
  });
}
