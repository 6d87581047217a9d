/** The names and limits every part of a call record shares. */

/** The token classes of CONTRACTS.md, in the order they are stored and shown. */
export const TOKEN_CLASSES = [
  'inputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'outputTokens',
  'reasoningTokens',
  'audioInputTokens',
  'audioOutputTokens',
] as const;

export type TokenClass = (typeof TOKEN_CLASSES)[number];
export type TokenUsage = Record<TokenClass, number>;

export const SERVICE_TIERS = ['standard', 'batch', 'flex', 'priority'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** `name` or `namespace:name`, each part lower-case kebab-case. */
export const TOUCHPOINT_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*(?::[a-z0-9]+(?:-[a-z0-9]+)*)?$/;

/**
 * No single request reads or writes this many tokens; a larger figure is a
 * unit mistake (characters, bytes) rather than usage, and is refused.
 */
export const MAX_TOKENS_PER_REQUEST = 50_000_000;
