import { ClickHouseError } from '@clickhouse/client';
import { PipelineError } from '../lib/errors.ts';

/**
 * ClickHouse error codes that mean the same statement can succeed later:
 * overload, timeouts, a replica or Keeper away, an insert of unknown outcome.
 * (Codes from ClickHouse's src/Common/ErrorCodes.cpp.)
 */
const RETRIABLE_CODES = new Set([
  3, // UNEXPECTED_END_OF_FILE
  159, // TIMEOUT_EXCEEDED
  160, // TOO_SLOW
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

/** Node socket errors: the server is down or the connection broke. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/**
 * Wraps anything a ClickHouse call threw into a PipelineError whose
 * `retriable` comes from the error code, never from the message text.
 * Codes not known to be transient are treated as permanent (bad data, bad SQL).
 */
export function classifyClickHouseError(
  error: unknown,
  context: Record<string, unknown>,
): PipelineError {
  if (error instanceof PipelineError) return error;

  const code = clickHouseCode(error);
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const retriable =
    (code !== undefined && RETRIABLE_CODES.has(code)) ||
    (typeof errno === 'string' && NETWORK_ERRORS.has(errno)) ||
    (error instanceof Error && error.name === 'AbortError');
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineError(`ClickHouse: ${message}`, {
    code: code === undefined ? 'CLICKHOUSE' : `CLICKHOUSE_${code}`,
    retriable,
    context: { ...context, clickhouseCode: code },
    cause: error,
  });
}

function clickHouseCode(error: unknown): number | undefined {
  if (error instanceof ClickHouseError) return Number(error.code);
  // chdb/connection raises its own error classes that carry the engine's code.
  const chdbCode = (error as { clickhouseCode?: unknown } | undefined)?.clickhouseCode;
  return typeof chdbCode === 'number' ? chdbCode : undefined;
}
