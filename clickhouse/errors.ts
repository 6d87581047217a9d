import { ClickHouseError } from '@clickhouse/client';
import { PipelineError } from '../lib/errors.ts';

/**
 * ClickHouse error codes that mean the statement or its data is wrong, so
 * repeating it cannot help: bad values, bad types, bad SQL. (Codes from
 * ClickHouse's src/Common/ErrorCodes.cpp.) Every other failure (overload,
 * timeouts, too many parts, a replica or Keeper away, a table being
 * recreated, the server down) is taken as transient: retried, never turned
 * into a dead letter, because losing good data to an outage is worse than
 * waiting for it to end.
 */
const PERMANENT_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  62, // SYNTAX_ERROR
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  164, // READONLY
  407, // DECIMAL_OVERFLOW
  489, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
]);

/**
 * Wraps anything a ClickHouse call threw into a PipelineError whose
 * `retriable` comes from the error code, never from the message text.
 */
export function classifyClickHouseError(
  error: unknown,
  context: Record<string, unknown>,
): PipelineError {
  if (error instanceof PipelineError) return error;

  const code = clickHouseCode(error);
  const retriable = code === undefined ? isTransport(error) : !PERMANENT_CODES.has(code);
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

/**
 * A failure with no ClickHouse code came from below the protocol: a socket,
 * a timeout, an aborted request, the embedded engine's connection. Those are
 * transient; a plain programming error (TypeError …) is not.
 */
function isTransport(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof TypeError || error instanceof RangeError) return false;
  return true;
}
