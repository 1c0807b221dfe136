/**
 * Transfer requests between areas: the request as the sending and the receiving area see it, and
 * the bodies of the answers (derived from the domain command schemas).
 */
import { z } from 'zod';
import { refuseTransferSchema, withdrawTransferSchema } from '../../domain/case-commands';
import { transferStatuses, type TransferView } from '../../infra/db/transfer-repository';
import { isoDateTime, limitSchema, opaqueId } from './common';

export const refuseTransferBodySchema = refuseTransferSchema.pick({ reason: true }).meta({ id: 'RefuseTransfer', description: 'Why the receiving area declines: the sending area reads it.' });
export const withdrawTransferBodySchema = withdrawTransferSchema.pick({ reason: true }).meta({ id: 'WithdrawTransfer' });

export const transferParamsSchema = z.object({ caseId: opaqueId, transferId: opaqueId });

export const transferViewSchema = z
  .object({
    transferId: z.string(),
    caseId: z.string(),
    reference: z.string().describe('Pseudonymous case reference.'),
    pathwayKey: z.string(),
    caseAreaId: z.string().describe('Where the case is now: the sending area until the request is accepted.'),
    caseStatus: z.string(),
    fromAreaId: z.string(),
    toAreaId: z.string(),
    status: z.enum(transferStatuses),
    reason: z.string().nullable().describe('Why the sending area asks (null once the person is erased).'),
    requestedBy: z.string(),
    requestedAt: isoDateTime,
    answeredBy: z.string().nullable(),
    answeredAt: isoDateTime.nullable(),
    answerReason: z.string().nullable().describe('Why it was refused or withdrawn.'),
  })
  .meta({ id: 'Transfer' }) satisfies z.ZodType<TransferView>;

export const transferListSchema = z.object({ items: z.array(transferViewSchema) }).meta({ id: 'TransferList' });

export const transferListQuerySchema = z.object({
  direction: z.enum(['incoming', 'outgoing']).default('incoming').describe('incoming: requests into the areas you manage (to answer); outgoing: requests out of them.'),
  limit: limitSchema,
});
