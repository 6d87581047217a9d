import { pino, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import { trace } from '@opentelemetry/api';
import { telemetryState } from './telemetry-state.ts';

export type { Logger };

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Human-readable lines instead of JSON. @default true when stderr is a terminal */
  pretty?: boolean;
  /** Where lines go. @default process.stderr, so a command's own output stays on stdout */
  destination?: NodeJS.WritableStream;
}

/**
 * The process logger. Components take a child (`logger.child({ component })`)
 * and log a fixed message with fields from one vocabulary: topic, partition,
 * offset, tenantId, table, batchSize, durationMs, eventId.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const usePretty = options.pretty ?? (destination === process.stderr && process.stderr.isTTY);
  const base = {
    level: options.level ?? 'info',
    mixin: traceFields,
    base: { pid: process.pid },
    redact: { paths: ['password', '*.password', 'apiKey', '*.apiKey', 'adminKey'], censor: '***' },
  };
  if (!usePretty) return pino(base, destination);

  const stream = pretty({
    destination,
    sync: true,
    colorize: true,
    ignore: 'pid,hostname',
    translateTime: 'HH:MM:ss.l',
  });
  return pino(base, stream);
}

/** The ids of the active span, so that a log line can be found from its trace. */
function traceFields(): Record<string, string> {
  if (!telemetryState.tracing) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/** Parses LOG_LEVEL-style input, falling back to `info` for an unknown word. */
export function parseLevel(value: string | undefined): LevelWithSilent {
  const levels: LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  return levels.find((level) => level === value) ?? 'info';
}
