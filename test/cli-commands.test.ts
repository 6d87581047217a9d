import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { spawnCli } from './helpers/cli.ts';

async function cli(args: string[], env: Record<string, string>) {
  const run = spawnCli(args, env);
  const code = await run.exited;
  return { code, output: run.output() };
}

describe('the llmcost command, as a user runs it', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-cli-'));
  const env = {
    LLMCOST_DATA_DIR: dataDir,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    LLMCOST_TOPIC_PREFIX: `cli${Date.now()}.`,
  };

  it('doctor names what is missing and how to fix it, then passes once it is set up', async () => {
    const before = await cli(['doctor'], env);
    expect(before.code).toBe(1);
    expect(before.output).toMatch(/FAIL\s+topics\s+missing: .*\n.*→ run `llmcost topics`/);
    expect(before.output).toMatch(/FAIL\s+migrations[^\n]*\n.*→ run `llmcost migrate`/);

    expect((await cli(['topics'], env)).output).toMatch(/^created: /);
    expect((await cli(['migrate'], env)).output).toMatch(/^applied: 001_llm_calls/);
    expect((await cli(['migrate'], env)).output).toBe('up to date\n');

    const after = await cli(['doctor'], env);
    expect(after.output).not.toMatch(/FAIL/);
    expect(after.code).toBe(0);
  });

  it('answers read-only SQL as a table, CSV or JSON, and refuses anything else', async () => {
    const table = await cli(['sql', "SELECT 1 AS one, 'a,b' AS text"], env);
    expect(table.output).toBe('one  text\n---  ----\n  1  a,b\n(1 row)\n');
    expect(
      (await cli(['sql', '--format', 'csv', "SELECT 1 AS one, 'a,b' AS text"], env)).output,
    ).toBe('one,text\n1,"a,b"\n');
    const drop = await cli(['sql', 'DROP TABLE llm_calls'], env);
    expect(drop.code).toBe(1);
    expect(drop.output).toMatch(/only queries that read run here/);

    // What the statement check lets through, the read-only session refuses.
    const file = await cli(['sql', "SELECT * FROM file('/etc/hostname', 'LineAsString')"], env);
    expect(file.code).toBe(1);
    expect(file.output).toMatch(/readonly/i);
    const huge = await cli(
      ['sql', 'SELECT repeat(toString(number), 1000000) FROM numbers(200)'],
      env,
    );
    expect(huge.code).toBe(1);
    expect(huge.output).toMatch(/Limit for result exceeded/i);
  });

  it('says what is wrong with bad input, without a stack trace', async () => {
    const badUsage = await cli(
      ['price', '--provider', 'openai', '--model', 'gpt-4o', '--usage', '{"prompt_tokens": -3}'],
      env,
    );
    expect(badUsage.code).toBe(1);
    expect(badUsage.output).toMatch(/prompt_tokens: expected a token count, got -3/);
    expect(badUsage.output).not.toMatch(/ at /);

    const badBrokers = await cli(['topics'], { ...env, KAFKA_BROKERS: 'not a broker' });
    expect(badBrokers.code).toBe(2);
    expect(badBrokers.output).toMatch(/KAFKA_BROKERS is invalid/);

    const unreachable = await cli(['topics'], { ...env, KAFKA_BROKERS: '127.0.0.1:1' });
    expect(unreachable.output).toMatch(/cannot reach Kafka at 127\.0\.0\.1:1 \(KAFKA_BROKERS\)/);
  });
});
