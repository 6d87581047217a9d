import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertingService } from '../consumers/alerting/alerting-service.ts';
import { parseBudget } from '../consumers/alerting/budget.ts';
import { alertingFixture, type AlertingFixture } from './alerting-fixture.ts';
import { tokenCost, unscaled } from './helpers/decimal.ts';
import { waitFor } from './helpers/infra.ts';

const PRICE = '1000';

/** A clock the pipeline reads, set by the test: the case happens in January and February 2025. */
let clock = Date.parse('2025-01-20T12:00:00Z');

describe('budget periods reset and re-arm (shared/cases/pricing.json)', () => {
  let f: AlertingFixture;
  let service: AlertingService;

  async function spend(occurredAt: string, tokens: number): Promise<void> {
    await f.producer.record({
      eventId: crypto.randomUUID(),
      occurredAt,
      tenantId: 't1',
      userId: 'u1',
      touchpoint: 'main-chat',
      provider: 'openai',
      model: 'period-test',
      usage: { inputTokens: tokens },
    });
    await f.idle();
  }

  const quota = (scope: string) =>
    waitFor('quota state', async () => {
      const check = await f.producer.checkQuota(scope);
      return check.budgets.length > 0 ? check.budgets : undefined;
    });

  const alerts = () => f.receivers.webhook.received.map((r) => r.json);

  beforeAll(async () => {
    const prices = [{ provider: 'openai', model: 'period-test', prices: { input: PRICE } }];
    f = await alertingFixture({ groupPrefix: 'periods-test.', prices, now: () => clock });
    service = await f.startService();
    await service.budgets.set(
      parseBudget({ scope: 'tenant=t1', period: 'month', timeZone: 'UTC', limitUsd: '100' }),
    );
    await service.monitor.refresh();
  });

  afterAll(() => f?.close());

  it('exceeds the budget in January', async () => {
    await spend('2025-01-20T11:00:00Z', 120_000);
    expect(
      alerts()
        .map((a) => a.type)
        .sort(),
    ).toEqual(['budget.exceeded', 'budget.warning']);
    expect(alerts().every((a) => a.periodStart === Date.parse('2025-01-01T00:00:00Z'))).toBe(true);
  });

  it('starts February clean and warns once at 95', async () => {
    clock = Date.parse('2025-02-01T00:05:30Z');
    await service.monitor.refresh();
    await spend('2025-02-01T00:05:00Z', 5_000);
    const [afterFirst] = await quota('tenant=t1');
    expect(afterFirst).toMatchObject({
      status: 'ok',
      spendUsd: unscaled(tokenCost(5_000n, PRICE)),
    });
    expect(alerts()).toHaveLength(2);

    clock = Date.parse('2025-02-01T00:06:30Z');
    await spend('2025-02-01T00:06:00Z', 90_000);
    const february = alerts().slice(2);
    const expected = unscaled(tokenCost(95_000n, PRICE));
    expect(expected).toBe('95');
    expect(february.map((a) => `${a.type} ${a.spendUsd}`)).toEqual([`budget.warning ${expected}`]);
    const [afterSecond] = await waitFor('warning state', async () => {
      const states = await quota('tenant=t1');
      return states[0]?.status === 'warning' ? states : undefined;
    });
    expect(afterSecond!.spendUsd).toBe(expected);
  });

  it('counts only the window of a budget created mid-period, not lifetime spend', async () => {
    clock = Date.parse('2025-02-01T00:07:00Z');
    await service.budgets.set(
      parseBudget({ scope: 'tenant=t1', period: 'day', limitUsd: '1000' }),
      clock,
    );
    await service.monitor.refresh();
    const states = await waitFor('day budget state', async () => {
      const found = (await quota('tenant=t1')).find((s) => s.period === 'day');
      return found ? found : undefined;
    });
    expect(states.spendUsd).toBe(unscaled(tokenCost(95_000n, PRICE)));
  });
});
