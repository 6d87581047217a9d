import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBudget } from '../consumers/alerting/budget.ts';
import type { LlmCallInput } from '../schemas/llm-call.ts';
import { alertingFixture, type AlertingFixture } from './alerting-fixture.ts';
import { mailHeader, WEBHOOK_SECRET } from './alerting-receivers.ts';
import { tokenCost, unscaled } from './helpers/decimal.ts';
import { waitFor } from './helpers/infra.ts';

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
  let f: AlertingFixture;

  const budgetAlerts = () =>
    f.receivers.webhook.received.filter((r) => String(r.json.type).startsWith('budget.'));

  beforeAll(async () => {
    const prices = [{ provider: 'openai', model: MODEL, prices: { input: PRICE, output: PRICE } }];
    f = await alertingFixture({ groupPrefix: 'budgets-test.', prices });
  });

  afterAll(() => f?.close());

  it('raises one alert per threshold and scope, whoever spent, whichever instance', async () => {
    const first = await f.startService({ instanceId: 'instance-a' });
    await f.startService({ instanceId: 'instance-b' });
    await first.budgets.set(parseBudget({ scope: 'tenant=t1', period: 'month', limitUsd: '100' }));
    await first.budgets.set(
      parseBudget({ scope: 'touchpoint=pii-sanitizer', period: 'month', limitUsd: '100' }),
    );
    for (const service of f.services) await service.monitor.refresh();

    // The case of shared/cases/pricing.json: three users of one tenant.
    const tenantTokens = [79_000, 2_000, 1_000, 1_000, 18_000, 1_000];
    const users = ['u1', 'u2', 'u3', 'u1', 'u2', 'u3'];
    const tenantCalls = tenantTokens.map((tokens, i) => call('t1', users[i]!, 'main-chat', tokens));
    // A scope across tenants, whose calls land on every partition and so on both instances.
    const crossTokens = [30_000, 30_000, 25_000, 10_000, 10_000];
    const crossCalls = crossTokens.map((tokens, i) => call(`x${i}`, 'u1', 'pii-sanitizer', tokens));

    // Every call is sent twice: at least once delivery must not count it twice.
    for (const calls of [tenantCalls, crossCalls]) {
      await f.producer.recordMany(calls);
      await f.producer.recordMany(calls);
    }
    await waitFor('four budget alerts', async () =>
      budgetAlerts().length >= 4 ? true : undefined,
    );
    await f.idle();

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

    for (const r of f.receivers.webhook.received) {
      const timestamp = String(r.headers['x-llmcost-timestamp']);
      const mac = crypto
        .createHmac('sha256', WEBHOOK_SECRET)
        .update(`${timestamp}.${r.body}`)
        .digest('hex');
      expect(r.headers['x-llmcost-signature']).toBe(`v1=${mac}`);
      expect(r.headers['idempotency-key']).toBe(r.json.alertId);
    }

    const pagerDuty = f.receivers.pagerduty.received.map((r) => r.json);
    expect(pagerDuty.map((event) => event.dedup_key).sort()).toEqual(ids);
    expect(pagerDuty.every((event) => event.routing_key === 'test-routing-key')).toBe(true);
    expect(pagerDuty.every((event) => event.event_action === 'trigger')).toBe(true);

    expect(f.receivers.slack.received).toHaveLength(4);
    expect(f.receivers.slack.received.every((r) => typeof r.json.text === 'string')).toBe(true);

    const mailIds = f.receivers.smtp.received.map((mail) =>
      mailHeader(mail.raw, 'X-Llmcost-Alert-Id'),
    );
    expect(mailIds.sort()).toEqual(ids);
    for (const mail of f.receivers.smtp.received) {
      const id = mailHeader(mail.raw, 'X-Llmcost-Alert-Id');
      expect(mailHeader(mail.raw, 'Message-ID')).toBe(`<${id}@llmcost.alerts>`);
    }
  });

  it('publishes quota state that the producer SDK can check before a call', async () => {
    const tenant = await waitFor('tenant quota state', async () => {
      const check = await f.producer.checkQuota('tenant=t1,user=u2');
      return check.budgets.length > 0 ? check : undefined;
    });
    expect(tenant.status).toBe('exceeded');
    expect(tenant.budgets.map((state) => [state.scope, state.spendUsd])).toEqual([
      ['tenant=t1', runningTotals([79_000, 2_000, 1_000, 1_000, 18_000, 1_000])[5]],
    ]);
    expect((await f.producer.checkQuota('tenant=nobody')).status).toBe('unknown');
  });

  it('marks a scope incomplete when calls cannot be priced, instead of under budget', async () => {
    await f.services[0]!.budgets.set(
      parseBudget({ scope: 'tenant=t9', period: 'day', limitUsd: '10' }),
    );
    for (const instance of f.services) instance.budgetsChanged();
    const unpriced = { ...call('t9', 'u1', 'main-chat', 1_000), model: 'no-such-model-here' };
    await f.producer.record(unpriced);
    await f.producer.flush();

    const incomplete = await waitFor('budget.incomplete', async () =>
      f.receivers.webhook.received.find((r) => r.json.type === 'budget.incomplete'),
    );
    expect(incomplete.json).toMatchObject({
      scope: 'tenant=t9',
      incomplete: true,
      unpricedRequests: 1,
    });
    const state = await waitFor('incomplete quota state', async () => {
      const check = await f.producer.checkQuota('tenant=t9');
      return check.incomplete ? check : undefined;
    });
    expect(state.status).toBe('ok');
  });

  it('repeats nothing after a graceful restart and more spend in the period', async () => {
    await f.idle();
    const before = f.receivers.webhook.received.length;
    for (const service of [...f.services]) await f.stopService(service);

    await f.startService({ instanceId: 'instance-a' });
    await f.producer.record(call('t1', 'u4', 'main-chat', 5_000));
    await f.producer.record(call('x9', 'u1', 'pii-sanitizer', 5_000));
    await f.idle();

    expect(f.receivers.webhook.received.length).toBe(before);
    expect(f.receivers.slack.received.length).toBe(before);
    expect(f.receivers.pagerduty.received.length).toBe(before);
    expect(f.receivers.smtp.received.length).toBe(before);
  });
});
