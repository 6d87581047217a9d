import { isRetriable } from './errors.ts';

export interface RetryOptions {
  /** Attempts after the first one; `Infinity` retries until `signal` aborts. @default 5 */
  retries?: number;
  /** @default 200 */
  minDelayMs?: number;
  /** @default 10000 */
  maxDelayMs?: number;
  /** Decides whether an error is worth another attempt. @default isRetriable */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait, for logging and metrics. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Stops waiting and rethrows the last error once aborted. */
  signal?: AbortSignal;
}

/**
 * Runs `operation` until it succeeds, retrying only errors that `shouldRetry`
 * accepts, with exponential backoff and full jitter so that many consumers
 * recovering from the same outage do not retry in lockstep.
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 5;
  const minDelayMs = options.minDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const shouldRetry = options.shouldRetry ?? isRetriable;

  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const exhausted = attempt >= retries || options.signal?.aborted === true;
      if (exhausted || !shouldRetry(error)) throw error;

      const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** attempt);
      const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      options.onRetry?.(error, attempt + 1, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

/** Resolves after `ms`, or early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });

    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
