import {
  context as contextApi,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanKind,
  type Attributes,
} from '@opentelemetry/api';
import { telemetryState } from './telemetry-state.ts';

const tracer = () => trace.getTracer('llm-cost-pipeline');

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** The W3C trace context carried in a Kafka message's headers, or the root context. */
export function contextFromHeaders(headers: Record<string, HeaderValue> | undefined): Context {
  if (!telemetryState.tracing || !headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = carrier[key];
      const first = Array.isArray(value) ? value[0] : value;
      return first === undefined ? undefined : first.toString();
    },
  });
}

/** Headers that carry a span's context to the next consumer (`traceparent`, `tracestate`). */
export function headersOfSpan(span: Span | undefined): Record<string, string> {
  if (!span) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier;
}

/**
 * Starts a span when tracing is on; undefined otherwise, so that a pipeline
 * without telemetry does no tracing work at all.
 */
export function startSpan(
  name: string,
  options: { kind: SpanKind; parent?: Context; attributes?: Attributes; links?: Link[] },
): Span | undefined {
  if (!telemetryState.tracing) return undefined;
  return tracer().startSpan(
    name,
    { kind: options.kind, attributes: options.attributes, links: options.links },
    options.parent ?? contextApi.active(),
  );
}

/** Links from a batch span to (at most `max` of) the spans of the messages it covers. */
export function linksTo(spans: (Span | undefined)[], max = 128): Link[] {
  return spans
    .filter((span): span is Span => span !== undefined)
    .slice(0, max)
    .map((span) => ({ context: span.spanContext() }));
}

/** Runs `work` with `span` as the active span, so that logs carry its ids. */
export function withSpan<T>(span: Span | undefined, work: () => Promise<T>): Promise<T> {
  if (!span) return work();
  return contextApi.with(trace.setSpan(contextApi.active(), span), work);
}
