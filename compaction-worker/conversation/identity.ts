import crypto from 'node:crypto';
import type { ChatMessage } from './message.ts';

/**
 * A stable hash of a message's whole content (keys sorted, so field order
 * does not matter), for recognising the same message after it has crossed
 * Kafka or been copied into another branch.
 */
export function fingerprint(message: ChatMessage): string {
  return crypto
    .createHash('sha256')
    .update(canonicalJson(message))
    .digest('base64url')
    .slice(0, 22);
}

/** JSON with object keys in sorted order at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const fields = entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What makes two messages the same message: the caller's `id` when there is
 * one; otherwise the content together with how many identical messages came
 * before it in the same conversation, so a repeated turn stays distinct.
 */
export function messageIdentities(messages: ChatMessage[]): string[] {
  const seen = new Map<string, number>();
  return messages.map((message) => {
    if (message.id) return `id:${message.id}`;
    // Pinning is a flag on a copy, not part of what the message says.
    const print = fingerprint({ ...message, pinned: undefined });
    const occurrence = seen.get(print) ?? 0;
    seen.set(print, occurrence + 1);
    return `fp:${print}#${occurrence}`;
  });
}

/** How a message is named in a result's `dropped` and `summarised` lists. */
export function messageRef(message: ChatMessage, index: number): string {
  return message.id ?? `#${index}`;
}
