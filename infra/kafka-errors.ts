import { PipelineError } from '../lib/errors.ts';

/**
 * Wraps a kafkajs failure into a PipelineError that keeps kafkajs's own
 * verdict on whether retrying can help (its errors carry `retriable`).
 * Anything without a verdict is taken as transient: a broker that is away
 * is the common case, and a retry loses nothing.
 */
export function kafkaError(
  error: unknown,
  message: string,
  context: Record<string, unknown>,
): PipelineError {
  const verdict = (error as { retriable?: unknown } | undefined)?.retriable;
  const retriable = typeof verdict === 'boolean' ? verdict : true;
  const detail = error instanceof Error ? `: ${error.message}` : '';
  return new PipelineError(`${message}${detail}`, {
    code: 'KAFKA',
    retriable,
    context,
    cause: error,
  });
}
