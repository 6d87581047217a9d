import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertingService } from '../consumers/alerting/alerting-service.ts';
import { parseBudget } from '../consumers/alerting/budget.ts';
import type { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import type { TopicNames } from '../infra/topics.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import type { LlmCallInput } from '../schemas/llm-call.ts';
import {
  mailHeader,
  receiverConfig,
  startReceivers,
  waitForAlertingIdle,
  WEBHOOK_SECRET,
  type Receivers,
} from './alerting-receivers.ts';
import { tokenCost, unscaled } from './helpers/decimal.ts';
import { freshStore, freshTopics, testKafka, testLogger, waitFor } from './helpers/infra.ts';
import { startPricingConsumer } from './helpers/pipeline.ts';

/** 1000 USD per million tokens: a token costs 0.001 USD, so 79 USD is 79,000 tokens. */
const PRICE = '1000';
const MODEL = 'budget-test';

/** Calls made one millisecond apart, so their order of occurrence is the order written. */
let clock = Date.now();

function call(tenantId: string, userId: string, touchpoint: string, tokens: number): LlmCallInput {
  return {
    eventId: crypto.randomUUID(),
    occurredAt: (clock += 1),
    tenantId,
    userId,
    touchpoint,
    provider: 'openai',
    model: MODEL,
    usage: { inputTokens: tokens },
  };
}

/** The running total in USD after each call, computed here from tokens and price. */
function runningTotals(tokens: number[]): string[] {
  let total = 0n;
  return tokens.map((count) => unscaled((total += tokenCost(BigInt(count), PRICE))));
}

describe('budget alerts through the real pipeline', () => {
  const kafka = testKafka();
  const groupPrefix = 'budgets-test.';
  let store: Awaited<ReturnType<typeof freshStore>>;
  let topics: TopicNames;
  let pricing: PricingConsumer;
  let receivers: Receivers;
  let producer: CostEventProducer;
  const instances: AlertingService[] = [];

  function startInstance(instanceId: string): Promise<AlertingService> {
    const service = new AlertingService({
      kafka,
      clickhouse: store.client,
      topics,
      logger: testLogger,
      config: receiverConfig(receivers),
      groupPrefix,
      instanceId,
      reports: false,
    });
    instances.push(service);
    return service.start().then(() => service);
  }

  async function idle(): Promise<void> {
    await waitForAlertingIdle(kafka, topics, groupPrefix);
    await waitFor('deliveries to finish', async () =>
      instances.every((service) => service.worker.backlog() === 0) ? true : undefined,
    );
  }

  const budgetAlerts = () =>
    receivers.webhook.received.filter((r) => String(r.json.type).startsWith('budget.'));

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-prices-'));
    const pricesFile = path.join(dir, 'prices.json');
    const prices = [{ provider: 'openai', model: MODEL, prices: { input: PRICE, output: PRICE } }];
    fs.writeFileSync(pricesFile, JSON.stringify(prices));

    store = await freshStore();
    topics = await freshTopics(kafka);
    receivers = await startReceivers();
    pricing = await startPricingConsumer(kafka, store, topics, { pricesFile });
    producer = new CostEventProducer({
      kafka,
      logger: testLogger,
      topic: topics.calls,
      quotaTopic: topics.quotaState,
    });
  });

  afterAll(async () => {
    for (const service of instances) await service.stop().catch(() => undefined);
    await producer?.close();
    await pricing?.stop();
    await receivers?.close();
    await store?.close();
  });

  it('raises one alert per threshold and scope, whoever spent, whichever instance', async () => {
    const first = await startInstance('instance-a');
    await startInstance('instance-b');
    await first.budgets.set(parseBudget({ scope: 'tenant=t1', period: 'month', limitUsd: '100' }));
    await first.budgets.set(
      parseBudget({ scope: 'touchpoint=pii-sanitizer', period: 'month', limitUsd: '100' }),
    );
    for (const service of instances) await service.monitor.refresh();

    // The case of shared/cases/pricing.json: three users of one tenant.
    const tenantTokens = [79_000, 2_000, 1_000, 1_000, 18_000, 1_000];
    const users = ['u1', 'u2', 'u3', 'u1', 'u2', 'u3'];
    const tenantCalls = tenantTokens.map((tokens, i) => call('t1', users[i]!, 'main-chat', tokens));
    // A scope across tenants, whose calls land on every partition and so on both instances.
    const crossTokens = [30_000, 30_000, 25_000, 10_000, 10_000];
    const crossCalls = crossTokens.map((tokens, i) => call(`x${i}`, 'u1', 'pii-sanitizer', tokens));

    // Every call is sent twice: at least once delivery must not count it twice.
    for (const calls of [tenantCalls, crossCalls]) {
      await producer.recordMany(calls);
      await producer.recordMany(calls);
    }
    await producer.flush();
    await waitFor('four budget alerts', async () =>
      budgetAlerts().length >= 4 ? true : undefined,
    );
    await idle();

    // Spend at the crossing is counted in order of occurrence, whatever partition,
    // batch or instance each call went through.
    const tenantTotals = runningTotals(tenantTokens);
    const crossTotals = runningTotals(crossTokens);
    expect([tenantTotals[1], tenantTotals[4]]).toEqual(['81', '101']);
    const summary = budgetAlerts()
      .map((r) => `${r.json.type} ${r.json.scope} ${r.json.spendUsd} ${r.json.triggeredBy}`)
      .sort();
    expect(summary).toEqual(
      [
        `budget.exceeded tenant=t1 ${tenantTotals[4]} ${tenantCalls[4]!.eventId}`,
        `budget.warning tenant=t1 ${tenantTotals[1]} ${tenantCalls[1]!.eventId}`,
        `budget.exceeded touchpoint=pii-sanitizer ${crossTotals[4]} ${crossCalls[4]!.eventId}`,
        `budget.warning touchpoint=pii-sanitizer ${crossTotals[2]} ${crossCalls[2]!.eventId}`,
      ].sort(),
    );
  });

  it('delivers each alert once to every channel, with its idempotency key', () => {
    const ids = budgetAlerts()
      .map((r) => String(r.json.alertId))
      .sort();
    expect(new Set(ids).size).toBe(4);

    for (const r of receivers.webhook.received) {
      const timestamp = String(r.headers['x-llmcost-timestamp']);
      const mac = crypto
        .createHmac('sha256', WEBHOOK_SECRET)
        .update(`${timestamp}.${r.body}`)
        .digest('hex');
      expect(r.headers['x-llmcost-signature']).toBe(`v1=${mac}`);
      expect(r.headers['idempotency-key']).toBe(r.json.alertId);
    }

    const pagerDuty = receivers.pagerduty.received.map((r) => r.json);
    expect(pagerDuty.map((event) => event.dedup_key).sort()).toEqual(ids);
    expect(pagerDuty.every((event) => event.routing_key === 'test-routing-key')).toBe(true);
    expect(pagerDuty.every((event) => event.event_action === 'trigger')).toBe(true);

    expect(receivers.slack.received).toHaveLength(4);
    expect(receivers.slack.received.every((r) => typeof r.json.text === 'string')).toBe(true);

    const mailIds = receivers.smtp.received.map((mail) =>
      mailHeader(mail.raw, 'X-Llmcost-Alert-Id'),
    );
    expect(mailIds.sort()).toEqual(ids);
    for (const mail of receivers.smtp.received) {
      const id = mailHeader(mail.raw, 'X-Llmcost-Alert-Id');
      expect(mailHeader(mail.raw, 'Message-ID')).toBe(`<${id}@llmcost.alerts>`);
    }
  });

  it('publishes quota state that the producer SDK can check before a call', async () => {
    const tenant = await waitFor('tenant quota state', async () => {
      const check = await producer.checkQuota('tenant=t1,user=u2');
      return check.budgets.length > 0 ? check : undefined;
    });
    expect(tenant.status).toBe('exceeded');
    expect(tenant.budgets.map((state) => [state.scope, state.spendUsd])).toEqual([
      ['tenant=t1', runningTotals([79_000, 2_000, 1_000, 1_000, 18_000, 1_000])[5]],
    ]);
    expect((await producer.checkQuota('tenant=nobody')).status).toBe('unknown');
  });

  it('marks a scope incomplete when calls cannot be priced, instead of under budget', async () => {
    await instances[0]!.budgets.set(
      parseBudget({ scope: 'tenant=t9', period: 'day', limitUsd: '10' }),
    );
    for (const instance of instances) instance.budgetsChanged();
    const unpriced = { ...call('t9', 'u1', 'main-chat', 1_000), model: 'no-such-model-here' };
    await producer.record(unpriced);
    await producer.flush();

    const incomplete = await waitFor('budget.incomplete', async () =>
      receivers.webhook.received.find((r) => r.json.type === 'budget.incomplete'),
    );
    expect(incomplete.json).toMatchObject({
      scope: 'tenant=t9',
      incomplete: true,
      unpricedRequests: 1,
    });
    const state = await waitFor('incomplete quota state', async () => {
      const check = await producer.checkQuota('tenant=t9');
      return check.incomplete ? check : undefined;
    });
    expect(state.status).toBe('ok');
  });

  it('repeats nothing after a graceful restart and more spend in the period', async () => {
    await idle();
    const before = receivers.webhook.received.length;
    const stopped = instances.splice(0);
    for (const service of stopped) await service.stop();

    await startInstance('instance-a');
    await producer.record(call('t1', 'u4', 'main-chat', 5_000));
    await producer.record(call('x9', 'u1', 'pii-sanitizer', 5_000));
    await producer.flush();
    await idle();

    expect(receivers.webhook.received.length).toBe(before);
    expect(receivers.slack.received.length).toBe(before);
    expect(receivers.pagerduty.received.length).toBe(before);
    expect(receivers.smtp.received.length).toBe(before);
  });
});
