/**
 * Payload converter of clients and workers (loaded by path, so it also runs in the workflow sandbox):
 * the SDK's default conversion (undefined, bytes, JSON) with the runtime's native UTF-8 encoder and
 * decoder. The SDK's own JSON converter turns every JSON text into bytes and back with a UTF-8
 * codec written in JavaScript (it cannot assume a TextEncoder everywhere), a per-character loop over
 * every workflow input, Update argument and result, on the API, in the worker and in every replay.
 * Node has native ones, and the SDK gives them to the workflow sandbox too.
 *
 * The bytes are the same: `JSON.stringify` escapes lone surrogates, so its text is always
 * well-formed and both encoders write the same UTF-8; payloads in histories written before decode
 * to the same values.
 */
import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  JsonPayloadConverter,
  METADATA_ENCODING_KEY,
  UndefinedPayloadConverter,
  ValueError,
  encodingKeys,
  type Payload,
} from '@temporalio/common';

const utf8 = { encoder: new TextEncoder(), decoder: new TextDecoder() };

class NativeUtf8JsonPayloadConverter extends JsonPayloadConverter {
  override toPayload(value: unknown): Payload | undefined {
    // What JSON cannot represent (undefined, cycles) is left to the next converter, as the SDK's does.
    if (value === undefined) return undefined;
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return undefined;
    }
    return { metadata: { [METADATA_ENCODING_KEY]: encodingKeys.METADATA_ENCODING_JSON }, data: utf8.encoder.encode(json) };
  }

  override fromPayload<T>(content: Payload): T {
    if (content.data === undefined || content.data === null) throw new ValueError('Got payload with no data');
    return JSON.parse(utf8.decoder.decode(content.data)) as T;
  }
}

export const payloadConverter = new CompositePayloadConverter(new UndefinedPayloadConverter(), new BinaryPayloadConverter(), new NativeUtf8JsonPayloadConverter());
