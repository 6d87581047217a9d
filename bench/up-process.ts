import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOwner } from '../api/owner-file.ts';
import { postToOwner } from '../cli/owner-client.ts';
import { packageRoot } from '../lib/config.ts';
import { sleep } from '../lib/retry.ts';

/**
 * `llmcost up --no-demo` in a child process on the benchmark's broker, with
 * its own data directory and extra environment (alert channels …); reached
 * through its API with the owner token of its data directory.
 */
export class UpProcess {
  private readonly child: ChildProcess;
  private readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-bench-up-'));
  private owner?: { url: string; token: string };
  private output = '';

  constructor(brokers: string, topicPrefix: string, env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      [path.join(packageRoot, 'bin/llmcost.js'), 'up', '--no-demo', '--port', '0'],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers,
          LLMCOST_TOPIC_PREFIX: topicPrefix,
          LLMCOST_DATA_DIR: this.dataDir,
          LOG_LEVEL: 'warn',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  async ready(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`llmcost up exited early:\n${this.output.slice(-2_000)}`);
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
      await sleep(250);
    }
    throw new Error('llmcost up did not become ready');
  }

  async put(pathname: string, body: unknown): Promise<void> {
    if (!this.owner) throw new Error('not ready');
    const response = await fetch(`${this.owner.url}${pathname}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`PUT ${pathname}: ${response.status} ${await response.text()}`);
  }

  sql<T>(query: string): Promise<{ rows: T[] }> {
    if (!this.owner) throw new Error('not ready');
    return postToOwner(this.owner, '/api/sql', { query });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
