import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompactionApi, type CompactionApi } from '../api/compaction/compaction-api.ts';
import { loadAllConversations } from '../compaction-worker/datasets/load-all.ts';
import { ModelBackend } from '../compaction-worker/llm/model-backend.ts';
import { findViolations } from '../compaction-worker/strategies/validator.ts';
import {
  startFakeChatServer,
  type FakeChatServer,
} from '../compaction-worker/testing/fake-chat-server.ts';
import { TokenCounting } from '../compaction-worker/tokens/token-counting.ts';
import type { CompactionWorker } from '../compaction-worker/worker/compaction-worker.ts';
import { strategyInput, type CompactionResult } from '../compaction-worker/worker/request.ts';
import type { TopicNames } from '../infra/topics.ts';
import { startTestApi, type TestApi } from './api-harness.ts';
import { newRequest, resultReader, startWorker, type TopicReader } from './compaction-helpers.ts';
import { freshStore, freshTopics, testKafka, testLogger, waitFor } from './helpers/infra.ts';
import { answerCheck, type AnswerCheck } from './helpers/openapi-check.ts';

const MODEL = 'gpt-4o-mini';
const kafka = testKafka('api-compaction-test');
const counting = new TokenCounting();
const conversation = loadAllConversations().find(
  (c) => c.source === 'tau-bench' && c.messages.length > 40,
)!;

interface ServerEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a stream of server-sent events to its end; comment lines are skipped. */
async function readEvents(response: Response): Promise<ServerEvent[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() && !block.startsWith(':'))
    .map((block) => {
      const lines = block.split('\n').filter((line) => !line.startsWith(':'));
      const field = (name: string) =>
        lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
      return { event: field('event'), data: JSON.parse(field('data')) as Record<string, unknown> };
    });
}

describe('compaction over HTTP, through the topics and a real worker', () => {
  let topics: TopicNames;
  let store: Awaited<ReturnType<typeof freshStore>>;
  let chat: FakeChatServer;
  let release: () => void;
  let worker: CompactionWorker;
  let compaction: CompactionApi;
  let api: TestApi;
  let check: AnswerCheck;
  let results: TopicReader<CompactionResult>;
  let acmeKey: string;
  let globexKey: string;

  const body = (fields: Record<string, unknown> = {}) => ({
    conversationId: crypto.randomUUID(),
    strategy: 'none',
    tokenBudget: 100_000,
    model: MODEL,
    messages: conversation.messages.slice(0, 6),
    ...fields,
  });
  const submit = (fields: Record<string, unknown>, key?: string) =>
    api.send('POST', '/api/compaction', { key, body: body(fields) });

  beforeAll(async () => {
    topics = await freshTopics(kafka, 3);
    store = await freshStore();
    const held = new Promise<void>((resolve) => (release = resolve));
    chat = await startFakeChatServer({ meter: counting.meter(MODEL), hold: held });
    const model = new ModelBackend(
      {
        url: chat.url,
        model: MODEL,
        apiKey: undefined,
        provider: 'openai',
        contextTokens: 128_000,
        timeoutMs: 120_000,
      },
      counting,
    );
    worker = await startWorker(kafka, topics, counting, { model });
    compaction = await startCompactionApi({
      kafka,
      topics,
      logger: testLogger,
      routes: { heartbeatMs: 100 },
    });
    api = await startTestApi(store, compaction.routes);
    check = await answerCheck(api.url);
    results = await resultReader(kafka, topics).start();
    acmeKey = (await api.keys.create({ tenantId: 'acme', grants: [], label: '' })).key;
    globexKey = (await api.keys.create({ tenantId: 'globex', grants: [], label: '' })).key;
  });

  afterAll(async () => {
    release?.();
    await results?.stop();
    await api?.close();
    await compaction?.stop();
    await worker?.stop();
    await chat?.close();
    await store?.close();
    counting.close();
  });

  it('follows a request from queued to running to its result, by state and by events', async () => {
    // A summarising compaction whose model call is held, then a second request of the
    // same conversation, which waits behind it on its partition.
    const conversationId = crypto.randomUUID();
    const running = await submit({
      conversationId,
      strategy: 'sliding-window',
      options: { summarise: true },
      tokenBudget: 2_000,
      messages: conversation.messages,
      tenantId: 'acme',
    });
    expect(running.status).toBe(202);
    expect(check('POST', '/api/compaction', 202, running.body)).toBe('');
    const runningId = String(running.body.requestId);
    expect(running.body).toMatchObject({
      tenantId: 'acme',
      status: 'queued',
      statusUrl: `/api/compaction/${runningId}`,
      eventsUrl: `/api/compaction/${runningId}/events`,
    });

    const progress = await waitFor('the first request to run', async () => {
      const response = await api.get(`/api/compaction/${runningId}`);
      const state = (await response.json()) as { status: string; progress?: { stage: string } };
      return state.status === 'running' ? { status: response.status, state } : undefined;
    });
    expect(progress.status).toBe(202);
    expect(check('GET', '/api/compaction/{requestId}', 202, progress.state)).toBe('');
    // The worker may already have selected what to keep; the model call it then holds on.
    const BEFORE_RELEASE = ['started', 'selected', 'summarising'];
    expect(progress.state).toMatchObject({ progress: { tenantId: 'acme' } });
    expect(BEFORE_RELEASE).toContain(progress.state.progress?.stage);

    const queued = await submit({ conversationId }, acmeKey);
    const queuedId = String(queued.body.requestId);
    const waiting = await api.get(`/api/compaction/${queuedId}`, { key: acmeKey });
    expect(waiting.status).toBe(202);
    expect(await waiting.json()).toEqual({ requestId: queuedId, status: 'queued', progress: null });

    const runningEvents = fetch(`${api.url}/api/compaction/${runningId}/events`, {
      headers: { authorization: `Bearer ${acmeKey}` },
    });
    const queuedEvents = fetch(`${api.url}/api/compaction/${queuedId}/events`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    const opened = await runningEvents;
    expect(opened.headers.get('content-type')).toMatch(/^text\/event-stream/);
    release();

    const first = await readEvents(opened);
    const second = await readEvents(await queuedEvents);
    expect(first[0]).toMatchObject({ event: 'progress', data: { tenantId: 'acme' } });
    expect(BEFORE_RELEASE).toContain((first[0]!.data as { stage: string }).stage);
    for (const events of [first, second]) {
      expect(events.at(-1)?.event).toBe('result');
      expect(events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    }

    // What the events and GET tell is the result the worker published, unchanged.
    const published = await results.waitFor('both results', (r) =>
      [runningId, queuedId].includes(r.requestId),
    );
    const summarised = published.find((r) => r.requestId === runningId)!;
    const answer = await api.json(`/api/compaction/${runningId}`, acmeKey);
    expect(answer).toEqual(JSON.parse(JSON.stringify(summarised)));
    expect(first.at(-1)!.data).toEqual(answer);
    expect(check('GET', '/api/compaction/{requestId}', 200, answer)).toBe('');
    expect(second.at(-1)!.data).toMatchObject({ requestId: queuedId, status: 'ok' });

    // The held call was the summary, and the output keeps the invariants.
    expect(summarised).toMatchObject({
      status: 'ok',
      method: 'model',
      modelCalls: chat.requests.length,
    });
    expect(summarised.modelInputTokens).toBe(chat.requests.reduce((n, r) => n + r.promptTokens, 0));
    const request = newRequest({
      strategy: 'sliding-window',
      options: { summarise: true },
      messages: conversation.messages,
      tokenBudget: 2_000,
    });
    const outcome = { ...summarised, reason: summarised.reason ?? undefined };
    const meter = counting.meter(MODEL);
    const input = strategyInput(request);
    expect(findViolations('sliding-window', input, outcome, meter)).toEqual([]);
  });

  it('keeps each tenant to its own requests', async () => {
    const mine = await submit({}, acmeKey);
    expect(mine.status).toBe(202);
    expect(mine.body.tenantId).toBe('acme');
    const id = String(mine.body.requestId);
    await waitFor('the result', async () =>
      (await api.get(`/api/compaction/${id}`, { key: acmeKey })).status === 200 ? true : undefined,
    );

    expect((await api.get(`/api/compaction/${id}`, { key: globexKey })).status).toBe(404);
    expect((await api.get(`/api/compaction/${id}/events`, { key: globexKey })).status).toBe(404);
    expect((await api.get(`/api/compaction/${id}`)).status).toBe(200);
    const events = await readEvents(await api.get(`/api/compaction/${id}/events`));
    expect(events.map((e) => e.event).at(-1)).toBe('result');

    const forged = await submit({ tenantId: 'globex' }, acmeKey);
    expect(forged.status).toBe(403);
    const own = await submit({ tenantId: 'acme' }, acmeKey);
    expect(own.status).toBe(202);
  });

  it('refuses what it cannot do: 400 naming the field, 401, 404, 409', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ tenantId: undefined }, 'tenantId'],
      [{ tenantId: 'acme', strategy: 'shorten' }, 'strategy'],
      [{ tenantId: 'acme', strategy: 'merge-minimal' }, 'main'],
      [{ tenantId: 'acme', tokenBudget: -1 }, 'tokenBudget'],
      [{ tenantId: 'acme', messages: [{ role: 'wizard', content: 'hi' }] }, 'messages.0.role'],
      [{ tenantId: 'acme', colour: 'red' }, 'colour'],
    ];
    for (const [fields, field] of cases) {
      const refused = await submit(fields);
      expect(refused.status, field).toBe(400);
      expect(refused.body.error, field).toMatchObject({ field });
      expect(check('POST', '/api/compaction', 400, refused.body)).toBe('');
    }

    const anonymous = await api.send('POST', '/api/compaction', { key: null, body: body() });
    expect(anonymous.status).toBe(401);
    const unknown = await api.get(`/api/compaction/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(check('GET', '/api/compaction/{requestId}', 404, await unknown.json())).toBe('');

    const requestId = crypto.randomUUID();
    expect((await submit({ requestId, tenantId: 'acme' })).status).toBe(202);
    const again = await submit({ requestId, tenantId: 'acme' });
    expect(again.status).toBe(409);
  });

  it('refuses a request over the topic limit with 413 saying so', async () => {
    // Random bytes do not compress: about 18 MB once gzipped, over the 16 MB limit.
    const image = crypto.randomBytes(18 * 1024 * 1024).toString('base64');
    const big = await submit({
      tenantId: 'acme',
      messages: [{ role: 'user', content: image }],
    });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'TOO_LARGE' });
    expect(String((big.body.error as { message: string }).message)).toMatch(
      /MB compressed; compaction topics take at most 16\.0 MB/,
    );
    expect(check('POST', '/api/compaction', 413, big.body)).toBe('');

    const declared = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(`${api.url}/api/compaction`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${api.adminKey}`,
          'content-type': 'application/json',
          'content-length': String(80 * 1024 * 1024),
        },
      });
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, text });
          request.destroy();
        });
      });
      request.on('error', reject);
      request.write('{"conversationId": ');
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text).error.message).toMatch(
      /^request body over 64 MiB; .*16 MB once compressed/,
    );
  });

  it('ends an event stream that waits too long with a timeout event', async () => {
    const idle = await freshTopics(kafka, 1);
    const lonely = await startCompactionApi({
      kafka,
      topics: idle,
      logger: testLogger,
      routes: { maxWaitMs: 300 },
    });
    const server = await startTestApi(store, lonely.routes);
    try {
      const accepted = await server.send('POST', '/api/compaction', {
        body: body({ tenantId: 'acme' }),
      });
      const events = await readEvents(
        await server.get(`/api/compaction/${String(accepted.body.requestId)}/events`),
      );
      expect(events.map((e) => e.event)).toEqual(['timeout']);
    } finally {
      await server.close();
      await lonely.stop();
    }
  });
});
