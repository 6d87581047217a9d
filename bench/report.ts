import fs from 'node:fs';
import type { BenchFigure, BenchRun } from './result.ts';

const START = '<!-- latest:start -->';
const END = '<!-- latest:end -->';

function number(value: number): string {
  return Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toFixed(value < 1 ? 3 : 1);
}

/** The run as a Markdown table: figure, baseline, ratio, target. */
export function markdownTable(run: BenchRun): string {
  const header = '| figure | value | baseline | ratio | target | met |\n|---|---|---|---|---|---|';
  const lines = run.figures.map((f) => {
    const baseline = f.baseline ? `${number(f.baseline.value)} (${f.baseline.what})` : '';
    const ratio = f.ratio === undefined ? '' : f.ratio.toFixed(2);
    const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**';
    const notes = f.notes ? ` — ${f.notes}` : '';
    return (
      `| ${f.what} \`${f.id}\`${notes} | ${number(f.value)} ${f.unit} | ${baseline} | ` +
      `${ratio} | ${f.target ?? ''} | ${met} |`
    );
  });
  const { machine } = run;
  const about =
    `Run ${run.startedAt} on ${machine.cpus} × ${machine.model}, ` +
    `${machine.memoryGiB} GiB, Node ${machine.node}; options ${JSON.stringify(run.options)}.`;
  return `${about}\n\n${header}\n${lines.join('\n')}\n`;
}

/** Replaces the latest table in BENCHMARKS.md, keeping its history by hand below. */
export function writeBenchmarksFile(file: string, run: BenchRun): void {
  const table = `${START}\n${markdownTable(run)}${END}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const next =
    current.includes(START) && current.includes(END)
      ? current.slice(0, current.indexOf(START)) +
        table +
        current.slice(current.indexOf(END) + END.length)
      : `# Benchmarks\n\n## Latest\n\n${table}\n\n## History\n`;
  fs.writeFileSync(file, next);
}

/** Each figure against the same figure of an earlier run. */
export function compareRuns(current: BenchRun, previous: BenchRun): string {
  const before = new Map(previous.figures.map((f) => [f.id, f]));
  return current.figures
    .map((f: BenchFigure) => {
      const old = before.get(f.id);
      if (!old) return `${f.id}: ${number(f.value)} ${f.unit} (new)`;
      const change = old.value === 0 ? 0 : (f.value / old.value - 1) * 100;
      const ratios =
        f.ratio !== undefined && old.ratio !== undefined
          ? `; ratio ${old.ratio.toFixed(2)} → ${f.ratio.toFixed(2)}`
          : '';
      return (
        `${f.id}: ${number(old.value)} → ${number(f.value)} ${f.unit} ` +
        `(${change >= 0 ? '+' : ''}${change.toFixed(1)}%${ratios})`
      );
    })
    .join('\n');
}
