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
