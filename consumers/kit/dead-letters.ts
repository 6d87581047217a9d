import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { sendInChunks } from '../../infra/chunked-send.ts';
import { kafkaError } from '../../infra/kafka-errors.ts';

/** Headers a dead letter carries beside the original message's own. */
export const DLQ_HEADERS = {
  reason: 'llmcost-dlq-reason',
  error: 'llmcost-dlq-error',
  source: 'llmcost-dlq-source',
  at: 'llmcost-dlq-at',
} as const;

/** A message that cannot be processed, with a stable reason code and a readable error. */
export interface DeadLetter {
  message: KafkaMessage;
  partition: number;
  /** Stable, for filtering and metrics: `undecodable`, `invalid-field`, `future-timestamp` … */
  reason: string;
  error: string;
}

/**
 * Publishes dead letters to `<topic>.dlq`: the original key, value and
 * headers untouched, plus why and where from, so an operator can fix the
 * cause and replay the exact bytes.
 */
export async function publishDeadLetters(
  producer: Producer,
  sourceTopic: string,
  dlqTopic: string,
  letters: DeadLetter[],
): Promise<void> {
  const at = new Date().toISOString();
  const messages = letters.map((letter) => ({
    key: letter.message.key,
    value: letter.message.value,
    headers: {
      ...(letter.message.headers as IHeaders | undefined),
      [DLQ_HEADERS.reason]: letter.reason,
      [DLQ_HEADERS.error]: letter.error.slice(0, 500),
      [DLQ_HEADERS.source]: `${sourceTopic}/${letter.partition}/${letter.message.offset}`,
      [DLQ_HEADERS.at]: at,
    },
  }));

  // Small sends: a whole batch of bad messages in one request could pass the
  // broker's request size even though each message alone fits.
  try {
    await sendInChunks(producer, dlqTopic, messages, DEAD_LETTERS_PER_SEND);
  } catch (error) {
    throw kafkaError(error, 'publishing dead letters failed', { topic: dlqTopic });
  }
}

const DEAD_LETTERS_PER_SEND = 100;
