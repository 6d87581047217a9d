import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AvroCodec, DecodeError } from './codec.ts';
import { parseLlmCall } from './llm-call.ts';
import { SchemaRegistry } from './registry.ts';

const call = parseLlmCall({
  tenantId: 'acme',
  touchpoint: 'main-chat',
  provider: 'openai',
  model: 'gpt-4o',
  usage: { inputTokens: 10, outputTokens: 5 },
  occurredAt: '2025-01-01T00:00:00Z',
});

describe('AvroCodec', () => {
  it('round-trips a call and names its writer schema in a header', () => {
    const codec = new AvroCodec(new SchemaRegistry(), 'llm-call');
    const { value, headers } = codec.encode(call);
    expect(headers).toEqual({ 'llmcost-schema': 'llm-call.v1' });
    expect(codec.decode(value, headers)).toEqual(call);
  });

  it('says why a message cannot be decoded', () => {
    const codec = new AvroCodec(new SchemaRegistry(), 'llm-call');
    const reason = (value: Buffer, headers: Record<string, string>) => {
      try {
        codec.decode(value, headers);
      } catch (error) {
        return (error as DecodeError).reason;
      }
    };
    expect(reason(Buffer.from('x'), {})).toBe('missing-schema-header');
    expect(reason(Buffer.from('x'), { 'llmcost-schema': 'llm-call.v9' })).toBe('unknown-schema');
    expect(reason(Buffer.from([1, 2, 3]), { 'llmcost-schema': 'llm-call.v1' })).toBe('undecodable');
  });

  it('reads a newer writer version with an extra field, and the other way round', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-schemas-'));
    const v1 = JSON.parse(
      fs.readFileSync(path.join(import.meta.dirname, 'llm-call.v1.avsc'), 'utf8'),
    );
    const v2 = { ...v1, fields: [...v1.fields, { name: 'region', type: 'string', default: 'eu' }] };
    fs.writeFileSync(path.join(dir, 'llm-call.v2.avsc'), JSON.stringify(v2));
    const registry = new SchemaRegistry([import.meta.dirname, dir]);
    const reader1 = new AvroCodec(registry, 'llm-call', 1);
    const reader2 = new AvroCodec(registry, 'llm-call', 2);

    const fromV2 = reader2.encode({ ...call, region: 'us' });
    expect(reader1.decode(fromV2.value, fromV2.headers)).toEqual(call);
    const fromV1 = reader1.encode(call);
    expect(reader2.decode(fromV1.value, fromV1.headers)).toEqual({ ...call, region: 'eu' });
  });
});
