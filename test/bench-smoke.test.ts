import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { packageRoot } from '../lib/config.ts';

describe('npm run bench on a tiny N', () => {
  it('runs, checks the pipeline total, and reports every figure (no speed asserted)', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(packageRoot, 'bin/bench.js'),
        '--calls',
        '300',
        '--rate',
        '100',
        '--seconds',
        '2',
        '--only',
        'ingest,latency,tokens',
        '--no-write',
      ],
      {
        env: { ...process.env, KAFKA_BROKERS: inject('kafkaBrokers') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code, output).toBe(0);
    for (const id of [
      'ingest.transport_events_per_s',
      'ingest.store_rows_per_s',
      'ingest.events_per_s',
      'memory.pricing_peak_rss_mib',
      'latency.p99_ms',
      'tokens.counting_mb_per_s',
    ]) {
      expect(output).toContain(`\`${id}\``);
    }
  });
});
