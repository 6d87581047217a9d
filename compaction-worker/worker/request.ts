import { z } from 'zod';
import { ValidationError } from '../../lib/errors.ts';
import { issuesOf } from '../validation-issues.ts';
import { parseMessages, type ChatMessage } from '../conversation/message.ts';
import type { PinList } from '../conversation/pins.ts';
import { toolDefinitionSchema, type ToolDefinition } from '../tokens/tool-definitions.ts';
import { createStrategy } from '../strategies/factory.ts';
import type { CompactionInput } from '../strategies/types.ts';

/** A compaction request as CONTRACTS.md gives it. */
export interface CompactionRequest {
  requestId: string;
  conversationId: string;
  tenantId: string;
  userId: string;
  strategy: string;
  options: Record<string, unknown>;
  tokenBudget: number;
  /** The model the conversation is for: decides how its tokens are counted. */
  model: string;
  /** A path's conversation. */
  messages?: ChatMessage[];
  /** A merge's two branches. */
  main?: ChatMessage[];
  branch?: ChatMessage[];
  tools?: ToolDefinition[];
  pinned?: PinList;
  /** Milliseconds since the epoch. */
  requestedAt: number;
}

/** The result published for every request, failed ones included. */
export interface CompactionResult {
  requestId: string;
  conversationId: string;
  tenantId: string;
  strategy: string;
  model: string;
  status: 'ok' | 'failed';
  error: string | null;
  messages: ChatMessage[];
  compacted: boolean;
  fitsBudget: boolean;
  reason: string | null;
  tokenBudget: number;
  tokensBefore: number;
  tokensAfter: number;
  /** Share of tokens saved, 0 to 1. */
  reduction: number;
  tokensEstimated: boolean;
  method: 'none' | 'local' | 'model';
  summaryFailed: boolean;
  dropped: string[];
  summarised: string[];
  truncated: string[];
  warnings: string[];
  modelCalls: number;
  modelInputTokens: number;
  modelOutputTokens: number;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
}

const identifier = z.string().min(1).max(256);

const requestSchema = z.strictObject({
  requestId: identifier,
  conversationId: identifier,
  tenantId: z.string().min(1).max(128),
  userId: z.string().max(256).default(''),
  strategy: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
  tokenBudget: z.number().int().nonnegative(),
  model: z.string().min(1).max(256),
  messages: z.unknown().optional(),
  main: z.unknown().optional(),
  branch: z.unknown().optional(),
  tools: z.array(toolDefinitionSchema).optional(),
  pinned: z.array(z.union([z.number().int().nonnegative(), z.string().min(1)])).optional(),
  requestedAt: z
    .number()
    .int()
    .nonnegative()
    .default(() => Date.now()),
});

/**
 * Checks a request and its conversation, naming every bad field. The
 * strategy must exist, and a path strategy needs `messages` while a merge
 * needs `main` and `branch`.
 */
export function parseCompactionRequest(input: unknown): CompactionRequest {
  const parsed = requestSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('compaction request', issuesOf(parsed.error));

  const request = parsed.data;
  const strategy = createStrategy(request.strategy);
  const fields =
    strategy.kind === 'merge' ? (['main', 'branch'] as const) : (['messages'] as const);
  const stray = strategy.kind === 'merge' ? (['messages'] as const) : (['main', 'branch'] as const);
  const issues = [
    ...fields
      .filter((field) => request[field] === undefined)
      .map((field) => ({
        path: field,
        message: `required by ${strategy.name}`,
      })),
    ...stray
      .filter((field) => request[field] !== undefined)
      .map((field) => ({
        path: field,
        message: `not used by ${strategy.name} (a ${strategy.kind} strategy)`,
      })),
  ];
  if (issues.length > 0) throw new ValidationError('compaction request', issues);

  return {
    ...request,
    messages:
      request.messages === undefined ? undefined : parseMessages(request.messages, 'messages'),
    main: request.main === undefined ? undefined : parseMessages(request.main, 'main'),
    branch: request.branch === undefined ? undefined : parseMessages(request.branch, 'branch'),
  };
}

/** The strategy input of a checked request. */
export function strategyInput(request: CompactionRequest): CompactionInput {
  const common = {
    tokenBudget: request.tokenBudget,
    tools: request.tools,
    pinned: request.pinned,
    options: request.options,
  };
  if (request.main && request.branch) {
    return { kind: 'merge', main: request.main, branch: request.branch, ...common };
  }
  return { kind: 'path', messages: request.messages ?? [], ...common };
}
