/**
 * The data converter every Temporal client and worker of the system uses: default payload
 * conversion, failures with encoded messages, and the encryption codec.
 */
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './payload-codec';
import type { PersonKeyStore } from './person-key-store';

/** Module path of the failure converter, for `bundleWorkflowCode` and prebuilt bundles. */
export const failureConverterPath = require.resolve('./failure-converter');

/** The data converter for clients (`new Client({ dataConverter })`) and workers (`Worker.create({ dataConverter })`). */
export function encryptedDataConverter(keys: PersonKeyStore): DataConverter & { payloadCodecs: [EncryptionCodec] } {
  return { failureConverterPath, payloadCodecs: [new EncryptionCodec(keys)] };
}
