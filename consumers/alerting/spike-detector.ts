import { Money, ZERO } from '../../lib/money.ts';

export const HOUR_MS = 3_600_000;
const DAY_HOURS = 24;
/** Scales a median absolute deviation to a standard deviation for normal data. */
const MAD_TO_SIGMA = new Money('1.4826');

/** What counts as a spike; every field is configurable (README: Spikes). */
export interface SpikeSettings {
  /** How many robust standard deviations above the baseline median a spike starts. */
  threshold: Money;
  /** A spike must also be this many USD above the median, so small tenants page nobody. */
  minImpactUsd: Money;
  /** No verdict before the subject has spent for this many hours. */
  minHistoryHours: number;
  /** From this many days of history on, the baseline is the same hour of earlier days. */
  seasonalMinDays: number;
  /** How far back the baseline reaches. */
  baselineDays: number;
  /**
   * The spread never counts as less than this share of the median, so that a
   * perfectly flat history does not turn a cent's difference into a spike.
   */
  minSpreadFraction: Money;
}

export const DEFAULT_SPIKE_SETTINGS: SpikeSettings = {
  threshold: new Money(4),
  minImpactUsd: new Money(5),
  minHistoryHours: 24,
  seasonalMinDays: 3,
  baselineDays: 7,
  minSpreadFraction: new Money('0.1'),
};

export interface SpikeInput {
  /** Start of the hour under test, epoch milliseconds on an hour boundary. */
  hourStart: number;
  observedUsd: Money;
  /** Spend of earlier hours by hour start; hours without spend may be missing. */
  history: Map<number, Money>;
  /** The first hour the subject spent anything, if ever before `hourStart`. */
  firstSeen: number | undefined;
  settings: SpikeSettings;
}

export type SpikeVerdict =
  | { kind: 'insufficient-history'; historyHours: number }
  | {
      kind: 'normal' | 'spike';
      expectedLowUsd: Money;
      expectedHighUsd: Money;
      baselineUsd: Money;
      baselineHours: number;
      seasonal: boolean;
    };

/**
 * Compares an hour's spend with the subject's own recent baseline: the
 * median and the median absolute deviation of earlier hours, robust to the
 * odd spike in the history itself. Once there are `seasonalMinDays` of
 * history the baseline is the same hour of earlier days, so that a busy
 * morning is compared with other mornings. The hour is a spike when it lies
 * above the expected range and at least `minImpactUsd` above the median.
 */
export function detectSpike(input: SpikeInput): SpikeVerdict {
  const { hourStart, settings, firstSeen } = input;
  const historyHours = firstSeen === undefined ? 0 : (hourStart - firstSeen) / HOUR_MS;
  if (historyHours < settings.minHistoryHours) {
    return { kind: 'insufficient-history', historyHours };
  }

  const seasonal = historyHours >= settings.seasonalMinDays * DAY_HOURS;
  const values = baselineValues(input, firstSeen!, seasonal);
  const median = medianOf(values);
  const deviation = medianOf(values.map((value) => value.minus(median).abs()));
  const spread = Money.max(deviation.times(MAD_TO_SIGMA), median.times(settings.minSpreadFraction));
  const margin = spread.times(settings.threshold);

  const expectedLowUsd = Money.max(ZERO, median.minus(margin)).toDecimalPlaces(6);
  const expectedHighUsd = median.plus(margin).toDecimalPlaces(6, Money.ROUND_UP);
  const above = input.observedUsd.gt(expectedHighUsd);
  const impact = input.observedUsd.minus(median);
  return {
    kind: above && impact.gte(settings.minImpactUsd) ? 'spike' : 'normal',
    expectedLowUsd,
    expectedHighUsd,
    baselineUsd: median.toDecimalPlaces(6),
    baselineHours: values.length,
    seasonal,
  };
}

/** The baseline hours: the same hour of earlier days, or every hour since the first seen. */
function baselineValues(input: SpikeInput, firstSeen: number, seasonal: boolean): Money[] {
  const { hourStart, history, settings } = input;
  const earliest = Math.max(firstSeen, hourStart - settings.baselineDays * DAY_HOURS * HOUR_MS);
  const step = seasonal ? DAY_HOURS * HOUR_MS : HOUR_MS;

  const values: Money[] = [];
  for (let hour = hourStart - step; hour >= earliest; hour -= step) {
    values.push(history.get(hour) ?? ZERO);
  }
  return values;
}

function medianOf(values: Money[]): Money {
  if (values.length === 0) return ZERO;
  const sorted = [...values].sort((a, b) => a.comparedTo(b));
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : sorted[middle - 1]!.plus(sorted[middle]!).dividedBy(2);
}
