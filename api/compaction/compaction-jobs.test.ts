import { describe, expect, it } from 'vitest';
import type { CompactionProgress } from '../../compaction-worker/worker/progress.ts';
import type { WireResult } from '../../compaction-worker/worker/wire.ts';
import { CompactionJobs, type JobUpdate } from './compaction-jobs.ts';

const ids = (requestId: string, tenantId = 'acme') => ({
  requestId,
  conversationId: `c-${requestId}`,
  tenantId,
});

const progress = (requestId: string, stage: CompactionProgress['stage'], tenantId = 'acme') => ({
  ...ids(requestId, tenantId),
  stage,
  done: 0,
  total: 0,
  at: 0,
});

/** Only the fields the registry reads; the rest of a result does not matter here. */
const result = (requestId: string, bytes: number, tenantId = 'acme') =>
  ({ ...ids(requestId, tenantId), payload: Buffer.alloc(bytes) }) as unknown as WireResult;

describe('CompactionJobs', () => {
  it('knows a submitted request, refuses its id twice, and shows it to its tenant only', () => {
    const jobs = new CompactionJobs();
    expect(jobs.submitted(ids('r1'))).toBe(true);
    expect(jobs.submitted(ids('r1', 'other'))).toBe(false);
    expect(jobs.get('r1', 'acme')?.progress).toBeNull();
    expect(jobs.get('r1', 'other')).toBeUndefined();
    expect(jobs.get('r1')?.tenantId).toBe('acme');

    jobs.withdraw('r1');
    expect(jobs.get('r1')).toBeUndefined();
  });

  it('keeps the latest progress until the result, then the result', () => {
    const jobs = new CompactionJobs();
    const seen: JobUpdate['kind'][] = [];
    const stop = jobs.follow('r1', (update) => seen.push(update.kind));

    expect(jobs.progressed(progress('r1', 'started'))).toBe(true);
    expect(jobs.progressed(progress('r1', 'selected'))).toBe(true);
    expect(jobs.get('r1')?.progress?.stage).toBe('selected');
    expect(jobs.finished(result('r1', 10))).toBe(true);
    expect(jobs.progressed(progress('r1', 'finished'))).toBe(true);
    expect(jobs.get('r1')?.progress?.stage).toBe('selected');
    expect(jobs.get('r1')?.result?.payload.length).toBe(10);
    expect(seen).toEqual(['progress', 'progress', 'result']);

    stop();
    jobs.finished(result('r1', 10));
    expect(seen).toHaveLength(3);
  });

  it('ignores events that name a known id under another tenant', () => {
    const jobs = new CompactionJobs();
    jobs.submitted(ids('r1'));
    expect(jobs.progressed(progress('r1', 'started', 'other'))).toBe(false);
    expect(jobs.finished(result('r1', 5, 'other'))).toBe(false);
    expect(jobs.get('r1')?.result).toBeNull();
  });

  it('forgets the jobs updated longest ago beyond its count and byte bounds', () => {
    const jobs = new CompactionJobs({ maxJobs: 3, maxResultBytes: 100 });
    for (const id of ['a', 'b', 'c', 'd']) jobs.submitted(ids(id));
    expect(jobs.size).toBe(3);
    expect(jobs.get('a')).toBeUndefined();

    // b, then c finish: over 100 bytes, d (updated longest ago) and b go, in that order.
    jobs.finished(result('b', 60));
    jobs.finished(result('c', 60));
    expect(jobs.get('d')).toBeUndefined();
    expect(jobs.get('b')).toBeUndefined();
    expect(jobs.get('c')?.result?.payload.length).toBe(60);
    expect(jobs.size).toBe(1);
  });

  it('tells a follower the result of a job it has already forgotten', () => {
    const jobs = new CompactionJobs({ maxJobs: 1 });
    const seen: string[] = [];
    jobs.submitted(ids('r1'));
    jobs.follow('r1', (update) => seen.push(update.kind));
    jobs.submitted(ids('r2'));
    expect(jobs.get('r1')).toBeUndefined();

    jobs.finished(result('r1', 1));
    expect(seen).toEqual(['result']);
  });
});
