import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertIdOf } from '../consumers/alerting/alert-id.ts';
import type { AlertingService } from '../consumers/alerting/alerting-service.ts';
import { DeliveryOutbox } from '../consumers/alerting/notifiers/outbox.ts';
import { AvroCodec } from '../schemas/codec.ts';
import type { CostAlert } from '../schemas/cost-alert.ts';
import { SchemaRegistry } from '../schemas/registry.ts';
import { alertingFixture, type AlertingFixture } from './alerting-fixture.ts';
import { httpReceiver, mailHeader, smtpReceiver } from './alerting-receivers.ts';
import { waitFor } from './helpers/infra.ts';

function alert(dedupeKey: string): CostAlert {
  return {
    alertId: alertIdOf(dedupeKey),
    dedupeKey,
    type: 'budget.exceeded',
    severity: 'critical',
    summary: `test alert ${dedupeKey}`,
    scope: 'tenant=t1',
    tenantId: 't1',
    budget: {
      budgetId: 'tenant=t1|day',
      period: 'day',
      timeZone: 'UTC',
      limitUsd: '10',
      threshold: '1',
    },
    periodStart: null,
    periodEnd: null,
    spendUsd: '10.5',
    projectedUsd: null,
    incomplete: false,
    unpricedRequests: 0,
    triggeredBy: null,
    spike: null,
    details: {},
    raisedAt: Date.now(),
  };
}

describe('delivery retries, failing channels and recovery', () => {
  const codec = new AvroCodec<CostAlert>(new SchemaRegistry(), 'cost-alert');
  let f: AlertingFixture;
  let producer: Producer;
  let service: AlertingService;
  let slackFailures = 2;

  async function startFlakyReceivers() {
    // Slack refuses twice, then accepts; the webhook is down for good.
    const [slack, pagerduty, webhook, smtp] = await Promise.all([
      httpReceiver(() => (slackFailures-- > 0 ? 503 : 200)),
      httpReceiver(),
      httpReceiver(() => 503),
      smtpReceiver(),
    ]);
    const close = () =>
      Promise.all([slack.close(), pagerduty.close(), webhook.close(), smtp.close()]);
    return { slack, pagerduty, webhook, smtp, close };
  }

  const publish = async (value: CostAlert) => {
    await producer.send({
      topic: f.topics.alerts,
      messages: [{ key: value.alertId, ...codec.encode(value) }],
    });
  };

  beforeAll(async () => {
    f = await alertingFixture({
      groupPrefix: 'delivery-test.',
      receivers: await startFlakyReceivers(),
    });
    service = await f.startService({
      delivery: {
        retry: { minDelayMs: 50, maxDelayMs: 200, maxAttempts: 4 },
        failingAfter: 3,
        scanIntervalMs: 300,
      },
    });
    // Alerts are published here directly: the notifier is what is under test.
    producer = f.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await f?.close();
  });

  it('retries a flaky channel until it accepts, once', async () => {
    const first = alert('flaky');
    await publish(first);
    await publish(first);
    await waitFor('slack delivery', async () =>
      f.receivers.slack.received.length > 0 ? true : undefined,
    );
    await waitFor('pagerduty and email', async () =>
      f.receivers.pagerduty.received.length > 0 && f.receivers.smtp.received.length > 0
        ? true
        : undefined,
    );
    expect(f.receivers.slack.received.filter((r) => r.body.includes(first.alertId))).toHaveLength(
      1,
    );
    // The dead webhook's own report may reach PagerDuty meanwhile; it is checked below.
    const paged = f.receivers.pagerduty.received.filter(
      (r) => (r.json.payload as Record<string, unknown>).class === 'budget.exceeded',
    );
    expect(paged.map((r) => r.json.dedup_key)).toEqual([first.alertId]);
  });

  it('gives up on a dead channel, lists the delivery, reports the channel elsewhere', async () => {
    const failed = await waitFor('the webhook delivery to give up', async () => {
      const deliveries = await service.outbox.failed();
      return deliveries.length > 0 ? deliveries : undefined;
    });
    expect(failed.map((d) => [d.channel, d.attempts])).toEqual([['webhook', 4]]);
    expect(failed[0]!.lastError).toMatch(/HTTP 503/);

    const report = await waitFor('the failing channel report by email', async () =>
      f.receivers.smtp.received.find(
        (m) => mailHeader(m.raw, 'X-Llmcost-Alert-Type') === 'notifier.channel_failing',
      ),
    );
    expect(report.raw).toMatch(/channel: webhook/);
    await waitFor('the report on pagerduty', async () =>
      f.receivers.pagerduty.received.find((r) => {
        const payload = r.json.payload as Record<string, unknown>;
        return payload.class === 'notifier.channel_failing' ? true : undefined;
      }),
    );
  });

  it('delivers what a crashed instance left in the outbox, with its idempotency key', async () => {
    const orphan = alert('orphan');
    const crashed = new DeliveryOutbox(f.store.client, 'crashed-instance', 0);
    await crashed.save([
      {
        alert: orphan,
        channel: 'pagerduty',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: Date.now(),
        lastError: '',
      },
    ]);

    await waitFor('the orphaned delivery', async () =>
      f.receivers.pagerduty.received.find((r) => r.json.dedup_key === orphan.alertId),
    );
    await waitFor('its record', async () => {
      const pending = await service.outbox.pending(Date.now());
      return pending.some((d) => d.alert.alertId === orphan.alertId) ? undefined : true;
    });
    expect(
      f.receivers.pagerduty.received.filter((r) => r.json.dedup_key === orphan.alertId),
    ).toHaveLength(1);
  });
});
