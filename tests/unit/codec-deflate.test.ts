/**
 * The payload codec deflates large payload data before sealing it (a case's workflow input carries
 * its whole pathway definition), leaves small payloads alone, and still reads payloads sealed before
 * it deflated anything.
 */
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { seal } from '../../infra/codec/aes-gcm';
import { parseKeyRing } from '../../infra/codec/key-ring';
import { DEFLATE_FROM_BYTES, EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../infra/codec/payload-codec';
import { PersonKeyStore } from '../../infra/codec/person-key-store';
import type { Queryable } from '../../infra/db/pool';

const key = randomBytes(32);
const noDatabase = { query: async () => ({ rows: [] }) } as unknown as Queryable;
const codec = new EncryptionCodec(new PersonKeyStore(noDatabase, parseKeyRing(`k:${key.toString('base64')}`)));
const json = (text: string): Payload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(text) });
// A recorded case start: its input holds the pinned pathway definition.
const recorded = JSON.parse(readFileSync(path.join(__dirname, '../replay/histories/oss-reference-to-joint-plan.json'), 'utf8')) as {
  events: Array<{ workflowExecutionStartedEventAttributes?: { input: { payloads: Array<{ data: string }> } } }>;
};
const caseInput = Buffer.from(recorded.events[0].workflowExecutionStartedEventAttributes?.input.payloads[0].data ?? '', 'base64').toString('utf8');

describe('payload codec compression', () => {
  it('seals a workflow input with its pathway definition in under half its size, and reads it back whole', async () => {
    expect(caseInput.length).toBeGreaterThan(10_000);
    const [sealed] = await codec.encode([json(caseInput)]);
    expect(sealed.data?.length).toBeLessThan(caseInput.length / 2);
    const [decoded] = await codec.decode([sealed]);
    expect(Buffer.from(decoded.data ?? []).toString('utf8')).toBe(caseInput);
    expect(Buffer.from(decoded.metadata?.encoding ?? []).toString()).toBe('json/plain');
  });

  it('leaves a small payload undeflated (sealed, it is larger than its data)', async () => {
    const small = JSON.stringify({ note: 'x'.repeat(DEFLATE_FROM_BYTES - 100) });
    const [sealed] = await codec.encode([json(small)]);
    expect(sealed.data?.length).toBeGreaterThan(small.length);
    expect(Buffer.from((await codec.decode([sealed]))[0].data ?? []).toString('utf8')).toBe(small);
  });

  it('reads a large payload sealed before deflating existed', async () => {
    const inner = JSON.stringify({ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(caseInput).toString('base64') });
    const legacy: Payload = { metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from('k') }, data: seal(key, Buffer.from(inner), 'k') };
    const [decoded] = await codec.decode([legacy]);
    expect(Buffer.from(decoded.data ?? []).toString('utf8')).toBe(caseInput);
  });
});
