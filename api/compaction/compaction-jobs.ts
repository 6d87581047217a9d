import type { CompactionProgress } from '../../compaction-worker/worker/progress.ts';
import type { WireResult } from '../../compaction-worker/worker/wire.ts';

/** What this process knows of one compaction request. */
export interface CompactionJob {
  requestId: string;
  conversationId: string;
  /** Whose request it is: the tenant of its first sighting, submitted or read. */
  tenantId: string;
  /** The latest progress event, if any arrived. */
  progress: CompactionProgress | null;
  /** The result as it travelled, conversation still compressed; null while running. */
  result: WireResult | null;
}

/** A change to a job, as its followers receive it. */
export type JobUpdate =
  { kind: 'progress'; progress: CompactionProgress } | { kind: 'result'; result: WireResult };

export interface CompactionJobsOptions {
  /** Jobs kept at most; the one updated longest ago goes first. @default 1000 */
  maxJobs?: number;
  /** Compressed result payloads kept at most, in bytes. @default 64 MiB */
  maxResultBytes?: number;
}

type Listener = (update: JobUpdate) => void;

/**
 * The recent compaction requests of this process and what became of them:
 * a bounded map by request id, fed by submissions and by the progress and
 * result topics. Results stay compressed, and both the number of jobs and
 * the bytes of their results are bounded, so a busy worker cannot make the
 * API process grow; a forgotten job answers as unknown.
 */
export class CompactionJobs {
  private readonly jobs = new Map<string, CompactionJob>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly maxJobs: number;
  private readonly maxResultBytes: number;
  private resultBytes = 0;

  constructor(options: CompactionJobsOptions = {}) {
    this.maxJobs = options.maxJobs ?? 1_000;
    this.maxResultBytes = options.maxResultBytes ?? 64 * 1024 * 1024;
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Records a request submitted here; false when its id is known already (for any tenant). */
  submitted(request: Pick<CompactionJob, 'requestId' | 'conversationId' | 'tenantId'>): boolean {
    if (this.jobs.has(request.requestId)) return false;

    this.keep({ ...request, progress: null, result: null });
    return true;
  }

  /** Forgets a request whose submission failed, so that its id may be submitted again. */
  withdraw(requestId: string): void {
    this.drop(requestId);
  }

  /**
   * Applies a progress event; one that comes after the result (they travel
   * on different topics) changes nothing, the result being final. False
   * when the id is known under another tenant.
   */
  progressed(progress: CompactionProgress): boolean {
    const job = this.jobs.get(progress.requestId) ?? blank(progress);
    if (job.tenantId !== progress.tenantId) return false;
    if (job.result) return true;

    this.keep({ ...job, progress });
    this.notify(progress.requestId, { kind: 'progress', progress });
    return true;
  }

  /** Applies a result. False when the id is known under another tenant. */
  finished(result: WireResult): boolean {
    const job = this.jobs.get(result.requestId) ?? blank(result);
    if (job.tenantId !== result.tenantId) return false;

    this.keep({ ...job, result });
    this.notify(result.requestId, { kind: 'result', result });
    return true;
  }

  /** The job as `tenantId` may see it: undefined when unknown, or another tenant's. */
  get(requestId: string, tenantId?: string): CompactionJob | undefined {
    const job = this.jobs.get(requestId);
    if (!job || (tenantId !== undefined && job.tenantId !== tenantId)) return undefined;
    return job;
  }

  /**
   * Calls `listener` with every later update of a request, even after the
   * job itself has been forgotten, until the returned function is called.
   */
  follow(requestId: string, listener: Listener): () => void {
    const set = this.listeners.get(requestId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(requestId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(requestId);
    };
  }

  private notify(requestId: string, update: JobUpdate): void {
    for (const listener of [...(this.listeners.get(requestId) ?? [])]) listener(update);
  }

  /** Stores a job as the most recently updated one, then forgets the oldest beyond the bounds. */
  private keep(job: CompactionJob): void {
    this.drop(job.requestId);
    this.jobs.set(job.requestId, job);
    this.resultBytes += job.result?.payload.length ?? 0;

    for (const oldest of this.jobs.keys()) {
      const over = this.jobs.size > this.maxJobs || this.resultBytes > this.maxResultBytes;
      if (!over || oldest === job.requestId) break;
      this.drop(oldest);
    }
  }

  private drop(requestId: string): void {
    const job = this.jobs.get(requestId);
    if (!job) return;
    this.resultBytes -= job.result?.payload.length ?? 0;
    this.jobs.delete(requestId);
  }
}

/** A job first seen in an event rather than submitted here. */
function blank(
  fields: Pick<CompactionJob, 'requestId' | 'conversationId' | 'tenantId'>,
): CompactionJob {
  const { requestId, conversationId, tenantId } = fields;
  return { requestId, conversationId, tenantId, progress: null, result: null };
}
