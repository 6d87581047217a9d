import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createKafka } from '../infra/kafka-client.ts';
import { topicNames } from '../infra/topics.ts';
import {
  BufferFullError,
  CostEventProducer,
  UndeliveredEventsError,
} from '../producers/cost-event-producer.ts';
import { testLogger } from './helpers/infra.ts';

/** A port on 127.0.0.1 that nothing listens on: Kafka is away. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const call = (n: number) => ({
  tenantId: 'acme',
  touchpoint: 'support-chat',
  provider: 'openai',
  model: 'gpt-4o',
  usage: { inputTokens: n, outputTokens: 1 },
});

describe('the producer while Kafka is away', () => {
  it('queues all of a group of calls or none; hands back the undelivered on close', async () => {
    const kafka = createKafka({
      brokers: [`127.0.0.1:${await deadPort()}`],
      clientId: 'buffer-test',
      logger: testLogger,
    });
    const producer = new CostEventProducer({
      kafka,
      topics: topicNames('buffer.'),
      logger: testLogger,
      maxBufferedEvents: 10,
      maxBlockMs: 200,
    });
    const first = Array.from({ length: 8 }, (_, i) => call(i + 1));

    const { eventIds } = await producer.recordMany(first);
    const full = await producer.recordMany([call(9), call(10), call(11)]).catch((e) => e);
    const tooMany = await producer.recordMany(Array.from({ length: 11 }, call)).catch((e) => e);
    const closed = await producer.close(500).catch((e) => e);

    expect(full).toBeInstanceOf(BufferFullError);
    expect(full.message).toMatch(/no room for 3 more call\(s\): 8 of 10 .*none of them was queued/);
    expect(tooMany.message).toMatch(/11 calls, more than the buffer holds/);
    expect(producer.stats.recorded).toBe(8);
    expect(closed).toBeInstanceOf(UndeliveredEventsError);
    expect((closed as UndeliveredEventsError).events.map((e) => e.eventId)).toEqual(eventIds);
  });
});
