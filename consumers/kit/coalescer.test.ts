import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/errors.ts';
import { Coalescer } from './coalescer.ts';

describe('Coalescer', () => {
  it('flushes submissions that arrive together as one', async () => {
    const flushes: number[][] = [];
    const coalescer = new Coalescer<number>({
      flush: async (items) => {
        flushes.push(items);
      },
    });
    await Promise.all([coalescer.submit([1, 2]), coalescer.submit([3]), coalescer.submit([4])]);
    expect(flushes).toEqual([[1, 2, 3, 4]]);
  });

  it('fills the next flush while one runs', async () => {
    const flushes: number[][] = [];
    let release: () => void = () => undefined;
    const coalescer = new Coalescer<number>({
      lingerMs: 0,
      flush: async (items) => {
        flushes.push(items);
        if (flushes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    const first = coalescer.submit([1]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = Promise.all([coalescer.submit([2]), coalescer.submit([3])]);
    release();
    await Promise.all([first, second]);
    expect(flushes).toEqual([[1], [2, 3]]);
  });

  it('runs the step after a flush in order, beside the next flush; settles after it', async () => {
    const log: string[] = [];
    let releaseFirstAfter: () => void = () => undefined;
    const coalescer = new Coalescer<number, number>({
      lingerMs: 0,
      flush: async (items) => {
        log.push(`flush ${items.join()}`);
        return items.length;
      },
      afterFlush: async (items, flushed) => {
        if (items[0] === 1) await new Promise<void>((resolve) => (releaseFirstAfter = resolve));
        log.push(`after ${items.join()} (${flushed})`);
      },
    });
    let firstSettled = false;
    const first = coalescer.submit([1]).then(() => (firstSettled = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = coalescer.submit([2, 3]);
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect(log).toEqual(['flush 1', 'flush 2,3']);
    expect(firstSettled).toBe(false);
    releaseFirstAfter();
    await Promise.all([first, second]);
    expect(log).toEqual(['flush 1', 'flush 2,3', 'after 1 (1)', 'after 2,3 (2)']);
  });

  it('fails the submitters of a flush whose second step fails, and only them', async () => {
    const coalescer = new Coalescer<number, void>({
      lingerMs: 0,
      flush: async () => undefined,
      afterFlush: async (items) => {
        if (items.includes(2))
          throw new PipelineError('Kafka away', { code: 'X', retriable: true });
      },
    });
    const first = coalescer.submit([1]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const results = await Promise.allSettled([first, coalescer.submit([2])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('fails everyone on a transient error, so that each retries', async () => {
    const coalescer = new Coalescer<number>({
      flush: async () => {
        throw new PipelineError('store away', { code: 'X', retriable: true });
      },
    });
    const results = await Promise.allSettled([coalescer.submit([1]), coalescer.submit([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('blames only the submission that holds the bad item on a permanent error', async () => {
    const coalescer = new Coalescer<number>({
      flush: async (items) => {
        if (items.includes(13)) throw new PipelineError('bad row', { code: 'X' });
      },
    });
    const results = await Promise.allSettled([coalescer.submit([1, 13]), coalescer.submit([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
  });
});
