import { describe, expect, it } from 'vitest';
import { addDays, daysInRange, mondayOf, periodsCovering, previousRange } from './local-dates.ts';

describe('calendar dates', () => {
  it('step over month, year and leap-day ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(daysInRange('2025-01-01', '2025-01-01')).toBe(1);
    expect(daysInRange('2024-01-01', '2024-12-31')).toBe(366);
  });

  it('find the Monday of ISO weeks across a year end', () => {
    expect(mondayOf('2025-01-01')).toBe('2024-12-30');
    expect(mondayOf('2024-12-30')).toBe('2024-12-30');
    expect(mondayOf('2025-01-05')).toBe('2024-12-30');
  });

  it('cover a range with whole periods, marking the cut ones partial', () => {
    expect(periodsCovering('2025-01-29', '2025-03-02', 'month')).toEqual([
      { period: '2025-01-01', startDate: '2025-01-29', endDate: '2025-01-31', partial: true },
      { period: '2025-02-01', startDate: '2025-02-01', endDate: '2025-02-28', partial: false },
      { period: '2025-03-01', startDate: '2025-03-01', endDate: '2025-03-02', partial: true },
    ]);
    const weeks = periodsCovering('2025-01-01', '2025-01-13', 'week');
    expect(weeks.map((w) => [w.period, w.partial])).toEqual([
      ['2024-12-30', true],
      ['2025-01-06', false],
      ['2025-01-13', true],
    ]);
    expect(periodsCovering('2025-01-01', '2025-01-03', 'day')).toHaveLength(3);
  });

  it('take the previous range of the same length', () => {
    expect(previousRange('2025-03-01', '2025-03-31')).toEqual({
      startDate: '2025-01-29',
      endDate: '2025-02-28',
    });
  });
});
