import { ValidationError } from '../../lib/errors.ts';

export const PERIODS = ['day', 'month'] as const;
export type PeriodKind = (typeof PERIODS)[number];

/** One budget window: a local day or calendar month in a time zone, as UTC instants. */
export interface PeriodWindow {
  /** Inclusive, epoch milliseconds. */
  start: number;
  /** Exclusive, epoch milliseconds. */
  end: number;
  /** The local date that names the window: `2025-02-01` for a day, `2025-02` for a month. */
  label: string;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a ValidationError naming the zone when it is not an IANA time zone. */
export function checkTimeZone(timeZone: string): string {
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    throw new ValidationError('time zone', [
      { path: 'timeZone', message: `'${timeZone}' is not an IANA time zone (Europe/Paris …)` },
    ]);
  }
}

/** The day or month of `instant` in `timeZone`. */
export function periodOf(instant: number, kind: PeriodKind, timeZone: string): PeriodWindow {
  const local = localDate(instant, timeZone);
  if (kind === 'day') {
    const next = addDays(local, 1);
    return {
      start: startOfLocalDay(local, timeZone),
      end: startOfLocalDay(next, timeZone),
      label: dateLabel(local),
    };
  }

  const first = { year: local.year, month: local.month, day: 1 };
  const following =
    local.month === 12
      ? { year: local.year + 1, month: 1, day: 1 }
      : { ...first, month: first.month + 1 };
  return {
    start: startOfLocalDay(first, timeZone),
    end: startOfLocalDay(following, timeZone),
    label: dateLabel(first).slice(0, 7),
  };
}

/** The window before `window` of the same kind. */
export function previousPeriod(window: PeriodWindow, kind: PeriodKind, timeZone: string) {
  return periodOf(window.start - 1, kind, timeZone);
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, cached);
  }
  return cached;
}

/** The wall-clock reading of an instant in a zone, as if that reading were UTC. */
function wallClock(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const seconds = Math.floor(instant / 1000) * 1000;
  const millis = instant - seconds;
  return (
    Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) +
    millis
  );
}

function localDate(instant: number, timeZone: string): LocalDate {
  const wall = new Date(wallClock(instant, timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/**
 * The first instant of a local date. The zone's offset is read at a first
 * guess and again at the corrected instant, which settles across a DST
 * change; where midnight itself does not exist (a spring-forward at 00:00)
 * the day starts at the first instant whose local date is that date.
 */
function startOfLocalDay(date: LocalDate, timeZone: string): number {
  const midnight = Date.UTC(date.year, date.month - 1, date.day);
  let guess = midnight - (wallClock(midnight, timeZone) - midnight);
  guess = midnight - (wallClock(guess, timeZone) - guess);

  const wall = wallClock(guess, timeZone);
  if (wall < midnight) guess += midnight - wall;
  return guess;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

function dateLabel(date: LocalDate): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}
