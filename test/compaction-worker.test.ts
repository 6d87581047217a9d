import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaMessage } from 'kafkajs';
import { loadAllBranches, loadAllConversations } from '../compaction-worker/datasets/load-all.ts';
import { findViolations } from '../compaction-worker/strategies/validator.ts';
import { STRATEGY_NAMES, type StrategyName } from '../compaction-worker/strategies/types.ts';
import { TokenCounting } from '../compaction-worker/tokens/token-counting.ts';
import type { CompactionWorker } from '../compaction-worker/worker/compaction-worker.ts';
import type { CompactionProgress } from '../compaction-worker/worker/progress.ts';
import {
  strategyInput,
  type CompactionRequest,
  type CompactionResult,
} from '../compaction-worker/worker/request.ts';
import type { TopicNames } from '../infra/topics.ts';
import { AvroCodec } from '../schemas/codec.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import {
  header,
  newRequest,
  resultReader,
  sendRequests,
  startWorker,
  TopicReader,
  wire,
} from './compaction-helpers.ts';
import { freshTopics, testKafka } from './helpers/infra.ts';

const kafka = testKafka('compaction-worker-test');
const counting = new TokenCounting();
let topics: TopicNames;
let worker: CompactionWorker;
let results: TopicReader<CompactionResult>;

beforeAll(async () => {
  topics = await freshTopics(kafka, 3);
  worker = await startWorker(kafka, topics, counting);
  results = await resultReader(kafka, topics).start();
});

afterAll(async () => {
  await results?.stop();
  await worker?.stop();
  counting.close();
});

const PATH_OPTIONS: Record<string, Record<string, unknown>> = {
  'sliding-window': { summarise: true },
  semantic: {},
  hybrid: { summarise: true },
  none: {},
};

describe('all eight strategies through the topics on the real conversations', () => {
  it('answers every request with a result that passes the validator', async () => {
    const meter = counting.meter('gpt-4o');
    const requests: CompactionRequest[] = [];
    for (const strategy of STRATEGY_NAMES) {
      if (strategy.startsWith('merge')) {
        for (const pair of loadAllBranches()) {
          const size = meter.conversation([...pair.main, ...pair.branch]);
          requests.push(
            newRequest({
              strategy,
              main: pair.main,
              branch: pair.branch,
              tokenBudget: Math.floor(size * 0.6),
            }),
          );
        }
        continue;
      }
      for (const conversation of loadAllConversations()) {
        const size = meter.conversation(conversation.messages, conversation.tools);
        requests.push(
          newRequest({
            strategy,
            options: PATH_OPTIONS[strategy],
            messages: conversation.messages,
            tools: conversation.tools,
            tokenBudget: Math.floor(size / 2),
          }),
        );
      }
    }
    await sendRequests(kafka, topics, requests);

    const ids = new Set(requests.map((request) => request.requestId));
    const received = await results.waitFor(
      'every result',
      (r) => ids.has(r.requestId),
      requests.length,
    );
    const byId = new Map(received.map((result) => [result.requestId, result]));
    const summary = new Map<string, { count: number; before: number; after: number }>();
    for (const request of requests) {
      const result = byId.get(request.requestId)!;
      expect(result.status, result.error ?? '').toBe('ok');
      const outcome = { ...result, reason: result.reason ?? undefined };
      expect(
        findViolations(request.strategy as StrategyName, strategyInput(request), outcome, meter),
      ).toEqual([]);
      const figures = summary.get(request.strategy) ?? { count: 0, before: 0, after: 0 };
      summary.set(request.strategy, {
        count: figures.count + 1,
        before: figures.before + result.tokensBefore,
        after: figures.after + result.tokensAfter,
      });
    }
    expect([...summary.keys()].sort()).toEqual([...STRATEGY_NAMES].sort());
    process.stdout.write(
      `\nthrough the topics:\n${[...summary]
        .map(
          ([name, f]) =>
            `  ${name.padEnd(17)} ${f.count} requests, ${f.before} → ${f.after} tokens`,
        )
        .join('\n')}\n`,
    );
  });
});

describe('the worker loop', () => {
  it('processes a request id once, however often it arrives', async () => {
    const conversationId = 'same-partition';
    const repeated = newRequest({ conversationId, messages: [{ role: 'user', content: 'hi' }] });
    const marker = newRequest({ conversationId, messages: [{ role: 'user', content: 'later' }] });
    await sendRequests(kafka, topics, [repeated, repeated, repeated, marker]);

    await results.waitFor('the later request', (r) => r.requestId === marker.requestId);
    expect(results.items.filter((r) => r.requestId === repeated.requestId)).toHaveLength(1);
    expect(worker.stats.duplicates).toBeGreaterThanOrEqual(2);
  });

  it('sends poison requests to the dead-letter topic with their reason', async () => {
    const invalid = newRequest({ messages: [{ role: 'robot' } as never] });
    const unknown = newRequest({ strategy: 'merge-everything', messages: [] });
    const encodedUnknown = await wire.encodeRequest(unknown).catch(() => undefined);
    expect(encodedUnknown).toBeDefined();
    await sendRequests(
      kafka,
      topics,
      [invalid, unknown],
      [
        {
          key: 'x',
          value: Buffer.from('not avro'),
          headers: { 'llmcost-schema': 'compaction-request.v1' },
        },
        { key: 'y', value: Buffer.from('no header') },
      ],
    );

    const letters = await new TopicReader<KafkaMessage>(
      kafka,
      topics.compactionRequestsDlq,
      (m) => m,
    ).start();
    const found = await letters.waitFor('four dead letters', () => true, 4);
    await letters.stop();
    expect(found.map((m) => header(m, 'llmcost-dlq-reason')).sort()).toEqual([
      'invalid-request:unknown_strategy',
      'invalid-request:validation',
      'missing-schema-header',
      'undecodable',
    ]);

    const failed = await results.waitFor(
      'failed results',
      (r) => r.requestId === invalid.requestId || r.requestId === unknown.requestId,
      2,
    );
    expect(failed.every((r) => r.status === 'failed')).toBe(true);
    expect(failed.find((r) => r.requestId === unknown.requestId)?.error).toMatch(
      /known strategies: none/,
    );
    expect(failed.find((r) => r.requestId === invalid.requestId)?.error).toMatch(
      /messages\.0\.role/,
    );
  });

  it('publishes progress: started, then finished', async () => {
    const codec = new AvroCodec<CompactionProgress>(new SchemaRegistry(), 'compaction-progress');
    const request = newRequest({ messages: [{ role: 'user', content: 'progress please' }] });
    await sendRequests(kafka, topics, [request]);
    const progress = await new TopicReader(kafka, topics.compactionProgress, (m) =>
      codec.decode(m.value, m.headers),
    ).start();
    const events = await progress.waitFor(
      'start and end',
      (e) => e.requestId === request.requestId,
      2,
    );
    await progress.stop();
    expect(events.map((event) => event.stage)).toEqual(['started', 'finished']);
  });

  it('carries a request of more than 8 MB compressed through the topics', async () => {
    const noise = crypto.randomBytes(9 * 1024 * 1024);
    const png = Buffer.concat([
      Buffer.from('89504e470d0a1a0a0000000d49484452000004000000040008', 'hex'),
      noise,
    ]);
    const request = newRequest({
      strategy: 'sliding-window',
      tokenBudget: 100,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'image_url',
              image_url: { url: `data:image/png;base64,${png.toString('base64')}` },
            },
          ],
        },
        { role: 'assistant', content: 'a picture of noise' },
        { role: 'user', content: 'and now?' },
      ],
    });
    const encoded = await wire.encodeRequest(request);
    expect(encoded.value.length).toBeGreaterThan(8 * 1024 * 1024);
    await sendRequests(kafka, topics, [request]);

    const [result] = await results.waitFor(
      'the large result',
      (r) => r.requestId === request.requestId,
    );
    expect(result!.status).toBe('ok');
    expect(result!.messages.map((m) => m.content)).toEqual(['a picture of noise', 'and now?']);
    expect(result!.dropped).toEqual(['#0']);
  });
});
