/**
 * One figure of a benchmark run, with the baseline it is compared with in the
 * same run: a ratio is what stays meaningful on a shared, noisy machine.
 */
export interface BenchFigure {
  /** Stable key, for comparing runs: `ingest.events_per_s`. */
  id: string;
  what: string;
  value: number;
  unit: string;
  baseline?: { what: string; value: number };
  /** value / baseline. */
  ratio?: number;
  target?: string;
  /** Whether the target holds; undefined when there is none. */
  met?: boolean;
  notes?: string;
}

export interface BenchRun {
  startedAt: string;
  machine: { cpus: number; model: string; memoryGiB: number; node: string };
  options: Record<string, unknown>;
  figures: BenchFigure[];
}

export function figure(entry: Omit<BenchFigure, 'ratio'> & { ratio?: number }): BenchFigure {
  const ratio = entry.ratio ?? (entry.baseline ? entry.value / entry.baseline.value : undefined);
  return { ...entry, ratio };
}
