/**
 * The touchpoints known today. The set is open: any other `name` or
 * `namespace:name` in lower-case kebab-case is accepted (TOUCHPOINT_PATTERN).
 */
export const KNOWN_TOUCHPOINTS = [
  'main-chat',
  'merge-summarizer',
  'agent:global-regulatory',
  'agent:ie-social-safety',
  'compliance-engine',
  'compaction:semantic',
  'compaction:merge-moderate',
  'pii-sanitizer',
] as const;

export type KnownTouchpoint = (typeof KNOWN_TOUCHPOINTS)[number];

export { TOUCHPOINT_PATTERN } from '../schemas/llm-call.ts';
