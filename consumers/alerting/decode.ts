import type { KafkaMessage } from 'kafkajs';
import { errorMessage } from '../../lib/errors.ts';
import { DecodeError, type AvroCodec } from '../../schemas/codec.ts';
import type { DecodeResult } from '../kit/batch-consumer.ts';

/** Decodes a message with a codec, or says why it cannot be, for the batch consumer. */
export function decodeWith<T>(codec: AvroCodec<T>, message: KafkaMessage): DecodeResult<T> {
  try {
    return { ok: true, value: codec.decode(message.value, message.headers) };
  } catch (error) {
    const reason = error instanceof DecodeError ? error.reason : 'undecodable';
    return { ok: false, reason, error: errorMessage(error) };
  }
}
