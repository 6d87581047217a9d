import crypto from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../lib/errors.ts';
import {
  MAX_TOKENS_PER_REQUEST,
  SERVICE_TIERS,
  TOKEN_CLASSES,
  TOUCHPOINT_PATTERN,
  type ServiceTier,
  type TokenClass,
  type TokenUsage,
} from './call-fields.ts';
import { fastParseLlmCall } from './llm-call-fast.ts';

export {
  MAX_TOKENS_PER_REQUEST,
  SERVICE_TIERS,
  TOKEN_CLASSES,
  TOUCHPOINT_PATTERN,
  type ServiceTier,
  type TokenClass,
  type TokenUsage,
} from './call-fields.ts';

/** A call as it travels on llm.calls.v1 (the Avro record of schemas/llm-call.v1.avsc). */
export interface LlmCall {
  eventId: string;
  /** Milliseconds since the epoch, UTC. */
  occurredAt: number;
  tenantId: string;
  userId: string;
  conversationId: string | null;
  touchpoint: string;
  provider: string;
  model: string;
  serviceTier: ServiceTier;
  usage: TokenUsage;
  usageStatus: 'reported' | 'missing';
  unmappedUsage: Record<string, string>;
  requestCount: number;
  durationMs: number | null;
  success: boolean;
  errorType: string | null;
  attributes: Record<string, string>;
}

const tokenCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const usageSchema = z.strictObject(
  Object.fromEntries(TOKEN_CLASSES.map((name) => [name, tokenCount.default(0)])) as Record<
    TokenClass,
    z.ZodDefault<typeof tokenCount>
  >,
);

const timestamp = z
  .union([z.number().int().nonnegative(), z.iso.datetime({ offset: true }), z.date()])
  .transform((value) => (typeof value === 'number' ? value : new Date(value).getTime()));

const identifier = (max: number) => z.string().min(1).max(max);

/**
 * What a service passes to `record()`, and what the pricing consumer checks
 * every decoded event against: producers that do not use this SDK are held
 * to the same rules. Unknown fields are refused so that a misspelt token
 * class cannot silently count as zero.
 */
export const llmCallSchema = z
  .strictObject({
    // A UUID in capitals is the same id: stored and deduplicated in lower case.
    eventId: z
      .uuid()
      .transform((id) => id.toLowerCase())
      .optional(),
    occurredAt: timestamp.optional(),
    tenantId: identifier(128),
    userId: z.string().max(256).default(''),
    conversationId: z.string().max(256).nullish(),
    touchpoint: z
      .string()
      .max(128)
      .regex(TOUCHPOINT_PATTERN, 'must be name or namespace:name in lower-case kebab-case'),
    provider: identifier(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a lower-case provider id'),
    model: identifier(256),
    serviceTier: z.enum(SERVICE_TIERS).default('standard'),
    usage: usageSchema,
    usageStatus: z.enum(['reported', 'missing']).default('reported'),
    unmappedUsage: z.record(z.string(), z.string()).default({}),
    requestCount: z.number().int().positive().max(1_000_000).default(1),
    durationMs: z.number().int().nonnegative().nullish(),
    success: z.boolean().default(true),
    errorType: z.string().max(256).nullish(),
    attributes: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((call, context) => {
    const total = TOKEN_CLASSES.reduce((sum, name) => sum + call.usage[name], 0);
    if (total > MAX_TOKENS_PER_REQUEST * call.requestCount) {
      context.addIssue({
        code: 'custom',
        path: ['usage'],
        message:
          `${total} tokens for ${call.requestCount} request(s) is more than ` +
          `${MAX_TOKENS_PER_REQUEST} per request; token counts, not characters or bytes?`,
      });
    }
  });

export type LlmCallInput = z.input<typeof llmCallSchema>;

/**
 * Validates a call and fills its defaults: a fresh eventId, occurredAt now.
 * Throws a ValidationError that lists each bad field by its path.
 */
export function parseLlmCall(input: unknown, now: () => number = Date.now): LlmCall {
  const fast = fastParseLlmCall(input, now);
  if (fast) return fast;

  const result = llmCallSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    throw new ValidationError('llm call', issues);
  }

  const call = result.data;
  return {
    ...call,
    eventId: call.eventId ?? crypto.randomUUID(),
    occurredAt: call.occurredAt ?? now(),
    conversationId: call.conversationId ?? null,
    durationMs: call.durationMs ?? null,
    errorType: call.errorType ?? null,
  };
}

/** Total input: uncached input plus cache reads and writes (CONTRACTS.md). */
export function totalInputTokens(usage: TokenUsage): number {
  return (
    usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.cacheWrite1hTokens
  );
}

export function totalTokens(usage: TokenUsage): number {
  return TOKEN_CLASSES.reduce((sum, name) => sum + usage[name], 0);
}
