import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { ConfigError } from './errors.ts';
import type { Logger } from './logger.ts';
import { enableTelemetry } from './telemetry-state.ts';

export interface Telemetry {
  /** Serves the metrics in the Prometheus text format (OTEL_METRICS_EXPORTER=prometheus). */
  prometheus?: (request: IncomingMessage, response: ServerResponse) => void;
  shutdown(): Promise<void>;
}

const METRICS_EXPORTERS = ['otlp', 'prometheus', 'console', 'none'];
const TRACES_EXPORTERS = ['otlp', 'console', 'none'];

function exporterList(env: NodeJS.ProcessEnv, variable: string, allowed: string[]): string[] {
  const names = (env[variable] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.find((name) => !allowed.includes(name));
  if (unknown) {
    throw new ConfigError(`${variable} '${unknown}' is not one of ${allowed.join(', ')}`, {
      variable,
    });
  }
  return names.filter((name) => name !== 'none');
}

/**
 * Starts OpenTelemetry as the standard OTEL_* variables say. Unlike the SDK's
 * own defaults, nothing is exported unless OTEL_TRACES_EXPORTER or
 * OTEL_METRICS_EXPORTER asks for it, so a default run sends nothing anywhere.
 * LLMCOST_METRICS_TENANT=true adds the tenant to cost metrics (one series
 * per tenant: mind the cardinality).
 */
export async function startTelemetry(
  env: NodeJS.ProcessEnv,
  serviceName: string,
  logger: Logger,
): Promise<Telemetry> {
  const traces = exporterList(env, 'OTEL_TRACES_EXPORTER', TRACES_EXPORTERS);
  const metrics = exporterList(env, 'OTEL_METRICS_EXPORTER', METRICS_EXPORTERS);
  if (env.OTEL_SDK_DISABLED === 'true' || (traces.length === 0 && metrics.length === 0)) {
    return { shutdown: async () => undefined };
  }

  // Loaded only when asked for: a run without telemetry does not pay for the SDK.
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { ConsoleMetricExporter, PeriodicExportingMetricReader } =
    await import('@opentelemetry/sdk-metrics');

  let prometheus: InstanceType<typeof PrometheusExporter> | undefined;
  const readers: MetricReader[] = metrics.map((name) => {
    if (name === 'prometheus') {
      prometheus = new PrometheusExporter({ preventServerStart: true });
      return prometheus;
    }
    const exporter = name === 'otlp' ? new OTLPMetricExporter() : new ConsoleMetricExporter();
    return new PeriodicExportingMetricReader({ exporter });
  });

  // The SDK reads OTEL_TRACES_EXPORTER itself and would default to OTLP.
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
    metricReaders: readers,
    instrumentations: [],
    ...(traces.length === 0 ? { spanProcessors: [] } : {}),
  });
  sdk.start();
  enableTelemetry({
    tracing: traces.length > 0,
    metrics: metrics.length > 0,
    tenantAttribute: env.LLMCOST_METRICS_TENANT === 'true',
  });
  logger.info({ traces, metrics }, 'telemetry started');

  return {
    prometheus: prometheus
      ? (request, response) => prometheus!.getMetricsRequestHandler(request, response)
      : undefined,
    shutdown: () => sdk.shutdown(),
  };
}
