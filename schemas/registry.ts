import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { PipelineError } from '../lib/errors.ts';

/** The Kafka header that names the writer schema of a message value (`llm-call.v1`). */
export const SCHEMA_HEADER = 'llmcost-schema';

const FILE_PATTERN = /^([a-z][a-z0-9-]*)\.v(\d+)\.avsc$/;

interface SchemaFile {
  id: string;
  subject: string;
  version: number;
  /** Other schema ids whose named types this one refers to. */
  imports: string[];
  json: Record<string, unknown>;
}

/**
 * Every published schema version, loaded from a directory of
 * `<subject>.v<N>.avsc` files. A schema may refer to named types of another
 * by listing that schema's id in an `imports` attribute (Avro ignores
 * attributes it does not know).
 */
export class SchemaRegistry {
  private readonly files = new Map<string, SchemaFile>();
  private readonly types = new Map<string, avro.Type>();

  constructor(dirs: string[] = [import.meta.dirname]) {
    for (const dir of dirs) this.loadDir(dir);
  }

  /** The Avro type of a schema id, e.g. `llm-call.v1`; throws for an unknown id. */
  type(id: string): avro.Type {
    const cached = this.types.get(id);
    if (cached) return cached;

    const file = this.files.get(id);
    if (!file) {
      throw new PipelineError(`unknown schema '${id}'`, {
        code: 'UNKNOWN_SCHEMA',
        context: { id },
      });
    }
    const registry: Record<string, avro.Type> = {};
    for (const dependency of file.imports) this.collectNamed(this.type(dependency), registry);
    // Plain objects, without avsc's record methods, so that decoded values
    // validate and serialise like any other input.
    const type = avro.Type.forSchema(file.json as avro.Schema, {
      registry,
      omitRecordMethods: true,
    });
    this.types.set(id, type);
    return type;
  }

  has(id: string): boolean {
    return this.files.has(id);
  }

  /**
   * Registers a schema learned at run time (from the schema topic): a newer
   * writer's version that this process was not shipped with. Refuses an id
   * that is not `<subject>.v<N>` or JSON that is not a valid Avro schema.
   */
  add(id: string, text: string): void {
    if (this.files.has(id)) return;
    const match = FILE_PATTERN.exec(`${id}.avsc`);
    if (!match) throw new PipelineError(`bad schema id '${id}'`, { code: 'BAD_SCHEMA' });

    const json = JSON.parse(text) as Record<string, unknown>;
    const imports = Array.isArray(json.imports) ? (json.imports as string[]) : [];
    this.files.set(id, { id, subject: match[1]!, version: Number(match[2]), imports, json });
    try {
      this.type(id);
    } catch (error) {
      this.files.delete(id);
      throw new PipelineError(`schema '${id}' is not valid Avro`, {
        code: 'BAD_SCHEMA',
        cause: error,
      });
    }
  }

  /** A schema's JSON text and the ids it imports, for publishing it. */
  source(id: string): { text: string; imports: string[] } {
    const file = this.files.get(id);
    if (!file) throw new PipelineError(`unknown schema '${id}'`, { code: 'UNKNOWN_SCHEMA' });
    return { text: JSON.stringify(file.json), imports: file.imports };
  }

  /** The highest version published for a subject. */
  latest(subject: string): string {
    const versions = [...this.files.values()].filter((file) => file.subject === subject);
    const newest = versions.sort((a, b) => b.version - a.version)[0];
    if (!newest) {
      throw new PipelineError(`no schema for '${subject}'`, { code: 'UNKNOWN_SCHEMA' });
    }
    return newest.id;
  }

  private loadDir(dir: string): void {
    for (const name of fs.readdirSync(dir)) {
      const match = FILE_PATTERN.exec(name);
      if (!match) continue;
      const json = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      const id = `${match[1]}.v${match[2]}`;
      const imports = Array.isArray(json.imports) ? (json.imports as string[]) : [];
      this.files.set(id, { id, subject: match[1]!, version: Number(match[2]), imports, json });
    }
  }

  private collectNamed(type: avro.Type, registry: Record<string, avro.Type>): void {
    const name = type.name;
    if (name === undefined || registry[name]) return;
    registry[name] = type;
    if (type instanceof avro.types.RecordType) {
      for (const field of type.fields) this.collectNamed(field.type, registry);
    }
  }
}
