/**
 * Whether the instrumented code should record: spans and metrics cost
 * nothing when telemetry is off, because the code asks this first instead
 * of building attributes for no-op instruments.
 */
export const telemetryState = { tracing: false, metrics: false, tenantAttribute: false };

/**
 * For a service that runs its own OpenTelemetry SDK and embeds the producers
 * SDK or a consumer: say what it records.
 */
export function enableTelemetry(options: Partial<typeof telemetryState>): void {
  Object.assign(telemetryState, options);
}
