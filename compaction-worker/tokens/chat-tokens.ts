import type { ChatMessage, ContentBlock } from '../conversation/message.ts';
import { canonicalJson } from '../conversation/identity.ts';
import { imageOf, imageTokens } from './image-tokens.ts';
import type { ModelProfile } from './model-profile.ts';
import { functionShape, type JsonSchema, type ToolDefinition } from './tool-definitions.ts';

/** Counts the tokens of a piece of text for one model. */
export type CountText = (text: string) => number;

/**
 * Framing of each tool call inside an assistant message (and of an Anthropic
 * tool_use block): no reference count is published, so it is taken as large
 * as a message's own framing.
 */
const PER_TOOL_CALL = 3;

// Tool list framing of the cookbook: per property, per enum list and item, and at the end.
const PROPERTIES_START = 3;
const PER_PROPERTY = 3;
const ENUM_START = -3;
const PER_ENUM_ITEM = 3;
const TOOLS_END = 12;
const COUNTED_KEYS = new Set(['type', 'description', 'enum']);

/**
 * The tokens one message adds to a chat request: its framing, role and
 * name, its text, the tools it calls with their JSON arguments, the results
 * it carries, and its images by size and detail. The caller's own fields
 * (`id`, `createdAt`, `pinned`, `metadata`) are not sent and not counted.
 */
export function messageTokens(
  message: ChatMessage,
  profile: ModelProfile,
  count: CountText,
): number {
  let total = profile.perMessage + count(message.role);
  if (message.name !== undefined) total += count(message.name) + profile.perName;

  if (typeof message.content === 'string') total += count(message.content);
  if (Array.isArray(message.content)) {
    for (const block of message.content) total += blockTokens(block, profile, count);
  }
  for (const call of message.tool_calls ?? []) {
    total += PER_TOOL_CALL + count(call.function.name) + count(call.function.arguments);
  }
  if (message.function_call) {
    const call = message.function_call;
    total += PER_TOOL_CALL + count(call.name) + count(call.arguments);
  }
  return total;
}

function blockTokens(block: ContentBlock, profile: ModelProfile, count: CountText): number {
  const image = imageOf(block);
  if (image) return imageTokens(image.size, image.detail, profile.images);

  switch (block.type) {
    case 'text':
      return count(block.text ?? '');
    case 'tool_use':
      return PER_TOOL_CALL + count(block.name ?? '') + count(canonicalJson(block.input ?? {}));
    case 'tool_result':
      if (typeof block.content === 'string') return count(block.content);
      return (block.content ?? []).reduce(
        (sum, inner) => sum + blockTokens(inner, profile, count),
        0,
      );
    default:
      // A block type this counter does not know is counted as its JSON, to err high.
      return count(typeof block.text === 'string' ? block.text : canonicalJson(block));
  }
}

/**
 * The tokens a request has besides its messages: the primed reply and the
 * tool definitions, counted as OpenAI's cookbook describes (name and
 * description, then each property's name, type, description and enum).
 */
export function fixedTokens(
  tools: ToolDefinition[] | undefined,
  profile: ModelProfile,
  count: CountText,
): number {
  if (!tools || tools.length === 0) return profile.replyPriming;

  let total = profile.replyPriming + TOOLS_END;
  for (const tool of tools) {
    const shape = functionShape(tool);
    total += profile.perFunction + count(`${shape.name}:${withoutFinalDot(shape.description)}`);
    if (shape.properties.length === 0) continue;

    total += PROPERTIES_START;
    for (const [key, property] of shape.properties) total += propertyTokens(key, property, count);
  }
  return total;
}

function propertyTokens(key: string, property: JsonSchema, count: CountText): number {
  let total = PER_PROPERTY;
  if (Array.isArray(property.enum)) {
    total += ENUM_START;
    for (const item of property.enum) total += PER_ENUM_ITEM + count(String(item));
  }
  const type = Array.isArray(property.type) ? property.type.join('|') : (property.type ?? 'any');
  total += count(`${key}:${type}:${withoutFinalDot(property.description ?? '')}`);

  // Nested objects and arrays are not in the reference; their schema is counted as JSON text.
  const rest = Object.entries(property).filter(([name]) => !COUNTED_KEYS.has(name));
  if (rest.length > 0) total += count(canonicalJson(Object.fromEntries(rest)));
  return total;
}

function withoutFinalDot(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}
