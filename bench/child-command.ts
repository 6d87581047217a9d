import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOwner } from '../api/owner-file.ts';
import { postToOwner } from '../cli/owner-client.ts';
import { packageRoot } from '../lib/config.ts';
import { sleep } from '../lib/retry.ts';

/**
 * A long-running `llmcost` command in a child process, as it runs in
 * production, with a data directory of its own (removed at stop) on the
 * benchmark's broker; reached through its HTTP API with the owner token of
 * its data directory.
 */
export class ChildCommand {
  protected readonly child: ChildProcess;
  protected owner?: { url: string; token: string };
  private readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-bench-'));
  private output = '';

  /** `nodeArgs` go to the child's node, e.g. --cpu-prof for a profile of the run. */
  constructor(
    private readonly args: string[],
    options: {
      brokers: string;
      topicPrefix: string;
      env?: Record<string, string>;
      nodeArgs?: string[];
    },
  ) {
    this.child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        path.join(packageRoot, 'bin/llmcost.js'),
        ...args,
        '--port',
        '0',
      ],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: options.brokers,
          LLMCOST_TOPIC_PREFIX: options.topicPrefix,
          LLMCOST_DATA_DIR: this.dataDir,
          LOG_LEVEL: 'warn',
          ...options.env,
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

  /** Waits until the command serves its API and says it is ready. */
  async ready(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`llmcost ${this.args[0]} exited early:\n${this.output.slice(-2_000)}`);
      }
      this.owner = readOwner(path.join(this.dataDir, 'owner.json'));
      if (
        this.owner &&
        (await fetch(`${this.owner.url}/ready`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        return;
      }
      await sleep(200);
    }
    throw new Error(`llmcost ${this.args[0]} did not become ready`);
  }

  /** What the command's /health says of its memory, in MiB. */
  async memoryMiB(): Promise<{ rss: number; heap: number; external: number }> {
    const response = await fetch(`${this.api().url}/health`);
    return (
      (await response.json()) as { memoryMiB: { rss: number; heap: number; external: number } }
    ).memoryMiB;
  }

  async sql<T = Record<string, string>>(query: string): Promise<T[]> {
    const body = await postToOwner<{ rows: T[] }>(this.api(), '/api/sql', { query });
    return body.rows;
  }

  async put(pathname: string, body: unknown): Promise<void> {
    const owner = this.api();
    const response = await fetch(`${owner.url}${pathname}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`PUT ${pathname}: ${response.status} ${await response.text()}`);
  }

  /** Stops the command with SIGTERM (SIGKILL after 30 s) and removes its data directory. */
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  private api(): { url: string; token: string } {
    if (!this.owner) throw new Error(`llmcost ${this.args[0]} is not ready`);
    return this.owner;
  }
}
