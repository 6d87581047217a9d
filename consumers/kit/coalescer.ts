import { isRetriable } from '../../lib/errors.ts';

interface Submission<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface CoalescerOptions<T> {
  /** Does the work for the items of several submissions at once. */
  flush(items: T[]): Promise<void>;
  /** A flush starts once this many items wait. @default 20000 */
  maxItems?: number;
  /** … or this long after the first of them arrived. @default 20 */
  lingerMs?: number;
}

/**
 * Gathers the work of batches that arrive together (one per Kafka partition)
 * into one flush, so that the store sees few large inserts instead of many
 * small ones; while a flush runs, the next one fills up. Each submitter
 * learns the outcome of its own items: a transient failure fails the whole
 * flush (everyone retries), while a permanent one is narrowed down by
 * flushing each submission alone, so that one partition's bad message never
 * fails another partition's good ones.
 */
export class Coalescer<T> {
  private waiting: Submission<T>[] = [];
  private waitingItems = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly options: CoalescerOptions<T>) {}

  submit(items: T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      this.waitingItems += items.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running) return;
    if (this.waitingItems >= (this.options.maxItems ?? 20_000)) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.start();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, this.options.lingerMs ?? 20);
  }

  private start(): void {
    const group = this.waiting;
    this.waiting = [];
    this.waitingItems = 0;
    this.running = this.flushGroup(group).finally(() => {
      this.running = undefined;
      if (this.waiting.length > 0) this.schedule();
    });
  }

  private async flushGroup(group: Submission<T>[]): Promise<void> {
    try {
      await this.options.flush(group.flatMap((submission) => submission.items));
      for (const submission of group) submission.resolve();
    } catch (error) {
      if (group.length === 1 || isRetriable(error)) {
        for (const submission of group) submission.reject(error);
        return;
      }
      for (const submission of group) {
        await this.options.flush(submission.items).then(submission.resolve, submission.reject);
      }
    }
  }
}
