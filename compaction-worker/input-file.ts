import fs from 'node:fs';
import { PipelineError, ValidationError } from '../lib/errors.ts';
import type { ChatMessage, ContentBlock } from './conversation/message.ts';
import type { PinList } from './conversation/pins.ts';
import type { ToolDefinition } from './tokens/tool-definitions.ts';

/** What a conversation file holds, before it becomes a request. */
export interface ConversationFile {
  messages?: unknown;
  main?: unknown;
  branch?: unknown;
  tools?: ToolDefinition[];
  pinned?: PinList;
}

/**
 * Reads a conversation file: a JSON array of chat messages; an object
 * `{messages, tools?, pinned?}` (an Anthropic request body with its `system`
 * field works too); or `{main, branch}` for a merge. Message shapes are
 * checked later, with the request.
 */
export function readConversationFile(file: string): ConversationFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new PipelineError(`cannot read ${file}: ${String(error)}`, {
      code: 'INPUT',
      cause: error,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('conversation file', [
      { path: file, message: `not JSON: ${String(error)}` },
    ]);
  }
  return conversationOf(body, file);
}

function conversationOf(body: unknown, file: string): ConversationFile {
  if (Array.isArray(body)) return { messages: body };
  if (!body || typeof body !== 'object') {
    throw new ValidationError('conversation file', [
      { path: file, message: 'expected an array of messages, {messages} or {main, branch}' },
    ]);
  }

  const record = body as Record<string, unknown>;
  const common = {
    tools: record.tools as ToolDefinition[] | undefined,
    pinned: record.pinned as PinList | undefined,
  };
  if (record.main !== undefined || record.branch !== undefined) {
    return { main: record.main, branch: record.branch, ...common };
  }
  if (!Array.isArray(record.messages)) {
    throw new ValidationError('conversation file', [
      { path: `${file}: messages`, message: 'expected an array of messages, or main and branch' },
    ]);
  }
  const system = systemMessage(record.system);
  return { messages: system ? [system, ...record.messages] : record.messages, ...common };
}

/** Anthropic request bodies carry the system prompt beside the messages. */
function systemMessage(system: unknown): ChatMessage | undefined {
  if (typeof system === 'string' && system) return { role: 'system', content: system };
  if (Array.isArray(system)) return { role: 'system', content: system as ContentBlock[] };
  return undefined;
}
