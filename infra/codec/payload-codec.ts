/**
 * The PayloadCodec of every Temporal client and worker: AES-256-GCM over the whole payload
 * (metadata and data), with the key id in the outer metadata. A payload owned by a case workflow
 * (the SDK passes the owning workflow id as serialization context, also for its activities and
 * failures) is encrypted with the key of the case's person; anything else with the active master
 * key. Large payload data is deflated first (DEFLATE_FROM_BYTES). Decoding needs no context: the
 * key id says which key, and rotation only adds keys to the ring.
 */
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { open, seal } from './aes-gcm';
import type { DataKey, PersonKeyStore } from './person-key-store';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** `case-<uuid>` → `<uuid>`; the case workflow's id scheme (domain/case-messages.ts). */
export function caseIdOfWorkflowId(workflowId: string | undefined): string | null {
  const match = workflowId === undefined ? null : /^case-([0-9a-f-]{36})$/i.exec(workflowId);
  return match ? match[1] : null;
}

/**
 * Payload data from this size up is deflated before it is sealed. A case's workflow input carries
 * its whole pathway definition (about 17–25 KB of JSON, a fifth of that deflated); stored raw it made
 * every case start, history read and cold replay move and decrypt it in full, and the soak's Temporal
 * server wrote about 1.8 MB per started case. Small payloads (commands, answers) stay as they are.
 */
export const DEFLATE_FROM_BYTES = 1024;

/** The inner payload as bytes: JSON with base64 fields (no proto dependency needed), large data deflated. */
function serialise(payload: Payload): Buffer {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
  const data = payload.data ? Buffer.from(payload.data) : null;
  if (data !== null && data.length >= DEFLATE_FROM_BYTES) return utf8(JSON.stringify({ metadata, data: deflateRawSync(data, { level: 1 }).toString('base64'), deflated: true }));
  return utf8(JSON.stringify({ metadata, data: data === null ? null : data.toString('base64') }));
}

// Payloads sealed before DEFLATE_FROM_BYTES have no `deflated` field: they read as they were written.
function deserialise(bytes: Buffer): Payload {
  const parsed = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string | null; deflated?: boolean };
  const data = parsed.data === null ? null : Buffer.from(parsed.data, 'base64');
  return {
    metadata: Object.fromEntries(Object.entries(parsed.metadata).map(([key, value]) => [key, new Uint8Array(Buffer.from(value, 'base64'))])),
    data: data === null ? undefined : new Uint8Array(parsed.deflated ? inflateRawSync(data) : data),
  };
}

/** Whether a payload is one of ours (encrypted) and under which key. */
export function keyIdOf(payload: Payload): string | null {
  if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return null;
  return text(payload.metadata?.[KEY_ID_METADATA]) ?? null;
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: PersonKeyStore) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (payloads.length === 0) return payloads;
    const key = await this.keyFor(context);
    return payloads.map((payload) => this.encryptWith(key, payload));
  }

  /** Encrypts with the master key whatever the context (the remote codec's encode has no case). */
  encryptWithMasterKey(payloads: Payload[]): Payload[] {
    const key = this.keys.masterKey();
    return payloads.map((payload) => this.encryptWith(key, payload));
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    // What a case's workflow or activity decodes, it answers encrypted with the case's key: look that
    // key up in the same moment (a no-op when cached; an erased person's refusal comes at encode).
    const caseId = caseIdOfWorkflowId(context?.workflowId);
    if (caseId !== null && payloads.some((payload) => keyIdOf(payload) !== null)) this.keys.keyForCase(caseId).catch(() => undefined);
    return Promise.all(
      payloads.map(async (payload) => {
        const decoded = await this.tryDecode(payload);
        if (decoded === 'undecodable') throw new Error(`payload encrypted with key "${keyIdOf(payload)}", which is destroyed or not in the key ring`);
        return decoded;
      }),
    );
  }

  /** The decoded payload, the payload as it is when it is not encrypted, or 'undecodable' (key destroyed or unknown). */
  async tryDecode(payload: Payload): Promise<Payload | 'undecodable'> {
    const keyId = keyIdOf(payload);
    if (keyId === null) return payload;
    const key = await this.keys.keyById(keyId);
    if (!key || !payload.data) return 'undecodable';
    return deserialise(open(key, payload.data, keyId));
  }

  private async keyFor(context: SerializationContext | undefined): Promise<DataKey> {
    const caseId = caseIdOfWorkflowId(context?.workflowId);
    return caseId === null ? this.keys.masterKey() : this.keys.keyForCase(caseId);
  }

  private encryptWith({ keyId, key }: DataKey, payload: Payload): Payload {
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) },
      data: seal(key, serialise(payload), keyId),
    };
  }
}
