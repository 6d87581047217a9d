import { z } from 'zod';
import { ValidationError } from '../../lib/errors.ts';
import { issuesOf } from '../validation-issues.ts';

/** Roles of OpenAI-style chat messages; `function` is the legacy positional tool result. */
export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** An OpenAI `tool_calls` entry. */
export interface ToolCall {
  id?: string;
  type?: string;
  function: { name: string; arguments: string };
}

/**
 * One part of a message's content: OpenAI parts (`text`, `image_url`) and
 * Anthropic blocks (`text`, `image`, `tool_use`, `tool_result`). Other block
 * types are carried through untouched.
 */
export interface ContentBlock {
  type: string;
  text?: string;
  image_url?: { url: string; detail?: 'low' | 'high' | 'auto' };
  source?: { type: string; media_type?: string; data?: string; url?: string };
  /** Known image size, for images whose bytes are not inline (a remote URL). */
  width?: number;
  height?: number;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: string | ContentBlock[];
  [key: string]: unknown;
}

/** What the compaction worker writes into a message it creates or changes. */
export interface CompactionMark {
  /** This message summarises others; `covers` names them (ids or fingerprints). */
  summary?: { covers: string[]; method: 'model' | 'local'; strategy: string };
  /** This message's text was cut to fit the budget; the original size in tokens. */
  truncated?: { originalTokens: number };
}

/**
 * A chat message as requests carry it: OpenAI chat format, Anthropic content
 * blocks accepted, plus optional `id`, `createdAt` (for merges), `pinned` and
 * `metadata`, which are the caller's and never sent to a model by us.
 */
export interface ChatMessage {
  role: ChatRole;
  content?: string | ContentBlock[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  function_call?: { name: string; arguments: string };
  id?: string;
  createdAt?: string | number;
  pinned?: boolean;
  metadata?: { compaction?: CompactionMark; [key: string]: unknown };
  [key: string]: unknown;
}

const contentBlockSchema: z.ZodType<ContentBlock> = z.lazy(() =>
  z.looseObject({
    type: z.string().min(1),
    text: z.string().optional(),
    image_url: z
      .looseObject({ url: z.string(), detail: z.enum(['low', 'high', 'auto']).optional() })
      .optional(),
    source: z
      .looseObject({
        type: z.string(),
        media_type: z.string().optional(),
        data: z.string().optional(),
        url: z.string().optional(),
      })
      .optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    id: z.string().optional(),
    name: z.string().optional(),
    tool_use_id: z.string().optional(),
    content: z.union([z.string(), z.array(contentBlockSchema)]).optional(),
  }),
);

const toolCallSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

/** The shape every incoming message is checked against; unknown fields are kept. */
export const chatMessageSchema: z.ZodType<ChatMessage> = z.looseObject({
  role: z.enum(CHAT_ROLES),
  content: z.union([z.string(), z.array(contentBlockSchema), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCallSchema).optional(),
  tool_call_id: z.string().optional(),
  function_call: z.looseObject({ name: z.string(), arguments: z.string() }).optional(),
  id: z.string().min(1).optional(),
  createdAt: z.union([z.number(), z.iso.datetime({ offset: true })]).optional(),
  pinned: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}) as z.ZodType<ChatMessage>;

/** Validates a list of messages, naming each bad field by its path (`main.3.role`). */
export function parseMessages(input: unknown, path: string): ChatMessage[] {
  const result = z.array(chatMessageSchema).safeParse(input);
  if (result.success) return result.data;

  throw new ValidationError('conversation', issuesOf(result.error, [path]));
}

/** System and developer messages set the rules of a conversation. */
export function isInstruction(message: ChatMessage): boolean {
  return message.role === 'system' || message.role === 'developer';
}

/** A tool result, in any of the three forms: OpenAI `tool`, legacy `function`, Anthropic block. */
export function isToolResult(message: ChatMessage): boolean {
  if (message.role === 'tool' || message.role === 'function') return true;
  return toolResultIds(message).length > 0 && !hasUserText(message);
}

/** A user turn written by a person, not a message that only carries tool results. */
export function isUserTurn(message: ChatMessage): boolean {
  return message.role === 'user' && (toolResultIds(message).length === 0 || hasUserText(message));
}

/** Ids of the calls a message makes: OpenAI `tool_calls` and Anthropic `tool_use` blocks. */
export function toolCallIds(message: ChatMessage): string[] {
  const ids = (message.tool_calls ?? []).flatMap((call) => (call.id ? [call.id] : []));
  for (const block of blocks(message)) {
    if (block.type === 'tool_use' && block.id) ids.push(block.id);
  }
  return ids;
}

/** Ids of the calls a message answers: OpenAI `tool_call_id` and Anthropic `tool_result`. */
export function toolResultIds(message: ChatMessage): string[] {
  const ids = message.role === 'tool' && message.tool_call_id ? [message.tool_call_id] : [];
  for (const block of blocks(message)) {
    if (block.type === 'tool_result' && block.tool_use_id) ids.push(block.tool_use_id);
  }
  return ids;
}

/** True when the message calls a tool in a form that names no id (answered by position). */
export function makesPositionalCall(message: ChatMessage): boolean {
  if (message.function_call) return true;
  return (message.tool_calls ?? []).some((call) => !call.id);
}

/** The content as a list of blocks (a string is one text block). */
export function blocks(message: ChatMessage): ContentBlock[] {
  return Array.isArray(message.content) ? message.content : [];
}

/**
 * The readable text of a message: its text, the tools it calls with their
 * arguments, and the results it carries. Used for scoring, de-duplication
 * and local summaries; images contribute nothing.
 */
export function messageText(message: ChatMessage): string {
  const parts: string[] = [];
  if (typeof message.content === 'string') parts.push(message.content);
  for (const block of blocks(message)) parts.push(blockText(block));
  for (const call of message.tool_calls ?? []) {
    parts.push(`${call.function.name}(${call.function.arguments})`);
  }
  if (message.function_call) {
    parts.push(`${message.function_call.name}(${message.function_call.arguments})`);
  }
  return parts.filter(Boolean).join('\n');
}

function blockText(block: ContentBlock): string {
  if (block.type === 'text') return block.text ?? '';
  if (block.type === 'tool_use') return `${block.name ?? 'tool'}(${JSON.stringify(block.input)})`;
  if (block.type === 'tool_result') {
    if (typeof block.content === 'string') return block.content;
    return (block.content ?? []).map(blockText).join('\n');
  }
  return typeof block.text === 'string' ? block.text : '';
}

function hasUserText(message: ChatMessage): boolean {
  if (typeof message.content === 'string') return message.content.length > 0;
  return blocks(message).some((block) => block.type !== 'tool_result');
}
