/**
 * The data converter every Temporal client and worker of the system uses: the default payload
 * conversion with native UTF-8 (payload-converter.ts), failures with encoded messages, and the encryption codec.
 */
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './payload-codec';
import type { PersonKeyStore } from './person-key-store';

/** Module paths of the converters, for `bundleWorkflowCode` and prebuilt bundles (workers/worker.ts's workflowBundlerOptions). */
export const failureConverterPath = require.resolve('./failure-converter');
export const payloadConverterPath = require.resolve('./payload-converter');

/** The data converter for clients (`new Client({ dataConverter })`) and workers (`Worker.create({ dataConverter })`). */
export function encryptedDataConverter(keys: PersonKeyStore): DataConverter & { payloadCodecs: [EncryptionCodec] } {
  return { payloadConverterPath, failureConverterPath, payloadCodecs: [new EncryptionCodec(keys)] };
}
