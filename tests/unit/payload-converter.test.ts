/**
 * The system's payload converter writes exactly the bytes the SDK's default converter writes and
 * reads what it wrote, so histories written before it replay and decode to the same values.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { payloadConverter } from '../../infra/codec/payload-converter';

const recorded = JSON.parse(readFileSync(path.join(__dirname, '../replay/histories/oss-reference-to-joint-plan.json'), 'utf8')) as {
  events: Array<{ workflowExecutionStartedEventAttributes?: { input: { payloads: Array<{ data: string }> } } }>;
};
const caseInput: unknown = JSON.parse(Buffer.from(recorded.events[0].workflowExecutionStartedEventAttributes?.input.payloads[0].data ?? '', 'base64').toString('utf8'));

const values: Array<[string, unknown]> = [
  ['a case input with its pathway definition', caseInput],
  ['accents, emoji and CJK', { note: 'Località: Città di Castello — “ok” 👍🏽 東京', n: 1.5, list: [null, true, 'è'] }],
  ['lone surrogates', { broken: '\ud800 and \udfff alone', pair: '\ud83d\ude00' }],
  ['control characters', '\u0000\u001f\u2028\u2029'],
  ['a bare number', 42],
  ['null', null],
];

const bytes = (payload: Payload): Buffer => Buffer.from(payload.data ?? new Uint8Array());
const metadata = (payload: Payload): Record<string, string> => Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));

describe('payload converter (native UTF-8)', () => {
  it.each(values)('writes the same bytes as the SDK default for %s, and reads both back', (_label, value) => {
    const ours = payloadConverter.toPayload(value);
    const sdk = defaultPayloadConverter.toPayload(value);
    expect(metadata(ours)).toEqual(metadata(sdk));
    expect(bytes(ours).equals(bytes(sdk))).toBe(true);
    expect(payloadConverter.fromPayload(sdk)).toEqual(value);
    expect(defaultPayloadConverter.fromPayload(ours)).toEqual(value);
  });

  it('keeps undefined and bytes to their own converters, and refuses what JSON cannot hold', () => {
    expect(metadata(payloadConverter.toPayload(undefined))).toEqual({ encoding: 'binary/null' });
    expect(metadata(payloadConverter.toPayload(new Uint8Array([1, 2])))).toEqual({ encoding: 'binary/plain' });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => payloadConverter.toPayload(cycle)).toThrow();
    expect(() => payloadConverter.fromPayload({ metadata: { encoding: Buffer.from('json/plain') } })).toThrow('no data');
  });
});
