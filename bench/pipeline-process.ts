import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOwner } from '../api/owner-file.ts';
import { packageRoot } from '../lib/config.ts';
import { sleep } from '../lib/retry.ts';
import { postToOwner } from '../cli/owner-client.ts';

/**
 * A standalone `llmcost pricing` in a child process, as it runs in
 * production, with its own data directory and embedded store; queried
 * through its internal API, its memory read from /proc.
 */
export class PricingProcess {
  private readonly child: ChildProcess;
  private readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-bench-pricing-'));
  private owner?: { url: string; token: string };
  private output = '';

  /** `nodeArgs` go to the child's node, e.g. --cpu-prof for a profile of the run. */
  constructor(brokers: string, topicPrefix: string, nodeArgs: string[] = []) {
    this.child = spawn(
      process.execPath,
      [...nodeArgs, path.join(packageRoot, 'bin/llmcost.js'), 'pricing', '--port', '0'],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers,
          LLMCOST_TOPIC_PREFIX: topicPrefix,
          LLMCOST_DATA_DIR: this.dataDir,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Waits until the process serves its API (it has joined its group by then). */
  async ready(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`llmcost pricing exited early:\n${this.output.slice(-2_000)}`);
      }
      this.owner = readOwner(path.join(this.dataDir, 'owner.json'));
      if (this.owner) {
        const ready = await fetch(`${this.owner.url}/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) return;
      }
      await sleep(200);
    }
    throw new Error('llmcost pricing did not become ready');
  }

  async sql<T = Record<string, string>>(query: string): Promise<T[]> {
    if (!this.owner) throw new Error('not ready');
    const body = await postToOwner<{ rows: T[] }>(this.owner, '/api/sql', { query });
    return body.rows;
  }

  /** Resident and peak resident memory of the process, in MiB (from /proc). */
  memory(): { rssMiB: number; peakMiB: number } {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  }

  /** Memory the embedded ClickHouse engine accounts for itself, in MiB. */
  async storeMemoryMiB(): Promise<number> {
    const [row] = await this.sql<{ value: string }>(
      "SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'",
    );
    return Number(row?.value ?? 0) / 1024 / 1024;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
