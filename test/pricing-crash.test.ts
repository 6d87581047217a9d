import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { openClickHouse } from '../clickhouse/client.ts';
import { replayTrace } from '../cli/replay/replay-trace.ts';
import { sleep } from '../lib/retry.ts';
import { spawnCli, type CliProcess } from './helpers/cli.ts';
import { CONV_TRACE, expectConvTraceStoredOnce } from './helpers/conversation-trace.ts';
import { freshTopics, testKafka, testLogger, waitFor, waitForLag0 } from './helpers/infra.ts';

const KILLS = 3;

describe('a standalone `llmcost pricing` killed with SIGKILL during a replay', () => {
  const kafka = testKafka();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-crash-'));
  let current: CliProcess | undefined;

  afterAll(async () => {
    current?.child.kill('SIGKILL');
    await current?.exited;
  });

  it('loses nothing and counts nothing twice after restarts', async () => {
    const topics = await freshTopics(kafka);
    const prefix = topics.calls.slice(0, -'llm.calls.v1'.length);
    const env = {
      KAFKA_BROKERS: inject('kafkaBrokers'),
      LLMCOST_TOPIC_PREFIX: prefix,
      LLMCOST_DATA_DIR: dataDir,
      LLMCOST_PORT: '0',
      // 'pricing ready' is an info line.
      LOG_LEVEL: 'info',
    };
    const start = () => (current = spawnCli(['pricing'], env));

    start();
    const replay = replayTrace(
      kafka,
      topics,
      CONV_TRACE,
      {
        provider: 'openai',
        model: 'gpt-4o',
        touchpoint: 'main-chat',
        tenants: 5,
        users: 20,
        rebase: 'now',
        shiftDays: 0,
      },
      testLogger,
    );
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(1_500 + Math.random() * 3_000);
      current!.child.kill('SIGKILL');
      await current!.exited;
      start();
    }
    await replay;

    const admin = kafka.admin();
    await admin.connect();
    await waitForLag0(admin, `${prefix}llmcost-pricing`, topics.calls, 120_000);
    await admin.disconnect();
    // The last restart may find nothing left to do; the graceful stop is
    // checked on a consumer that has started, not on one still loading.
    await waitFor('the restarted consumer to be ready', async () =>
      current!.output().includes('pricing ready') ? true : undefined,
    );
    current!.child.kill('SIGTERM');
    expect(await current!.exited).toBe(0);

    const store = await openClickHouse({
      database: 'default',
      embeddedPath: path.join(dataDir, 'clickhouse'),
    });
    try {
      await expectConvTraceStoredOnce(store);
    } finally {
      await store.close();
    }
  });
});
