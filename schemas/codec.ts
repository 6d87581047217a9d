import type avro from 'avsc';
import { PipelineError } from '../lib/errors.ts';
import { SCHEMA_HEADER, SchemaRegistry } from './registry.ts';

export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** Why a message could not be decoded; each becomes the reason header of a dead letter. */
export type DecodeFailure = 'missing-schema-header' | 'unknown-schema' | 'undecodable';

export class DecodeError extends PipelineError {
  constructor(
    readonly reason: DecodeFailure,
    message: string,
    context: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, { code: 'DECODE', context: { reason, ...context }, cause });
  }
}

/**
 * Encodes values with one schema version and decodes values written with any
 * known version of the same subject, resolving the writer's schema to this
 * codec's (older readers skip new fields; newer readers fill defaults).
 */
export class AvroCodec<T> {
  readonly schemaId: string;
  private readonly subject: string;
  private readonly type: avro.Type;
  private readonly resolvers = new Map<string, avro.Resolver | null>();

  constructor(
    private readonly registry: SchemaRegistry,
    subject: string,
    version?: number,
  ) {
    this.schemaId = version === undefined ? registry.latest(subject) : `${subject}.v${version}`;
    this.type = registry.type(this.schemaId);
    this.subject = subject;
  }

  encode(value: T): { value: Buffer; headers: Record<string, string> } {
    return { value: this.type.toBuffer(value), headers: { [SCHEMA_HEADER]: this.schemaId } };
  }

  decode(value: Buffer | null, headers: MessageHeaders | undefined): T {
    const writerId = headerText(headers?.[SCHEMA_HEADER]);
    if (!writerId) {
      throw new DecodeError('missing-schema-header', `message has no ${SCHEMA_HEADER} header`);
    }
    if (!writerId.startsWith(`${this.subject}.v`) || !this.registry.has(writerId)) {
      throw new DecodeError('unknown-schema', `unknown writer schema '${writerId}'`, {
        schema: writerId,
      });
    }
    if (!value) throw new DecodeError('undecodable', 'message has no value', { schema: writerId });

    try {
      const resolver = this.resolverFor(writerId);
      return (resolver ? this.type.fromBuffer(value, resolver) : this.type.fromBuffer(value)) as T;
    } catch (error) {
      throw new DecodeError(
        'undecodable',
        `value is not valid ${writerId} Avro`,
        {
          schema: writerId,
        },
        error,
      );
    }
  }

  private resolverFor(writerId: string): avro.Resolver | null {
    if (!this.resolvers.has(writerId)) {
      const resolver =
        writerId === this.schemaId ? null : this.type.createResolver(this.registry.type(writerId));
      this.resolvers.set(writerId, resolver);
    }
    return this.resolvers.get(writerId) ?? null;
  }
}

export function headerText(header: MessageHeaders[string]): string | undefined {
  const first = Array.isArray(header) ? header[0] : header;
  return first === undefined ? undefined : first.toString();
}
