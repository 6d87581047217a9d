import path from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrace, traceCalls, type ReplayOptions } from '../cli/replay/azure-trace.ts';
import { replayTrace, type ReplayResult } from '../cli/replay/replay-trace.ts';
import type { AlertingService } from '../consumers/alerting/alerting-service.ts';
import { packageRoot } from '../lib/config.ts';
import type { CostAlert } from '../schemas/cost-alert.ts';
import type { LlmCallInput } from '../schemas/llm-call.ts';
import { alertingFixture, type AlertingFixture } from './alerting-fixture.ts';
import { scaled, tokenCost, unscaled } from './helpers/decimal.ts';
import { testLogger } from './helpers/infra.ts';

const TRACE = path.join(
  packageRoot,
  'data/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv',
);
const OPTIONS: ReplayOptions = {
  provider: 'openai',
  model: 'gpt-4o',
  touchpoint: 'main-chat',
  tenants: 5,
  users: 20,
  rebase: 'now',
  shiftDays: 0,
};
const HOUR_MS = 3_600_000;
const HISTORY_DAYS = [4, 3, 2, 1];

describe('spend spikes against each tenant’s own baseline', () => {
  const price = calcPrice({}, 'gpt-4o', { providerId: 'openai' })!.model_price;
  let f: AlertingFixture;
  let service: AlertingService;
  /** The replay of today: it ended at the `now` it rebased the trace to. */
  let today: ReplayResult;

  /** Cost of a call at the catalogue price, computed here. */
  const costOf = (call: LlmCallInput) =>
    tokenCost(BigInt(call.usage.inputTokens ?? 0), String(price.input_mtok)) +
    tokenCost(BigInt(call.usage.outputTokens ?? 0), String(price.output_mtok));

  async function settle(): Promise<CostAlert[]> {
    await f.idle();
    await service.spikes.checkMarked();
    return service.alertLog.recent({ limit: 100, type: 'cost.spike' });
  }

  beforeAll(async () => {
    f = await alertingFixture({ groupPrefix: 'spikes-test.' });
    // Checked by the test itself (settle) rather than by the background pass.
    service = await f.startService({ spikes: { intervalMs: 60_000 } });
  });

  afterAll(() => f?.close());

  it('raises nothing for the normal hours of a day like the days before it', async () => {
    for (const shiftDays of HISTORY_DAYS) {
      await replayTrace(f.kafka, f.topics, TRACE, { ...OPTIONS, shiftDays }, testLogger);
    }
    today = await replayTrace(f.kafka, f.topics, TRACE, OPTIONS, testLogger);

    expect(await settle()).toEqual([]);
    expect(service.spikes.stats.checks).toBeGreaterThan(0);
  });

  it('raises one spike for an injected burst: range, value and top contributor', async () => {
    const now = Date.now();
    const burst: LlmCallInput[] = Array.from({ length: 20 }, () => ({
      occurredAt: now,
      tenantId: 'tenant-03',
      userId: 'user-burst',
      touchpoint: 'main-chat',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 400_000, outputTokens: 2_000 },
    }));
    await f.producer.recordMany(burst);
    const spikes = await settle();

    const tenantSpikes = spikes.filter((alert) => alert.scope === 'tenant=tenant-03');
    expect(tenantSpikes).toHaveLength(1);
    expect(
      spikes.every((a) => ['tenant=tenant-03', 'touchpoint=main-chat'].includes(a.scope)),
    ).toBe(true);

    const hourStart = Math.floor(now / HOUR_MS) * HOUR_MS;
    const todays = traceCalls(readTrace(TRACE), OPTIONS, today.lastAt).filter(
      (call) =>
        call.tenantId === 'tenant-03' &&
        Math.floor((call.occurredAt as number) / HOUR_MS) * HOUR_MS === hourStart,
    );
    const observed = [...todays, ...burst].reduce((sum, call) => sum + costOf(call), 0n);
    const [spike] = tenantSpikes;
    expect(spike!.spike!.hourStart).toBe(hourStart);
    expect(spike!.spike!.observedUsd).toBe(unscaled(observed));
    expect(scaled(spike!.spike!.expectedHighUsd)).toBeLessThan(observed);
    expect(spike!.spike!.seasonal).toBe(true);
    expect(spike!.spike!.topContributors).toContainEqual({
      dimension: 'user',
      value: 'user-burst',
      costUsd: unscaled(burst.reduce((sum, call) => sum + costOf(call), 0n)),
    });
  });

  it('raises nothing for a flat series', async () => {
    const now = Date.now();
    const hourStart = Math.floor(now / HOUR_MS) * HOUR_MS;
    const flat: LlmCallInput[] = [];
    for (let hour = 4 * 24; hour >= 0; hour--) {
      flat.push({
        occurredAt: hour === 0 ? now : hourStart - hour * HOUR_MS + 60_000,
        tenantId: 'tenant-flat',
        userId: 'user-001',
        touchpoint: 'flat-series',
        provider: 'openai',
        model: 'gpt-4o',
        usage: { inputTokens: 4_000_000, outputTokens: 10_000 },
      });
    }
    await f.producer.recordMany(flat);
    const spikes = await settle();
    expect(spikes.filter((a) => a.scope.includes('flat'))).toEqual([]);
  });
});
