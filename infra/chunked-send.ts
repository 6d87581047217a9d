import type { Message, Producer } from 'kafkajs';

/**
 * Messages per produce request. kafkajs sorts a send's messages into
 * partitions by copying a partition's list for every message added to it
 * (groupMessagesPerPartition), which is quadratic in the messages per
 * partition: one send of 20,000 priced calls cost more than their encoding.
 * Sends of a few thousand keep it negligible and each partition's record
 * batch under the broker's 1 MB default.
 */
export const SEND_CHUNK = 1_000;

/**
 * Sends `messages` to `topic` in order, `chunk` at a time, each acknowledged
 * by all in-sync replicas. A failure part way leaves the earlier chunks
 * sent: callers resend the whole, and readers count each event id once.
 */
export async function sendInChunks(
  producer: Producer,
  topic: string,
  messages: Message[],
  chunk = SEND_CHUNK,
): Promise<void> {
  for (let start = 0; start < messages.length; start += chunk) {
    await producer.send({ topic, acks: -1, messages: messages.slice(start, start + chunk) });
  }
}
