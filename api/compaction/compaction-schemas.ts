import { z } from 'zod';
import { STRATEGY_NAMES } from '../../compaction-worker/strategies/types.ts';

/** The bodies and answers of the compaction routes, for validation and the OpenAPI document. */
const epochMs = z.int().meta({ description: 'Milliseconds since 1970-01-01 UTC.' });
const identifier = z.string().min(1).max(256);

const messages = z.array(z.looseObject({ role: z.string() })).meta({
  description:
    'OpenAI-style chat messages (`role`, `content`, `tool_calls` …); Anthropic content ' +
    'blocks are accepted too. Checked in full before the request is accepted.',
});

/**
 * A compaction request as CONTRACTS.md gives it, less what the server sets:
 * when it was made, and for a tenant key its tenant.
 */
export const compactionBodySchema = z.strictObject({
  requestId: identifier.optional().meta({
    description:
      'Names the request; a UUID is chosen when absent. The worker does a request id ' +
      'once, so an id is used once.',
  }),
  conversationId: identifier,
  tenantId: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .meta({
      description:
        'Whose model calls these are. Required with the admin key; a tenant key may leave ' +
        'it out or give its own tenant.',
    }),
  userId: z.string().max(256).optional(),
  strategy: z.enum(STRATEGY_NAMES),
  options: z.record(z.string(), z.unknown()).optional(),
  tokenBudget: z.int().nonnegative(),
  model: z.string().min(1).max(256),
  messages: messages.optional().meta({ description: 'The conversation, for a path strategy.' }),
  main: messages.optional().meta({ description: 'The main branch, for a merge strategy.' }),
  branch: messages.optional().meta({ description: 'The other branch, for a merge strategy.' }),
  tools: z.array(z.looseObject({})).optional(),
  pinned: z.array(z.union([z.int().nonnegative(), z.string().min(1)])).optional(),
});

export type CompactionBody = z.output<typeof compactionBodySchema>;

/** The answer to a submission: where to read its state and follow it. */
export const acceptedSchema = z
  .object({
    requestId: z.string(),
    conversationId: z.string(),
    tenantId: z.string(),
    status: z.literal('queued'),
    statusUrl: z.string(),
    eventsUrl: z.string(),
  })
  .strict();

/** A progress event of compaction.progress.v1. */
export const progressSchema = z
  .object({
    requestId: z.string(),
    conversationId: z.string(),
    tenantId: z.string(),
    stage: z.enum(['started', 'selected', 'summarising', 'finished', 'failed']),
    done: z.int(),
    total: z.int(),
    at: epochMs,
  })
  .strict();

/** What a request that has no result yet answers. */
export const pendingSchema = z
  .object({
    requestId: z.string(),
    status: z.enum(['queued', 'running']),
    progress: progressSchema.nullable(),
  })
  .strict();

/** A compaction result (compaction-result.v1, its conversation inflated). */
export const resultSchema = z
  .object({
    requestId: z.string(),
    conversationId: z.string(),
    tenantId: z.string(),
    strategy: z.string(),
    model: z.string(),
    status: z.enum(['ok', 'failed']),
    error: z.string().nullable(),
    messages: z.array(z.looseObject({ role: z.string() })),
    compacted: z.boolean(),
    fitsBudget: z.boolean(),
    reason: z.string().nullable(),
    tokenBudget: z.int(),
    tokensBefore: z.int(),
    tokensAfter: z.int(),
    reduction: z.number().min(0).max(1),
    tokensEstimated: z.boolean(),
    method: z.enum(['none', 'local', 'model']),
    summaryFailed: z.boolean(),
    dropped: z.array(z.string()),
    summarised: z.array(z.string()),
    truncated: z.array(z.string()),
    warnings: z.array(z.string()),
    modelCalls: z.int(),
    modelInputTokens: z.int(),
    modelOutputTokens: z.int(),
    startedAt: epochMs,
    finishedAt: epochMs,
    durationMs: z.int(),
  })
  .strict();
