import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { PipelineError, ValidationError } from '../../lib/errors.ts';
import { AvroCodec } from '../../schemas/codec.ts';
import type { SchemaRegistry } from '../../schemas/registry.ts';
import {
  parseCompactionRequest,
  type CompactionRequest,
  type CompactionResult,
} from './request.ts';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** The topics' message size limit (CONTRACTS.md), less room for the record's other fields. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const HEADROOM_BYTES = 64 * 1024;
/** A payload inflating past this is refused rather than read into memory. */
const MAX_INFLATED_BYTES = 512 * 1024 * 1024;
const ENCODING = 'gzip+json';

/** A request or result on the wire: the small fields as Avro, the conversation gzipped. */
export interface WireRequest {
  requestId: string;
  conversationId: string;
  tenantId: string;
  userId: string;
  strategy: string;
  options: string;
  tokenBudget: number;
  model: string;
  requestedAt: number;
  payloadEncoding: string;
  payload: Buffer;
}

export type WireResult = Omit<CompactionResult, 'messages'> & {
  payloadEncoding: string;
  payload: Buffer;
};

/** A request or result over the topic's 16 MB limit, even compressed. */
export class MessageTooLargeError extends PipelineError {
  constructor(what: string, bytes: number, context: Record<string, unknown> = {}) {
    const mb = (value: number) => (value / 1024 / 1024).toFixed(1);
    super(
      `the ${what} is ${mb(bytes)} MB compressed; compaction topics take at most ` +
        `${mb(MAX_MESSAGE_BYTES)} MB: split the conversation and compact it in parts`,
      { code: 'TOO_LARGE', context: { bytes, limit: MAX_MESSAGE_BYTES, ...context } },
    );
  }
}

/** Encodes and decodes compaction requests and results for their topics. */
export class CompactionWire {
  readonly requests: AvroCodec<WireRequest>;
  readonly results: AvroCodec<WireResult>;

  constructor(registry: SchemaRegistry) {
    this.requests = new AvroCodec(registry, 'compaction-request');
    this.results = new AvroCodec(registry, 'compaction-result');
  }

  /** A Kafka message for a request; refuses one over the size limit with a clear error. */
  async encodeRequest(request: CompactionRequest) {
    const { messages, main, branch, tools, pinned, options, ...fields } = request;
    const payload = await gzip(JSON.stringify({ messages, main, branch, tools, pinned }));
    const encoded = this.requests.encode({
      ...fields,
      options: JSON.stringify(options),
      payloadEncoding: ENCODING,
      payload,
    });
    checkSize('request', encoded.value.length, request.requestId);
    return { key: request.conversationId, ...encoded };
  }

  /** The request a wire record carries, checked; throws ValidationError for a bad one. */
  async decodeRequest(wire: WireRequest): Promise<CompactionRequest> {
    const { payload, payloadEncoding, options, ...fields } = wire;
    const body = await inflate(payload, payloadEncoding, wire.requestId);
    return parseCompactionRequest({ ...fields, options: parseJson(options, 'options'), ...body });
  }

  /** A Kafka message for a result. */
  async encodeResult(result: CompactionResult) {
    const { messages, ...fields } = result;
    const payload = await gzip(JSON.stringify({ messages }));
    const encoded = this.results.encode({ ...fields, payloadEncoding: ENCODING, payload });
    checkSize('result', encoded.value.length, result.requestId);
    return { key: result.conversationId, ...encoded };
  }

  async decodeResult(wire: WireResult): Promise<CompactionResult> {
    const { payload, payloadEncoding, ...fields } = wire;
    const body = await inflate(payload, payloadEncoding, wire.requestId);
    const messages = Array.isArray(body.messages) ? body.messages : [];
    return { ...fields, messages } as CompactionResult;
  }
}

function checkSize(what: string, bytes: number, requestId: string): void {
  if (bytes > MAX_MESSAGE_BYTES - HEADROOM_BYTES) {
    throw new MessageTooLargeError(what, bytes, { requestId });
  }
}

async function inflate(
  payload: Buffer,
  encoding: string,
  requestId: string,
): Promise<Record<string, unknown>> {
  if (encoding !== ENCODING) {
    throw new ValidationError('compaction payload', [
      { path: 'payloadEncoding', message: `'${encoding}' is not ${ENCODING}` },
    ]);
  }
  let text: string;
  try {
    text = (await gunzip(payload, { maxOutputLength: MAX_INFLATED_BYTES })).toString('utf8');
  } catch (error) {
    throw new ValidationError(
      'compaction payload',
      [
        {
          path: 'payload',
          message: `not gzip data within ${MAX_INFLATED_BYTES} bytes: ${String(error)}`,
        },
      ],
      { requestId },
    );
  }
  const body = parseJson(text, 'payload');
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('compaction payload', [
      { path: 'payload', message: 'not a JSON object' },
    ]);
  }
  return body as Record<string, unknown>;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('compaction request', [
      { path, message: `not JSON: ${String(error)}` },
    ]);
  }
}
