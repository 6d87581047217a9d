import path from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrace, traceCalls } from '../cli/replay/azure-trace.ts';
import type { AlertingService } from '../consumers/alerting/alerting-service.ts';
import { parseBudget } from '../consumers/alerting/budget.ts';
import { packageRoot } from '../lib/config.ts';
import { AvroCodec } from '../schemas/codec.ts';
import type { LlmCallInput } from '../schemas/llm-call.ts';
import type { PricedCall } from '../schemas/priced-call.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { alertingFixture, type AlertingFixture } from './alerting-fixture.ts';
import { mailHeader } from './alerting-receivers.ts';
import { scaled, tokenCost, unscaled } from './helpers/decimal.ts';

const TRACE = path.join(
  packageRoot,
  'data/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv',
);
const CHUNK = 200;

/**
 * A zone in which the whole last hour falls on one local day, so that the
 * replayed hour (which ends now) never straddles the budget's midnight.
 */
function zoneWithOneDayHour(now: number): string {
  const zones = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Asia/Kolkata'];
  const hourIn = (zone: string) =>
    Number(
      new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hour: 'numeric',
        hourCycle: 'h23',
      }).format(now),
    );
  return zones.find((zone) => hourIn(zone) >= 2 && hourIn(zone) <= 22)!;
}

/**
 * The tenant-01 call whose cost, added up in order of occurrence, first
 * reaches each level, and the total right after it; at the catalogue price,
 * computed here.
 */
function expectedCrossings(calls: LlmCallInput[], levels: string[]) {
  const price = calcPrice({}, 'gpt-4o', { providerId: 'openai' })!.model_price;
  const ordered = calls
    .filter((call) => call.tenantId === 'tenant-01')
    .sort(
      (a, b) =>
        (a.occurredAt as number) - (b.occurredAt as number) || (a.eventId! < b.eventId! ? -1 : 1),
    );
  return levels.map((level) => {
    let total = 0n;
    for (const call of ordered) {
      total +=
        tokenCost(BigInt(call.usage.inputTokens ?? 0), String(price.input_mtok)) +
        tokenCost(BigInt(call.usage.outputTokens ?? 0), String(price.output_mtok));
      if (total >= scaled(level)) return { eventId: call.eventId!, spendUsd: unscaled(total) };
    }
    return undefined;
  });
}

describe('a 10 USD daily budget crossed by a replay', () => {
  let f: AlertingFixture;
  let service: AlertingService;
  let probe: Consumer | undefined;

  const CROSSINGS = ['budget.warning', 'budget.exceeded'];

  /** The crossing alerts each channel received, by type; every channel must agree. */
  function crossings(): string[] {
    const byChannel = {
      webhook: f.receivers.webhook.received.map((r) => String(r.json.type)),
      slack: f.receivers.slack.received.map((r) => CROSSINGS.find((t) => r.body.includes(t)) ?? ''),
      pagerduty: f.receivers.pagerduty.received.map((r) => {
        return String((r.json.payload as Record<string, unknown>).class);
      }),
      email: f.receivers.smtp.received.map((m) => mailHeader(m.raw, 'X-Llmcost-Alert-Type') ?? ''),
    };
    const lists = Object.values(byChannel).map((types) =>
      types.filter((type) => CROSSINGS.includes(type)).sort(),
    );
    for (const list of lists) expect(list).toEqual(lists[0]);
    return lists[0]!;
  }

  /**
   * When each priced call reaches llm.costs.v1, read by a consumer of the
   * test's own: the pricing stage's share of the delay, the baseline the
   * alerting stage adds to.
   */
  async function probePricedArrivals(): Promise<Map<string, number>> {
    const arrivals = new Map<string, number>();
    const codec = new AvroCodec<PricedCall>(new SchemaRegistry(), 'priced-call');
    const reader = f.kafka.consumer({ groupId: `${f.topics.costs}.latency-probe` });
    probe = reader;
    await reader.connect();
    await reader.subscribe({ topic: f.topics.costs, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const at = Date.now();
        const priced = codec.decode(message.value, message.headers);
        if (!arrivals.has(priced.call.eventId)) arrivals.set(priced.call.eventId, at);
      },
    });
    return arrivals;
  }

  beforeAll(async () => {
    f = await alertingFixture({ groupPrefix: 'latency-test.' });
    service = await f.startService();
  });

  afterAll(async () => {
    await probe?.disconnect();
    await f?.close();
  });

  it('delivers one warning and one exceeded alert per channel; measures the delay', async () => {
    const now = Date.now();
    const timeZone = zoneWithOneDayHour(now);
    await service.budgets.set(
      parseBudget({ scope: 'tenant=tenant-01', period: 'day', timeZone, limitUsd: '10' }),
    );
    await service.monitor.refresh();

    // The trace replayed in order, in acknowledged chunks: the moment the chunk
    // holding a call is acknowledged by Kafka is when that call was published.
    const calls = traceCalls(readTrace(TRACE), {
      provider: 'openai',
      model: 'gpt-4o',
      touchpoint: 'main-chat',
      tenants: 5,
      users: 20,
      rebase: 'now',
      shiftDays: 0,
    });
    const pricedAt = await probePricedArrivals();
    const publishedAt = new Map<string, number>();
    for (let start = 0; start < calls.length; start += CHUNK) {
      const chunk = calls.slice(start, start + CHUNK);
      const { eventIds } = await f.producer.recordMany(chunk);
      await f.producer.flush();
      const at = Date.now();
      for (const id of eventIds) publishedAt.set(id, at);
    }
    await f.idle();

    // A projected breach may come first, depending on the hour the test runs; it is
    // an alert of its own type and not counted here.
    expect(crossings()).toEqual(['budget.exceeded', 'budget.warning']);
    const webhook = f.receivers.webhook.received.filter((r) =>
      CROSSINGS.includes(String(r.json.type)),
    );

    const expected = expectedCrossings(calls, ['8', '10']);
    expect(webhook.map((r) => [r.json.type, r.json.spendUsd, r.json.triggeredBy]).sort()).toEqual([
      ['budget.exceeded', expected[1]!.spendUsd, expected[1]!.eventId],
      ['budget.warning', expected[0]!.spendUsd, expected[0]!.eventId],
    ]);

    for (const delivery of webhook) {
      const published = publishedAt.get(String(delivery.json.triggeredBy));
      expect(published).toBeDefined();
      const channels = {
        webhook: delivery.at,
        slack: f.receivers.slack.received.find((r) =>
          r.body.includes(String(delivery.json.alertId)),
        )?.at,
        pagerduty: f.receivers.pagerduty.received.find(
          (r) => r.json.dedup_key === delivery.json.alertId,
        )?.at,
        email: f.receivers.smtp.received.find((m) => m.raw.includes(String(delivery.json.alertId)))
          ?.at,
      };
      const priced = pricedAt.get(String(delivery.json.triggeredBy))! - published!;
      const delays = Object.entries(channels).map(([name, at]) => `${name} ${at! - published!} ms`);
      delays.push(`baseline: on llm.costs.v1 after ${priced} ms`);
      process.stdout.write(
        `latency ${delivery.json.type} (crossing call published → received): ` +
          `${delays.join(', ')}\n`,
      );
    }
  });

  it('delivers no duplicate after a graceful restart and more spend the same day', async () => {
    const before = f.receivers.webhook.received.length;
    await f.stopService(service);
    service = await f.startService();

    await f.producer.record({
      tenantId: 'tenant-01',
      userId: 'user-001',
      touchpoint: 'main-chat',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 100_000, outputTokens: 1_000 },
    });
    await f.idle();
    expect(f.receivers.webhook.received.length).toBe(before);
    expect(crossings()).toEqual(['budget.exceeded', 'budget.warning']);
  });
});
