import { describe, expect, it } from 'vitest';
import { workload } from '../bench/workload.ts';
import { AvroCodec } from './codec.ts';
import { fastParseLlmCall } from './llm-call-fast.ts';
import { SchemaRegistry } from './registry.ts';
import { llmCallSchema, type LlmCall } from './llm-call.ts';

const NOW = 1_764_000_000_000;
const base = workload(1, 'fast')[0]!;

/** What the zod schema makes of an input, with the same defaults parseLlmCall fills. */
function viaSchema(input: unknown): LlmCall | undefined {
  const result = llmCallSchema.safeParse(input);
  if (!result.success) return undefined;
  const call = result.data;
  return {
    ...call,
    eventId: call.eventId ?? 'generated',
    occurredAt: call.occurredAt ?? NOW,
    conversationId: call.conversationId ?? null,
    durationMs: call.durationMs ?? null,
    errorType: call.errorType ?? null,
  } as LlmCall;
}

function viaFastPath(input: unknown): LlmCall | undefined {
  const call = fastParseLlmCall(input, () => NOW);
  const generated = input && typeof input === 'object' && !('eventId' in input);
  return call && generated ? { ...call, eventId: 'generated' } : call;
}

const set = (path: string, value: unknown): Record<string, unknown> => {
  const copy = structuredClone(base) as unknown as Record<string, unknown>;
  const [first, second] = path.split('.');
  if (second) (copy[first!] as Record<string, unknown>)[second] = value;
  else if (value === undefined) delete copy[first!];
  else copy[first!] = value;
  return copy;
};

const MUTATIONS: [string, unknown][] = [
  ['eventId', 'not-a-uuid'],
  ['eventId', 42],
  ['eventId', '3F2504E0-4F89-41D3-9A0C-0305E82C3301'],
  ['eventId', undefined],
  ['occurredAt', -1],
  ['occurredAt', 1.5],
  ['occurredAt', Number.NaN],
  ['occurredAt', '2025-01-01T00:00:00Z'],
  ['occurredAt', new Date(NOW)],
  ['occurredAt', 2 ** 60],
  ['occurredAt', undefined],
  ['tenantId', ''],
  ['tenantId', 'x'.repeat(129)],
  ['tenantId', 7],
  ['tenantId', undefined],
  ['userId', 'u'.repeat(257)],
  ['userId', undefined],
  ['userId', null],
  ['conversationId', null],
  ['conversationId', 'c'],
  ['conversationId', 3],
  ['conversationId', undefined],
  ['touchpoint', 'Main Chat'],
  ['touchpoint', 'a:b:c'],
  ['touchpoint', 'x'.repeat(129)],
  ['touchpoint', 'ok-one'],
  ['provider', 'OpenAI'],
  ['provider', ''],
  ['provider', '-x'],
  ['provider', 'p'.repeat(65)],
  ['model', ''],
  ['model', 'm'.repeat(257)],
  ['model', null],
  ['serviceTier', 'gold'],
  ['serviceTier', 'batch'],
  ['serviceTier', undefined],
  ['serviceTier', null],
  ['usage', null],
  ['usage', []],
  ['usage', {}],
  ['usage.inputTokens', -1],
  ['usage.inputTokens', 0.5],
  ['usage.inputTokens', '10'],
  ['usage.input_tokens', 1],
  ['usage.outputTokens', undefined],
  ['usage.inputTokens', 60_000_000],
  ['usage.inputTokens', Number.MAX_SAFE_INTEGER],
  ['usageStatus', 'lost'],
  ['usageStatus', 'missing'],
  ['unmappedUsage', { a: 1 }],
  ['unmappedUsage', []],
  ['unmappedUsage', { a: 'x' }],
  ['unmappedUsage', null],
  ['requestCount', 0],
  ['requestCount', 2],
  ['requestCount', 1_000_001],
  ['requestCount', 1.5],
  ['durationMs', -3],
  ['durationMs', null],
  ['durationMs', 12],
  ['durationMs', '12'],
  ['success', 'yes'],
  ['success', false],
  ['success', null],
  ['errorType', 'e'.repeat(257)],
  ['errorType', 'timeout'],
  ['errorType', null],
  ['attributes', { k: 'v' }],
  ['attributes', { k: 1 }],
  ['attributes', 'x'],
  ['extra', 'field'],
];

describe('the fast path of call validation', () => {
  it('accepts complete records and gives what the schema gives', () => {
    for (const call of workload(200, 'fast-many')) {
      expect(viaFastPath(call)).toEqual(viaSchema(call));
    }
  });

  it('accepts the records the Avro decoder makes, as the consumer receives them', () => {
    const codec = new AvroCodec<LlmCall>(new SchemaRegistry(), 'llm-call');
    for (const call of workload(50, 'fast-avro')) {
      const encoded = codec.encode(call);
      const decoded = codec.decode(encoded.value, encoded.headers);

      expect(fastParseLlmCall(decoded, () => NOW)).toBeDefined();
      expect(viaFastPath(decoded)).toEqual(viaSchema(decoded));
    }
  });

  it('accepts what a service typically passes, with the same defaults', () => {
    const input = {
      tenantId: 'acme',
      touchpoint: 'main-chat',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 10 },
    };
    expect(viaFastPath(input)).toEqual(viaSchema(input));
  });

  it('stores an eventId written in capitals in lower case on both paths', () => {
    const input = set('eventId', '3F2504E0-4F89-41D3-9A0C-0305E82C3301');
    expect(viaFastPath(input)?.eventId).toBe('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    expect(viaSchema(input)?.eventId).toBe('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
  });

  it.each(MUTATIONS)(
    'never accepts what the schema refuses, nor differs from it: %s = %o',
    (path, value) => {
      const input = set(path, value);
      const fast = viaFastPath(input);
      if (fast) expect(fast).toEqual(viaSchema(input));
      if (!viaSchema(input)) expect(fast).toBeUndefined();
    },
  );
});
