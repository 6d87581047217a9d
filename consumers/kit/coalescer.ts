import { isRetriable } from '../../lib/errors.ts';

interface Submission<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface CoalescerOptions<T, R> {
  /** Does the work for the items of several submissions at once; one flush runs at a time. */
  flush(items: T[]): Promise<R>;
  /**
   * A second step for what a flush did (publishing what it stored, say), run
   * in the order of the flushes while the next flush already runs.
   * Submitters learn their outcome once both steps are done.
   */
  afterFlush?(items: T[], flushed: R): Promise<void>;
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
export class Coalescer<T, R = void> {
  private waiting: Submission<T>[] = [];
  private waitingItems = 0;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private afterFlushes: Promise<void> = Promise.resolve();

  constructor(private readonly options: CoalescerOptions<T, R>) {}

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
    const items = (submissions: Submission<T>[]) => submissions.flatMap((s) => s.items);
    try {
      this.finish(group, await this.options.flush(items(group)));
    } catch (error) {
      if (group.length === 1 || isRetriable(error)) {
        for (const submission of group) submission.reject(error);
        return;
      }
      for (const submission of group) {
        await this.options
          .flush(submission.items)
          .then((flushed) => this.finish([submission], flushed), submission.reject);
      }
    }
  }

  /** Queues the second step of a flush that succeeded; its submitters settle after it. */
  private finish(group: Submission<T>[], flushed: R): void {
    const { afterFlush } = this.options;
    if (!afterFlush) {
      for (const submission of group) submission.resolve();
      return;
    }
    this.afterFlushes = this.afterFlushes.then(() =>
      afterFlush(
        group.flatMap((s) => s.items),
        flushed,
      ).then(
        () => group.forEach((submission) => submission.resolve()),
        (error: unknown) => group.forEach((submission) => submission.reject(error)),
      ),
    );
  }
}
