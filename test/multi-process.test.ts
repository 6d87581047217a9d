import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, inject, it } from 'vitest';
import { replayTrace } from '../cli/replay/replay-trace.ts';
import { sleep } from '../lib/retry.ts';
import { spawnCli, type CliProcess } from './helpers/cli.ts';
import { CONV_TRACE, expectConvTraceStoredOnce } from './helpers/conversation-trace.ts';
import {
  clickHouseEnv,
  freshStore,
  freshTopics,
  testKafka,
  testLogger,
  waitForLag0,
} from './helpers/infra.ts';

// The embedded store belongs to one process; several pricing processes need a
// ClickHouse server. This runs when CLICKHOUSE_URL points at one.
describe.runIf(inject('clickhouse'))('three `llmcost pricing` processes on one server', () => {
  const kafka = testKafka();
  const processes: CliProcess[] = [];

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
  });

  it('share the work through their group, survive a SIGKILL, count each call once', async () => {
    const store = await freshStore();
    const topics = await freshTopics(kafka, 6);
    const prefix = topics.calls.slice(0, -'llm.calls.v1'.length);
    const start = () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-proc-'));
      const cli = spawnCli(['pricing'], {
        KAFKA_BROKERS: inject('kafkaBrokers'),
        LLMCOST_TOPIC_PREFIX: prefix,
        LLMCOST_DATA_DIR: dataDir,
        LLMCOST_PORT: '0',
        ...clickHouseEnv(store.database),
      });
      processes.push(cli);
      return cli;
    };

    const first = [start(), start(), start()];
    const replay = replayTrace(
      kafka,
      topics,
      CONV_TRACE,
      {
        provider: 'openai',
        model: 'gpt-4o',
        touchpoint: 'main-chat',
        tenants: 20,
        users: 50,
        rebase: 'now',
        shiftDays: 0,
      },
      testLogger,
    );
    await sleep(3_000);
    first[1]!.child.kill('SIGKILL');
    start();
    await replay;

    const admin = kafka.admin();
    await admin.connect();
    await waitForLag0(admin, `${prefix}llmcost-pricing`, topics.calls, 180_000);
    await admin.disconnect();

    await expectConvTraceStoredOnce(store);
    await store.close();
  });
});
