import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../schemas/registry.ts';
import type { CompactionRequest } from './request.ts';
import { CompactionWire, MessageTooLargeError } from './wire.ts';

const wire = new CompactionWire(new SchemaRegistry());

function request(content: unknown): CompactionRequest {
  return {
    requestId: 'r1',
    conversationId: 'c1',
    tenantId: 'acme',
    userId: '',
    strategy: 'none',
    options: { note: 'kept' },
    tokenBudget: 100,
    model: 'gpt-4o',
    requestedAt: 1_700_000_000_000,
    messages: [{ role: 'user', content: content as string }],
  };
}

describe('compaction requests on the wire', () => {
  it('round-trips a request with its conversation compressed', async () => {
    const original = request('Hello 👋 日本語 <|endoftext|>');
    const message = await wire.encodeRequest(original);
    expect(message.key).toBe('c1');
    expect(message.headers).toEqual({ 'llmcost-schema': 'compaction-request.v1' });
    const decoded = await wire.decodeRequest(wire.requests.decode(message.value, message.headers));
    expect(decoded).toEqual(original);
  });

  it('compresses: a repetitive conversation travels far smaller than its JSON', async () => {
    const text = 'the same sentence again and again. '.repeat(100_000);
    const message = await wire.encodeRequest(request(text));
    expect(message.value.length).toBeLessThan(text.length / 50);
  });

  it('refuses a request over 16 MB compressed with a clear error', async () => {
    // Random bytes do not compress: 17 MB of them stay over the limit as base64 in gzip.
    const noise = crypto.randomBytes(17 * 1024 * 1024).toString('base64');
    const big = request([
      { type: 'image_url', image_url: { url: `data:image/png;base64,${noise}` } },
    ]);
    const error = await wire.encodeRequest(big).then(
      () => 'accepted',
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(String(error)).toMatch(
      /is 1\d\.\d MB compressed; compaction topics take at most 16\.0 MB: split the conversation/,
    );
  });

  it('says which field is wrong in a bad request', async () => {
    const message = await wire.encodeRequest({
      ...request('x'),
      messages: [{ role: 'robot' }],
    } as never);
    const decoded = wire.requests.decode(message.value, message.headers);
    await expect(wire.decodeRequest(decoded)).rejects.toThrow(/messages\.0\.role/);
  });
});
