import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceBook } from '../consumers/pricing/create-price-book.ts';
import { PricingConsumer } from '../consumers/pricing/pricing-consumer.ts';
import { packageRoot } from '../lib/config.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import type { LlmCallInput } from '../schemas/llm-call.ts';
import { addDays } from '../api/costs/local-dates.ts';
import { startTestApi, type TestApi } from './api-harness.ts';
import { scaled, unscaled } from './helpers/decimal.ts';
import {
  freshStore,
  freshTopics,
  queryRows,
  testKafka,
  testLogger,
  waitFor,
} from './helpers/infra.ts';

const CASES = JSON.parse(
  fs.readFileSync(path.join(packageRoot, 'test/cases/pricing.json'), 'utf8'),
) as {
  cases: {
    id: string;
    timeZone: string;
    events: { occurredAt: string; costUsd: string }[];
    expected: Record<string, Record<string, string> | string>;
  }[];
};
const CASE = CASES.cases.find((c) => c.id === 'local-day-rollups')!;

/** Whole and fractional offsets, DST at 2 a.m. and at midnight, both ends of the date line. */
const ZONES = [
  'Asia/Shanghai',
  'America/Los_Angeles',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Eucla',
  'Pacific/Chatham',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Havana',
  'Europe/London',
  'Pacific/Kiritimati',
  'Pacific/Niue',
  'Africa/Abidjan',
];
/** Transition days of those zones in 2025, and a plain one. */
const DATES = [
  '2025-03-09',
  '2025-03-30',
  '2025-04-06',
  '2025-06-15',
  '2025-09-07',
  '2025-09-28',
  '2025-10-05',
  '2025-10-26',
  '2025-11-02',
];
const PRICES = [{ provider: 'tzcase', model: 'tz-model', prices: { input: '1' } }];

/** A call costing `cents` hundredths of a dollar at 1 USD per million input tokens. */
function call(tenantId: string, at: number, cents: bigint): LlmCallInput {
  return {
    tenantId,
    occurredAt: at,
    touchpoint: 'main-chat',
    provider: 'tzcase',
    model: 'tz-model',
    usage: { inputTokens: Number(cents) * 10_000, outputTokens: 0 },
  };
}

function localDate(at: number, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(at));
}

/** The first 15-minute UTC instant around `date` whose local date in `zone` is `date`. */
function dayStart(date: string, zone: string): number {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  for (let at = midnight - 15 * 3_600_000; at < midnight + 15 * 3_600_000; at += 900_000) {
    if (localDate(at, zone) === date) return at;
  }
  throw new Error(`no start of ${date} in ${zone}`);
}

describe('local days, weeks and months in any IANA zone, summed from cost_15m', () => {
  const kafka = testKafka();
  const priceFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-tz-')), 'p.json');
  const events: { at: number; cents: bigint }[] = [];
  let store: Awaited<ReturnType<typeof freshStore>>;
  let consumer: PricingConsumer;
  let api: TestApi;

  beforeAll(async () => {
    store = await freshStore(3_650);
    const topics = await freshTopics(kafka, 1);
    fs.writeFileSync(priceFile, JSON.stringify(PRICES));
    consumer = new PricingConsumer({
      kafka,
      clickhouse: store.client,
      book: createPriceBook(priceFile, testLogger),
      topics,
      logger: testLogger,
      retentionDays: 3_650,
      groupId: `${topics.calls}.pricing`,
      now: () => Date.parse('2025-12-01T00:00:00Z'),
    });
    await consumer.start();

    const calls: LlmCallInput[] = [];
    for (const event of CASE.events) {
      calls.push(call('case', Date.parse(event.occurredAt), scaled(event.costUsd) / 10n ** 16n));
    }
    calls.push(call('case-la', Date.parse('2025-01-02T04:30:00Z'), 100n));
    let cents = 1n;
    for (const zone of ZONES) {
      for (const date of DATES) {
        const start = dayStart(date, zone);
        for (const at of [start - 1_000, start, start + 899_000]) {
          events.push({ at, cents });
          calls.push(call('grid', at, cents++));
        }
      }
    }
    const producer = new CostEventProducer({ kafka, topics, logger: testLogger });
    await producer.recordMany(calls);
    await producer.flush(60_000);
    await producer.close();
    await waitFor('every call stored', async () => {
      const [row] = await queryRows(store, 'SELECT count() AS n FROM llm_calls');
      return Number(row?.n) === calls.length ? true : undefined;
    });
    api = await startTestApi(store);
  });

  afterAll(async () => {
    await api?.close();
    await consumer?.stop();
    await store?.close();
  });

  const costs = (query: string) =>
    api.json<{ rows: Record<string, string>[]; summary: { totalCostUsd: string } }>(
      `/api/costs/aggregate?${query}`,
    );
  const byKey = (rows: Record<string, string>[], key: string) =>
    Object.fromEntries(rows.map((row) => [row[key], unscaled(scaled(row.totalCostUsd!))]));

  it(`answers the shared case ${CASE.id} (${CASE.timeZone})`, async () => {
    const range = 'tenantId=case&startDate=2025-01-01&endDate=2025-01-02';
    const local = await costs(`${range}&tz=${CASE.timeZone}&groupBy=day`);
    const utc = await costs(`${range}&groupBy=day`);
    const expected = CASE.expected as {
      localDays: Record<string, string>;
      utcDays: Record<string, string>;
      rangeTotal: string;
    };
    const asValues = (days: Record<string, string>) =>
      Object.fromEntries(Object.entries(days).map(([day, cost]) => [day, unscaled(scaled(cost))]));

    expect(byKey(local.rows, 'day')).toEqual(asValues(expected.localDays));
    expect(byKey(utc.rows, 'day')).toEqual(asValues(expected.utcDays));
    expect(scaled(local.summary.totalCostUsd)).toBe(scaled(expected.rangeTotal));
    for (const [day, cost] of Object.entries(expected.localDays)) {
      const single = await costs(
        `tenantId=case&startDate=${day}&endDate=${day}&tz=${CASE.timeZone}`,
      );
      expect(scaled(single.summary.totalCostUsd)).toBe(scaled(cost));
    }
    const la = await costs(
      'tenantId=case-la&startDate=2025-01-01&endDate=2025-01-01&tz=America/Los_Angeles',
    );
    expect(la.summary.totalCostUsd).toBe('1');
  });

  it.each(ZONES)('puts every call in its local day, week and month in %s', async (zone) => {
    const expectDays = new Map<string, bigint>();
    for (const { at, cents } of events) {
      const day = localDate(at, zone);
      expectDays.set(day, (expectDays.get(day) ?? 0n) + cents);
    }
    const dollars = (cents: bigint) => unscaled(cents * 10n ** 16n);
    const range = `tenantId=grid&startDate=2025-03-01&endDate=2025-11-30&tz=${zone}`;

    const days = await costs(`${range}&groupBy=day`);
    expect(byKey(days.rows, 'day')).toEqual(
      Object.fromEntries([...expectDays].map(([day, cents]) => [day, dollars(cents)]).sort()),
    );
    const total = [...expectDays.values()].reduce((sum, cents) => sum + cents, 0n);
    for (const period of ['week', 'month']) {
      const answer = await costs(`${range}&groupBy=${period}`);
      const summed = answer.rows.reduce((sum, row) => sum + scaled(row.totalCostUsd!), 0n);
      expect(summed).toBe(total * 10n ** 16n);
      expect(answer.summary.totalCostUsd).toBe(dollars(total));
    }
    const whole = await costs(range);
    expect(whole.summary.totalCostUsd).toBe(dollars(total));
    for (const day of [...expectDays.keys()].slice(0, 4)) {
      const from = addDays(day, -1);
      const to = addDays(day, 1);
      const within = [...expectDays].filter(([d]) => d >= from && d <= to);
      const threeDays = await costs(`tenantId=grid&startDate=${from}&endDate=${to}&tz=${zone}`);
      expect(threeDays.summary.totalCostUsd, `${from}..${to}`).toBe(
        dollars(within.reduce((sum, [, cents]) => sum + cents, 0n)),
      );
    }
    for (const day of [...expectDays.keys()].slice(0, 6)) {
      const single = await costs(`tenantId=grid&startDate=${day}&endDate=${day}&tz=${zone}`);
      expect(single.summary.totalCostUsd).toBe(dollars(expectDays.get(day)!));
    }
  });

  it('gives the same days from cost_daily (UTC) and cost_15m (a zero offset)', async () => {
    const range = 'tenantId=grid&startDate=2025-03-01&endDate=2025-11-30&groupBy=day';
    const daily = await costs(`${range}&tz=utc`);
    const quarter = await costs(`${range}&tz=Africa/Abidjan`);
    expect((daily as unknown as { query: { source: string; tz: string } }).query).toMatchObject({
      source: 'cost_daily',
      tz: 'UTC',
    });
    expect(daily.rows).toEqual(quarter.rows);
  });

  it('refuses a range whose local days do not start on a quarter hour', async () => {
    const response = await api.get(
      '/api/costs/aggregate?startDate=1971-06-01&endDate=1971-06-02&tz=Africa/Monrovia',
    );
    const body = (await response.json()) as { error: { field: string; message: string } };
    expect(response.status).toBe(400);
    expect(body.error.field).toBe('tz');
    expect(body.error.message).toMatch(/^tz: .*quarter hour/);

    const later = await api.get(
      '/api/costs/aggregate?startDate=1973-06-01&endDate=1973-06-02&tz=Africa/Monrovia',
    );
    expect(later.status).toBe(200);
  });
});
