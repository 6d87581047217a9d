import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readOwner } from '../api/owner-file.ts';
import { CostEventProducer } from '../producers/cost-event-producer.ts';
import { spawnCli, type CliProcess } from './helpers/cli.ts';
import { freshTopics, testKafka, testLogger, waitFor } from './helpers/infra.ts';

describe('OTEL_METRICS_EXPORTER=prometheus', () => {
  const kafka = testKafka();
  let pricing: CliProcess | undefined;

  afterAll(async () => {
    pricing?.child.kill('SIGTERM');
    await pricing?.exited;
  });

  it('serves the cost counters by touchpoint at /metrics of the command', async () => {
    const topics = await freshTopics(kafka);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-prom-'));
    pricing = spawnCli(['pricing', '--port', '0'], {
      KAFKA_BROKERS: inject('kafkaBrokers'),
      LLMCOST_TOPIC_PREFIX: topics.calls.slice(0, -'llm.calls.v1'.length),
      LLMCOST_DATA_DIR: dataDir,
      OTEL_METRICS_EXPORTER: 'prometheus',
    });
    const owner = await waitFor('the pricing process', async () =>
      readOwner(path.join(dataDir, 'owner.json')),
    );

    const producer = new CostEventProducer({ kafka, topics, logger: testLogger });
    await producer.record({
      tenantId: 'acme',
      touchpoint: 'pii-sanitizer',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 1_000, outputTokens: 100 },
    });
    await producer.close();

    const text = await waitFor('the counters', async () => {
      const body = await (await fetch(`${owner.url}/metrics`)).text();
      return /llmcost_cost\w*\{[^}]*touchpoint="pii-sanitizer"/.test(body) ? body : undefined;
    });
    expect(text).toMatch(/llmcost_tokens\w*\{[^}]*class="inputTokens"[^}]*\} 1000/);
    expect(text).toMatch(/llmcost_consumer_batch_size/);
    expect(text).not.toMatch(/tenant="acme"/);
  });
});
