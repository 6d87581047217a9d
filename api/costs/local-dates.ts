import type { Granularity } from './cost-fields.ts';

/**
 * Calendar arithmetic on dates written `YYYY-MM-DD`. A date here is a day of
 * the requested time zone, not an instant, so the arithmetic runs on UTC
 * midnights, where every day has 24 hours.
 */
const DAY_MS = 86_400_000;

function toEpochDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function fromEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The date `days` days after (or, negative, before) `date`. */
export function addDays(date: string, days: number): string {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Days from `from` to `to`, both included: 1 for the same date. */
export function daysInRange(from: string, to: string): number {
  return toEpochDay(to) - toEpochDay(from) + 1;
}

/** The Monday of the ISO week that holds `date`. */
export function mondayOf(date: string): string {
  const day = toEpochDay(date);
  const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7;
  return fromEpochDay(day - weekday);
}

/** The first day of the month that holds `date`. */
export function monthStartOf(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** The first day of the period of `granularity` that holds `date`. */
export function periodStartOf(date: string, granularity: Granularity): string {
  if (granularity === 'week') return mondayOf(date);
  if (granularity === 'month') return monthStartOf(date);
  return date;
}

function nextPeriodStart(start: string, granularity: Granularity): string {
  if (granularity === 'day') return addDays(start, 1);
  if (granularity === 'week') return addDays(start, 7);

  const [year, month] = start.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
}

/** One period of a series, cut to the requested range. */
export interface PeriodSlot {
  /** The period's first day (a Monday for weeks, the 1st for months). */
  period: string;
  /** The days of the period inside the requested range. */
  startDate: string;
  endDate: string;
  /** True when the range covers only part of the period. */
  partial: boolean;
}

/** Every period of `granularity` that meets [from, to], in order, with no gaps. */
export function periodsCovering(from: string, to: string, granularity: Granularity): PeriodSlot[] {
  const slots: PeriodSlot[] = [];
  for (let start = periodStartOf(from, granularity); start <= to;) {
    const next = nextPeriodStart(start, granularity);
    const last = addDays(next, -1);
    const startDate = start < from ? from : start;
    const endDate = last > to ? to : last;
    slots.push({
      period: start,
      startDate,
      endDate,
      partial: startDate !== start || endDate !== last,
    });
    start = next;
  }
  return slots;
}

/** The range of the same number of days that ends the day before `from`. */
export function previousRange(from: string, to: string): { startDate: string; endDate: string } {
  const days = daysInRange(from, to);
  return { startDate: addDays(from, -days), endDate: addDays(from, -1) };
}
