import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/config.ts';
import { readTrace, traceCalls, type ReplayOptions } from './azure-trace.ts';

const file = path.join(
  packageRoot,
  'data/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv',
);
const options: ReplayOptions = {
  provider: 'openai',
  model: 'gpt-4o',
  touchpoint: 'main-chat',
  tenants: 5,
  users: 20,
  rebase: 'now',
  shiftDays: 0,
};

describe('Azure trace replay', () => {
  const trace = readTrace(file);

  it('reads every row with its published token totals', () => {
    expect(trace.rows).toHaveLength(8_819);
    expect(trace.rows.reduce((sum, row) => sum + row.contextTokens, 0)).toBe(18_059_974);
    expect(trace.rows.reduce((sum, row) => sum + row.generatedTokens, 0)).toBe(245_896);
    expect(trace.rows[0]?.occurredAt).toBe(Date.parse('2023-11-16T18:17:03.979Z'));
  });

  it('derives the same event ids whenever it runs, and others for other options', () => {
    const first = traceCalls(trace, options, Date.parse('2026-01-01T00:00:00Z'));
    const later = traceCalls(trace, options, Date.parse('2026-02-01T00:00:00Z'));
    const other = traceCalls(trace, { ...options, model: 'gpt-4.1' });
    expect(later.map((c) => c.eventId)).toEqual(first.map((c) => c.eventId));
    expect(other[0]?.eventId).not.toBe(first[0]?.eventId);
    expect(new Set(first.map((c) => c.eventId)).size).toBe(first.length);
  });

  it('rebases so that the trace ends now, and keeps original times on request', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const rebased = traceCalls(trace, options, now);
    expect(Math.max(...rebased.map((c) => c.occurredAt as number))).toBe(now);
    const kept = traceCalls(trace, { ...options, rebase: 'original' }, now);
    expect(kept[0]?.occurredAt).toBe(trace.rows[0]?.occurredAt);
  });

  it('spreads rows over the requested tenants, the first carrying the most', () => {
    const counts = new Map<string, number>();
    for (const call of traceCalls(trace, options)) {
      counts.set(call.tenantId, (counts.get(call.tenantId) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([
      'tenant-01',
      'tenant-02',
      'tenant-03',
      'tenant-04',
      'tenant-05',
    ]);
    expect(counts.get('tenant-01')).toBeGreaterThan(counts.get('tenant-05')!);
  });
});
