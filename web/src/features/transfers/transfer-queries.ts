/** Transfer requests as the console reads and answers them (`/transfers`, `/cases/{caseId}/transfers`). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { caseQueryKey } from '../cases/CaseSummary';

export type Transfer = Schemas['Transfer'];
/** Query key prefix of every transfer list: refetched after an answer. */
export const transfersQueryKey = ['transfers'] as const;

/** Pending requests into the areas I manage. */
export function useIncomingTransfers() {
  return useQuery({
    queryKey: [...transfersQueryKey, 'incoming'],
    queryFn: () => unwrap(api.GET('/transfers', { params: { query: { direction: 'incoming', limit: 100 } } })),
  });
}

/** A case's requests, newest first; under the case's own key, so every case command (a transfer request too) refreshes them. */
export function useCaseTransfers(caseId: string) {
  return useQuery({
    queryKey: [...caseQueryKey(caseId), 'transfers'],
    queryFn: () => unwrap(api.GET('/cases/{caseId}/transfers', { params: { path: { caseId } } })),
  });
}

type Answer = { verb: 'accept' } | { verb: 'refuse'; reason: string } | { verb: 'withdraw'; reason?: string };

/** Accepts, refuses or withdraws a request; every transfer list and the case's own views are refetched. */
export function useAnswerTransfer(transfer: Pick<Transfer, 'caseId' | 'transferId'>, onSuccess?: (result: Transfer) => void) {
  const queryClient = useQueryClient();
  const path = { caseId: transfer.caseId, transferId: transfer.transferId };
  return useMutation({
    mutationFn: (answer: Answer) => {
      if (answer.verb === 'accept') return unwrap(api.POST('/cases/{caseId}/transfers/{transferId}/accept', { params: { path } }));
      if (answer.verb === 'refuse') return unwrap(api.POST('/cases/{caseId}/transfers/{transferId}/refuse', { params: { path }, body: { reason: answer.reason } }));
      return unwrap(api.POST('/cases/{caseId}/transfers/{transferId}/withdraw', { params: { path }, body: answer.reason ? { reason: answer.reason } : {} }));
    },
    onSuccess: async (result) => {
      onSuccess?.(result);
      await queryClient.invalidateQueries();
    },
  });
}
