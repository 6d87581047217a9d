import { regexes } from 'zod';
import {
  MAX_TOKENS_PER_REQUEST,
  SERVICE_TIERS,
  TOKEN_CLASSES,
  TOUCHPOINT_PATTERN,
  type TokenUsage,
} from './call-fields.ts';
import type { LlmCall } from './llm-call.ts';

const UUID = regexes.uuid();
const PROVIDER = /^[a-z0-9][a-z0-9._-]*$/;
const KEYS = new Set([
  'eventId',
  'occurredAt',
  'tenantId',
  'userId',
  'conversationId',
  'touchpoint',
  'provider',
  'model',
  'serviceTier',
  'usage',
  'usageStatus',
  'unmappedUsage',
  'requestCount',
  'durationMs',
  'success',
  'errorType',
  'attributes',
]);
const TIERS = new Set<string>(SERVICE_TIERS);
const CLASSES = new Set<string>(TOKEN_CLASSES);

type Input = Record<string, unknown>;

/** A schema default applies to an absent field only: null is a value, and a wrong one. */
const orDefault = (value: unknown, fallback: () => unknown): unknown =>
  value === undefined ? fallback() : value;

const isString = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max;
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
/**
 * A plain object, or an instance of a class made straight from Object: the
 * records avsc decodes are such instances, their fields own properties.
 */
function isPlainObject(value: unknown): value is Input {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return (
    prototype === Object.prototype ||
    prototype === null ||
    Object.getPrototypeOf(prototype) === Object.prototype
  );
}

/**
 * The common case of llmCallSchema without zod's per-call cost: a call whose
 * fields are all plain, present-or-absent values that the schema accepts as
 * they are (what the Avro decoder and most services produce). Returns
 * undefined for anything else, so that the caller runs the schema itself,
 * which then either normalises the input (ISO dates …) or names what is
 * wrong. The two must agree; llm-call-fast.test.ts checks that they do.
 */
export function fastParseLlmCall(input: unknown, now: () => number): LlmCall | undefined {
  if (!isPlainObject(input)) return undefined;
  for (const key of Object.keys(input)) if (!KEYS.has(key)) return undefined;

  const usage = fastUsage(input.usage);
  const call = {
    eventId: orDefault(lowerCase(input.eventId), () => crypto.randomUUID()),
    occurredAt: orDefault(input.occurredAt, () => now()),
    tenantId: input.tenantId,
    userId: orDefault(input.userId, () => ''),
    conversationId: input.conversationId ?? null,
    touchpoint: input.touchpoint,
    provider: input.provider,
    model: input.model,
    serviceTier: orDefault(input.serviceTier, () => 'standard'),
    usage,
    usageStatus: orDefault(input.usageStatus, () => 'reported'),
    unmappedUsage: orDefault(input.unmappedUsage, () => ({})),
    requestCount: orDefault(input.requestCount, () => 1),
    durationMs: input.durationMs ?? null,
    success: orDefault(input.success, () => true),
    errorType: input.errorType ?? null,
    attributes: orDefault(input.attributes, () => ({})),
  };
  return isValid(call) ? (call as LlmCall) : undefined;
}

/** A UUID written in capitals is the same id: stored and deduplicated in lower case. */
function lowerCase(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function fastUsage(value: unknown): TokenUsage | undefined {
  if (!isPlainObject(value)) return undefined;
  const usage: Record<string, number> = {};
  for (const key of Object.keys(value)) if (!CLASSES.has(key)) return undefined;
  for (const name of TOKEN_CLASSES) {
    const count = value[name] ?? 0;
    if (!isCount(count)) return undefined;
    usage[name] = count;
  }
  return usage as TokenUsage;
}

function isValid(call: Record<string, unknown>): boolean {
  const usage = call.usage as TokenUsage | undefined;
  if (!usage) return false;
  const requests = call.requestCount;
  if (!isCount(requests) || requests < 1 || requests > 1_000_000) return false;
  const total = TOKEN_CLASSES.reduce((sum, name) => sum + usage[name], 0);

  return (
    typeof call.eventId === 'string' &&
    UUID.test(call.eventId) &&
    isCount(call.occurredAt) &&
    isString(call.tenantId, 1, 128) &&
    isString(call.userId, 0, 256) &&
    (call.conversationId === null || isString(call.conversationId, 0, 256)) &&
    isString(call.touchpoint, 0, 128) &&
    TOUCHPOINT_PATTERN.test(call.touchpoint) &&
    isString(call.provider, 1, 64) &&
    PROVIDER.test(call.provider) &&
    isString(call.model, 1, 256) &&
    typeof call.serviceTier === 'string' &&
    TIERS.has(call.serviceTier) &&
    (call.usageStatus === 'reported' || call.usageStatus === 'missing') &&
    isStringRecord(call.unmappedUsage) &&
    (call.durationMs === null || isCount(call.durationMs)) &&
    typeof call.success === 'boolean' &&
    (call.errorType === null || isString(call.errorType, 0, 256)) &&
    isStringRecord(call.attributes) &&
    total <= MAX_TOKENS_PER_REQUEST * requests
  );
}

function isStringRecord(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (typeof value[key] !== 'string') return false;
  return true;
}
