import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableTelemetry } from '../lib/telemetry-state.ts';
import { alertingFixture, type AlertingFixture } from './alerting-fixture.ts';

// The SDK's in-memory exporters stand where OTLP or Prometheus would: the
// pipeline's own instrumentation is what is under test.
const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 60_000,
});

describe('telemetry of one call from the producer through pricing to alerting', () => {
  let f: AlertingFixture;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({
        spanProcessors: [new SimpleSpanProcessor(spans)],
      }),
    );
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    enableTelemetry({ tracing: true, metrics: true });
    f = await alertingFixture({ groupPrefix: `telemetry${Date.now()}.` });
    await f.startService();
  });

  afterAll(async () => {
    enableTelemetry({ tracing: false, metrics: false });
    await f?.close();
  });

  it('keeps one trace id across the three stages and counts cost by touchpoint', async () => {
    const { eventId } = await f.producer.record({
      tenantId: 'acme',
      touchpoint: 'main-chat',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 2_000, outputTokens: 300 },
    });
    await f.idle();

    const finished = spans.getFinishedSpans();
    const forCall = (name: string) =>
      finished.find(
        (span) => span.name === name && span.attributes['llmcost.event_id'] === eventId,
      );
    const record = forCall('llmcost.record');
    const price = forCall('llmcost.price');
    const evaluate = forCall('llmcost.alerting.evaluate');
    expect(record?.attributes).toMatchObject({
      'llmcost.touchpoint': 'main-chat',
      'gen_ai.request.model': 'gpt-4o',
    });
    const traceId = record!.spanContext().traceId;
    expect(price?.spanContext().traceId).toBe(traceId);
    expect(evaluate?.spanContext().traceId).toBe(traceId);
    expect(price?.parentSpanContext?.spanId).toBe(record!.spanContext().spanId);
    expect(evaluate?.parentSpanContext?.spanId).toBe(price!.spanContext().spanId);

    const batch = finished.find(
      (span) =>
        span.name === 'llmcost.pricing.batch' &&
        span.links.some((link) => link.context.spanId === price!.spanContext().spanId),
    );
    expect(batch).toBeDefined();

    await reader.forceFlush();
    const points = metricExporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
    const cost = points.find((metric) => metric.descriptor.name === 'llmcost.cost');
    const byStage = (stage: string) =>
      cost?.dataPoints.find(
        (point) => point.attributes.stage === stage && point.attributes.touchpoint === 'main-chat',
      );
    // gpt-4o at 2.50 / 10.00 USD per million: 2,000 × 2.5 + 300 × 10 = 8,000 per million.
    expect(byStage('producer')?.value).toBeCloseTo(0.008, 12);
    expect(byStage('pricing')?.value).toBeCloseTo(0.008, 12);
    const tokens = points.find((metric) => metric.descriptor.name === 'llmcost.tokens');
    expect(
      tokens?.dataPoints.find(
        (point) =>
          point.attributes.stage === 'pricing' && point.attributes.class === 'outputTokens',
      )?.value,
    ).toBe(300);
    expect(cost?.dataPoints.every((point) => point.attributes.tenant === undefined)).toBe(true);
  });
});
