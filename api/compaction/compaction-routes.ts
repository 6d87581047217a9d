import type { ServerResponse } from 'node:http';
import type {
  CompactionSender,
  EncodedRequest,
} from '../../compaction-worker/worker/compaction-client.ts';
import type { CompactionRequest } from '../../compaction-worker/worker/request.ts';
import {
  MAX_MESSAGE_BYTES,
  MessageTooLargeError,
  type CompactionWire,
} from '../../compaction-worker/worker/wire.ts';
import { errorMessage, isRetriable } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { readBodyAs } from '../body.ts';
import { HttpError, sendJson } from '../http.ts';
import type { Route } from '../router.ts';
import { tenantOf } from '../tenant-access.ts';
import type { CompactionJob, CompactionJobs, JobUpdate } from './compaction-jobs.ts';
import { compactionRequestOf } from './compaction-request.ts';
import {
  acceptedSchema,
  compactionBodySchema,
  pendingSchema,
  resultSchema,
} from './compaction-schemas.ts';
import { EventStream } from './event-stream.ts';

export interface CompactionRouteOptions {
  jobs: CompactionJobs;
  sender: Pick<CompactionSender, 'encode' | 'send'>;
  wire: CompactionWire;
  logger: Logger;
  /**
   * The largest body read. Conversations compress several times over, so
   * this is a multiple of the topic's limit; the compressed request must
   * still fit that limit. @default 64 MiB
   */
  maxBodyBytes?: number;
  /** @default 15000 */
  heartbeatMs?: number;
  /** An event stream whose request has no result after this long ends. @default 900000 */
  maxWaitMs?: number;
}

const TOPIC_MB = MAX_MESSAGE_BYTES / 1024 / 1024;
const notFound = (requestId: string) =>
  new HttpError(404, 'NOT_FOUND', `no compaction request '${requestId}' known here`, 'requestId');

/**
 * Compaction over HTTP: submit a request to compaction.requests.v1, read
 * its state or result, follow its progress as server-sent events. What is
 * known of a request comes from the jobs registry, which the results and
 * progress topics feed. A tenant key submits for its own tenant and sees
 * its own requests only; another tenant's request id answers as unknown.
 */
export function compactionRoutes(options: CompactionRouteOptions): Route[] {
  return [submitRoute(options), stateRoute(options), eventsRoute(options)];
}

function submitRoute(options: CompactionRouteOptions): Route {
  const { jobs, sender, maxBodyBytes } = options;
  const limit = {
    bytes: maxBodyBytes ?? 4 * MAX_MESSAGE_BYTES,
    hint:
      `a compaction request must fit the topic's ${TOPIC_MB} MB once compressed: ` +
      'split the conversation',
  };
  const bodyMiB = Math.floor(limit.bytes / 1024 / 1024);
  return {
    method: 'POST',
    path: '/api/compaction',
    access: 'tenant',
    doc: {
      tag: 'compaction',
      summary: 'Submit a compaction request; answers 202 with where to follow it',
      description:
        'The request of CONTRACTS.md: `messages` for a path strategy, `main` and `branch` ' +
        `for a merge. It goes to compaction.requests.v1 compressed; over ${TOPIC_MB} MB ` +
        `compressed (or a body over ${bodyMiB} MiB) it is refused with 413.`,
      body: compactionBodySchema,
      status: 202,
      response: acceptedSchema,
      otherResponses: {
        '409': { description: 'This request id has been submitted already.' },
        '413': { description: `The request is over the topic's ${TOPIC_MB} MB limit.` },
        '503': { description: 'Kafka did not take the request; it may be sent again.' },
      },
    },
    async handle({ request, response, principal }) {
      const body = await readBodyAs(request, compactionBodySchema, limit);
      const compaction = compactionRequestOf(body, principal, Date.now());
      const message = await encodeOrRefuse(sender, compaction);

      const { requestId, conversationId, tenantId } = compaction;
      if (!jobs.submitted({ requestId, conversationId, tenantId })) {
        throw new HttpError(409, 'CONFLICT', `request id '${requestId}' was submitted already`);
      }
      await publish(options, message, compaction);

      const statusUrl = `/api/compaction/${encodeURIComponent(requestId)}`;
      response.setHeader('location', statusUrl);
      sendJson(response, 202, {
        requestId,
        conversationId,
        tenantId,
        status: 'queued',
        statusUrl,
        eventsUrl: `${statusUrl}/events`,
      });
    },
  };
}

async function encodeOrRefuse(
  sender: CompactionRouteOptions['sender'],
  request: CompactionRequest,
): Promise<EncodedRequest> {
  try {
    return await sender.encode(request);
  } catch (error) {
    if (error instanceof MessageTooLargeError) {
      throw new HttpError(413, 'TOO_LARGE', error.message);
    }
    throw error;
  }
}

/** Sends a registered request; when Kafka does not take it, its id is released for a retry. */
async function publish(
  { jobs, sender, logger }: CompactionRouteOptions,
  message: EncodedRequest,
  { requestId, tenantId }: CompactionRequest,
): Promise<void> {
  try {
    await sender.send(message);
  } catch (error) {
    jobs.withdraw(requestId);
    if (!isRetriable(error)) throw error;
    logger.warn({ requestId, tenantId, err: errorMessage(error) }, 'compaction request not sent');
    throw new HttpError(503, 'UNAVAILABLE', 'Kafka did not take the request; try again');
  }
}

function stateRoute({ jobs, wire }: CompactionRouteOptions): Route {
  return {
    method: 'GET',
    path: '/api/compaction/:requestId',
    access: 'tenant',
    doc: {
      tag: 'compaction',
      summary: 'The result of a request, or 202 with its latest progress while it runs',
      description:
        'Known are the requests submitted through this process and those whose progress ' +
        'or result it has read since it started, the most recent first (a bounded number).',
      response: resultSchema,
      otherResponses: {
        '202': { description: 'No result yet: the latest progress.', schema: pendingSchema },
        '404': { description: 'Unknown here (or another tenant’s).' },
      },
    },
    async handle({ response, principal, params }) {
      const job = jobs.get(params.requestId!, tenantOf(principal));
      if (!job) throw notFound(params.requestId!);

      if (job.result) return sendJson(response, 200, await wire.decodeResult(job.result));
      sendJson(response, 202, pendingOf(job));
    },
  };
}

function eventsRoute(options: CompactionRouteOptions): Route {
  const maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
  return {
    method: 'GET',
    path: '/api/compaction/:requestId/events',
    access: 'tenant',
    doc: {
      tag: 'compaction',
      summary: 'Follow a request as server-sent events, progress then the result',
      eventStream:
        '`progress` events (data: a progress object) as the request runs, starting with ' +
        'the latest one known, then one `result` event (data: the result, as GET ' +
        '/api/compaction/{requestId} answers it), after which the stream ends. A ' +
        '`timeout` event ends a stream whose request has no result after ' +
        `${maxWaitMs / 1000} s; comment lines keep an idle stream open.`,
      otherResponses: { '404': { description: 'Unknown here (or another tenant’s).' } },
    },
    async handle({ response, principal, params }) {
      const job = options.jobs.get(params.requestId!, tenantOf(principal));
      if (!job) throw notFound(params.requestId!);

      await streamJob(response, job, { ...options, maxWaitMs });
    },
  };
}

/**
 * Sends what is known of the job, then every update until the result, the
 * deadline, or the client leaving. The follower is registered before
 * anything is awaited, so no update can fall between reading the job and
 * following it.
 */
async function streamJob(
  response: ServerResponse,
  job: CompactionJob,
  options: CompactionRouteOptions & { maxWaitMs: number },
): Promise<void> {
  const stream = new EventStream(response, { heartbeatMs: options.heartbeatMs ?? 15_000 });
  const updates: JobUpdate[] = [];
  let wake: () => void = () => undefined;
  const unfollow = options.jobs.follow(job.requestId, (update) => {
    updates.push(update);
    wake();
  });
  if (job.progress) updates.push({ kind: 'progress', progress: job.progress });
  if (job.result) updates.push({ kind: 'result', result: job.result });

  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    wake();
  }, options.maxWaitMs);
  void stream.ended.then(() => wake());
  try {
    while (stream.isOpen) {
      const update = updates.shift();
      if (update?.kind === 'result') {
        stream.send('result', await options.wire.decodeResult(update.result));
        break;
      }
      if (update) {
        stream.send('progress', update.progress);
        continue;
      }
      if (timedOut) {
        stream.send('timeout', { message: `no result within ${options.maxWaitMs / 1000} s` });
        break;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    clearTimeout(deadline);
    unfollow();
    stream.end();
  }
}

function pendingOf(job: CompactionJob) {
  return {
    requestId: job.requestId,
    status: job.progress ? 'running' : 'queued',
    progress: job.progress,
  };
}
