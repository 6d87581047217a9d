import { describe, expect, it } from 'vitest';
import { periodOf } from './period.ts';

const iso = (instant: number) => new Date(instant).toISOString();

describe('periodOf', () => {
  it('puts calls on the local days of shared/cases/pricing.json (local-day-rollups)', () => {
    const shanghai = (at: string) => periodOf(Date.parse(at), 'day', 'Asia/Shanghai').label;
    expect(shanghai('2025-01-01T15:59:59Z')).toBe('2025-01-01');
    expect(shanghai('2025-01-01T16:00:00Z')).toBe('2025-01-02');
    expect(periodOf(Date.parse('2025-01-02T04:30:00Z'), 'day', 'America/Los_Angeles').label).toBe(
      '2025-01-01',
    );
  });

  it('is exact for half-hour and 45-minute offsets', () => {
    const kolkata = periodOf(Date.parse('2025-03-10T12:00:00Z'), 'day', 'Asia/Kolkata');
    expect([iso(kolkata.start), iso(kolkata.end)]).toEqual([
      '2025-03-09T18:30:00.000Z',
      '2025-03-10T18:30:00.000Z',
    ]);
    const kathmandu = periodOf(Date.parse('2025-03-10T12:00:00Z'), 'day', 'Asia/Kathmandu');
    expect(iso(kathmandu.start)).toBe('2025-03-09T18:15:00.000Z');
  });

  it('gives a day across a DST change its real length', () => {
    const spring = periodOf(Date.parse('2025-03-30T12:00:00Z'), 'day', 'Europe/Paris');
    expect([iso(spring.start), iso(spring.end)]).toEqual([
      '2025-03-29T23:00:00.000Z',
      '2025-03-30T22:00:00.000Z',
    ]);
  });

  it('makes calendar months in the zone, across a year end', () => {
    const december = periodOf(Date.parse('2024-12-31T23:30:00Z'), 'month', 'Europe/Berlin');
    expect(december.label).toBe('2025-01');
    expect(iso(december.start)).toBe('2024-12-31T23:00:00.000Z');
    const february = periodOf(Date.parse('2025-02-01T00:05:00Z'), 'month', 'UTC');
    expect([february.label, iso(february.end)]).toEqual(['2025-02', '2025-03-01T00:00:00.000Z']);
  });
});
