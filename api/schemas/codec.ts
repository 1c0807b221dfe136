/**
 * The Temporal remote codec protocol (what the Temporal UI and CLI send to a codec server):
 * Payloads in proto3 JSON, i.e. metadata values and data as base64.
 */
import { z } from 'zod';

const base64 = z.base64().max(4 * 1024 * 1024);

export const codecPayloadSchema = z.object({
  metadata: z.record(z.string().max(200), base64).optional(),
  data: base64.optional(),
});

export const codecPayloadsSchema = z
  .object({ payloads: z.array(codecPayloadSchema).max(1_000) })
  .meta({ id: 'CodecPayloads', description: 'Temporal Payloads in proto3 JSON (base64 metadata values and data).' });
export type CodecPayloads = z.infer<typeof codecPayloadsSchema>;

export const codecHeadersSchema = z.looseObject({
  'x-namespace': z.string().max(255).optional().describe('The Temporal namespace the payloads belong to (sent by the Temporal UI).'),
});
