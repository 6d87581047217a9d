import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadAllBranches, loadAllConversations } from '../compaction-worker/datasets/load-all.ts';
import { TokenCounting } from '../compaction-worker/tokens/token-counting.ts';
import type { CompactionWorker } from '../compaction-worker/worker/compaction-worker.ts';
import type { CompactionResult } from '../compaction-worker/worker/request.ts';
import { packageRoot } from '../lib/config.ts';
import type { TopicNames } from '../infra/topics.ts';
import { startWorker } from './compaction-helpers.ts';
import { freshTopics, testKafka } from './helpers/infra.ts';

const run = promisify(execFile);
const kafka = testKafka('compaction-cli-test');
const counting = new TokenCounting();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-compact-'));
let topics: TopicNames;
let worker: CompactionWorker;

beforeAll(async () => {
  topics = await freshTopics(kafka, 2);
  worker = await startWorker(kafka, topics, counting);
});

afterAll(async () => {
  await worker?.stop();
  counting.close();
});

/** Runs `llmcost compact` against the test broker and the test's topics. */
async function llmcost(args: string[]) {
  const env = {
    ...process.env,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    LLMCOST_TOPIC_PREFIX: topics.calls.replace('llm.calls.v1', ''),
    LLMCOST_DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'warn',
  };
  try {
    const { stdout } = await run('node', [path.join(packageRoot, 'bin', 'llmcost.js'), ...args], {
      env,
    });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

function writeJson(name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('llmcost compact', () => {
  const tau = loadAllConversations().find((c) => c.source === 'tau-bench')!;

  it('runs one compaction through the topics and prints the result object', async () => {
    const file = writeJson('tau.json', { messages: tau.messages, pinned: [1] });
    const { code, stdout } = await llmcost([
      'compact',
      file,
      '--strategy',
      'sliding-window',
      '--budget',
      '3000',
      '--format',
      'json',
      '--options',
      '{"summarise": true}',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as CompactionResult;
    expect(result).toMatchObject({
      status: 'ok',
      strategy: 'sliding-window',
      fitsBudget: true,
      method: 'local',
    });
    expect(result.tokensAfter).toBeLessThanOrEqual(3_000);
    expect(result.messages).toContainEqual(tau.messages[1]);
    expect(result.summarised.length).toBeGreaterThan(0);
  });

  it('merges {main, branch} files and prints the figures for a person', async () => {
    const pair = loadAllBranches()[0]!;
    const file = writeJson('branches.json', { main: pair.main, branch: pair.branch });
    const { code, stdout } = await llmcost([
      'compact',
      file,
      '--strategy',
      'merge-minimal',
      '--budget',
      '100000',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^strategy merge-minimal · model gpt-4o \(exact counts\) · method none · nothing removed/,
    );
    expect(stdout).toMatch(/tokens [\d,]+ → [\d,]+ of 100,000/);
  });

  it('runs in process with --local, Anthropic blocks accepted', async () => {
    const recording = loadAllConversations().find((c) => c.source === 'anthropic-recording')!;
    const file = writeJson('anthropic.json', {
      messages: recording.messages,
      tools: recording.tools,
    });
    const { code, stdout } = await llmcost([
      'compact',
      file,
      '--strategy',
      'semantic',
      '--budget',
      '200',
      '--model',
      'claude-sonnet-4-0',
      '--local',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\(estimated counts\)/);
  });

  it('refuses an unknown strategy with the list of known ones', async () => {
    const file = writeJson('plain.json', [{ role: 'user', content: 'hi' }]);
    const { code, stderr } = await llmcost([
      'compact',
      file,
      '--strategy',
      'squash',
      '--budget',
      '10',
      '--local',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/known strategies: none, sliding-window, semantic, hybrid, merge-none/);
  });
});
