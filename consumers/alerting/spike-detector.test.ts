import { describe, expect, it } from 'vitest';
import { Money } from '../../lib/money.ts';
import { DEFAULT_SPIKE_SETTINGS, detectSpike, HOUR_MS } from './spike-detector.ts';

const hourStart = Date.parse('2025-06-10T14:00:00Z');

function series(days: number, valueAt: (hour: number) => string): Map<number, Money> {
  const history = new Map<number, Money>();
  for (let hour = hourStart - days * 24 * HOUR_MS; hour < hourStart; hour += HOUR_MS) {
    history.set(hour, new Money(valueAt(hour)));
  }
  return history;
}

function verdict(history: Map<number, Money>, observed: string, firstSeen?: number) {
  return detectSpike({
    hourStart,
    observedUsd: new Money(observed),
    history,
    firstSeen: firstSeen ?? Math.min(...history.keys()),
    settings: DEFAULT_SPIKE_SETTINGS,
  });
}

describe('detectSpike', () => {
  it('raises nothing on a flat series, and nothing for a cent more', () => {
    const flat = series(5, () => '20');
    expect(verdict(flat, '20').kind).toBe('normal');
    expect(verdict(flat, '20.01').kind).toBe('normal');
  });

  it('says nothing before the minimum history', () => {
    const young = series(0.5, () => '20');
    expect(verdict(young, '500').kind).toBe('insufficient-history');
  });

  it('compares with the same hour of earlier days once there is enough history', () => {
    const busyAfternoons = series(7, (hour) => (new Date(hour).getUTCHours() === 14 ? '100' : '2'));
    const result = verdict(busyAfternoons, '110');
    expect(result).toMatchObject({ kind: 'normal', seasonal: true, baselineHours: 7 });
    expect(verdict(busyAfternoons, '300').kind).toBe('spike');
  });

  it('needs the minimum dollar impact, so a small tenant pages nobody', () => {
    const tiny = series(5, () => '0.10');
    expect(verdict(tiny, '3').kind).toBe('normal');
  });

  it('states the expected range it compared with', () => {
    const result = verdict(
      series(5, () => '20'),
      '100',
    );
    expect(result).toMatchObject({ kind: 'spike', baselineUsd: new Money(20) });
    if (result.kind !== 'spike') return;
    expect([result.expectedLowUsd.toFixed(), result.expectedHighUsd.toFixed()]).toEqual([
      '12',
      '28',
    ]);
  });
});
