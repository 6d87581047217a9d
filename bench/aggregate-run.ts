import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../lib/config.ts';
import type { BenchFigure } from './result.ts';

/**
 * Runs bench/aggregate.ts in a process of its own (it holds an embedded
 * store of millions of rows, and a process holds one store at a time) and
 * reads back its figures.
 */
export async function benchAggregate(
  calls: number,
  say: (line: string) => void,
): Promise<BenchFigure[]> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-agg-')), 'figures.json');
  say(`aggregation over ${calls.toLocaleString('en-US')} calls (bench/aggregate.ts)`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(packageRoot, 'bench/aggregate.ts'),
      '--calls',
      String(calls),
      '--figures',
      out,
    ],
    { cwd: packageRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`bench/aggregate.ts exited with ${code}`);
  return JSON.parse(fs.readFileSync(out, 'utf8')) as BenchFigure[];
}
