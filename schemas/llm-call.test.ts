import { describe, expect, it } from 'vitest';
import { ValidationError } from '../lib/errors.ts';
import { parseLlmCall } from './llm-call.ts';

const valid = {
  tenantId: 'acme',
  touchpoint: 'agent:global-regulatory',
  provider: 'openai',
  model: 'gpt-4o',
  usage: { inputTokens: 10 },
};

function issues(input: unknown): string[] {
  try {
    parseLlmCall(input);
    return [];
  } catch (error) {
    return (error as ValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
}

describe('parseLlmCall', () => {
  it('fills defaults: an event id, now, standard tier, one request', () => {
    const call = parseLlmCall(valid, () => 1_000);
    expect(call.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(call).toMatchObject({
      occurredAt: 1_000,
      serviceTier: 'standard',
      requestCount: 1,
      usage: { inputTokens: 10, outputTokens: 0 },
    });
  });

  it('accepts unknown but well-formed touchpoints', () => {
    expect(parseLlmCall({ ...valid, touchpoint: 'billing:invoice-writer' }).touchpoint).toBe(
      'billing:invoice-writer',
    );
  });

  it('names each bad field by its path', () => {
    expect(issues({ ...valid, touchpoint: 'Main Chat', usage: { inputTokens: -1 } })).toEqual([
      expect.stringMatching(/^touchpoint: /),
      expect.stringMatching(/^usage\.inputTokens: /),
    ]);
  });

  it('refuses a misspelt token class instead of counting it as zero', () => {
    expect(issues({ ...valid, usage: { input_tokens: 10 } })[0]).toMatch(/^usage: .*input_tokens/);
  });

  it('refuses absurd token counts', () => {
    expect(issues({ ...valid, usage: { inputTokens: 60_000_000 } })[0]).toMatch(/^usage: /);
  });
});
