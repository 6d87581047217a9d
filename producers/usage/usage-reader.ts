import { ValidationError } from '../../lib/errors.ts';
import { TOKEN_CLASSES, type ServiceTier, type TokenUsage } from '../../schemas/llm-call.ts';

/** A provider's usage object turned into our disjoint token classes. */
export interface MappedUsage {
  usage: TokenUsage;
  /** Usage fields with no token class (server tool calls, details …), as JSON text by path. */
  unmapped: Record<string, string>;
  serviceTier?: ServiceTier;
  model?: string;
}

export function emptyUsage(): TokenUsage {
  return Object.fromEntries(TOKEN_CLASSES.map((name) => [name, 0])) as TokenUsage;
}

/**
 * Reads a provider's usage object field by field and remembers which leaves
 * it read, so that every field no mapping used ends up in `unmapped` instead
 * of being dropped.
 */
export class UsageReader {
  private readonly leaves = new Map<string, unknown>();
  private readonly read = new Set<string>();

  constructor(
    private readonly what: string,
    source: unknown,
  ) {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) {
      throw new ValidationError(what, [{ path: '', message: 'usage must be an object' }]);
    }
    flatten(source, '', this.leaves);
  }

  /** A token count at a dotted path; 0 when absent. Refuses negative or fractional counts. */
  count(path: string): number {
    const value = this.leaves.get(path);
    this.read.add(path);
    if (value === undefined || value === null) return 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new ValidationError(this.what, [
        { path, message: `expected a token count, got ${JSON.stringify(value)}` },
      ]);
    }
    return value;
  }

  has(path: string): boolean {
    return this.leaves.has(path);
  }

  text(path: string): string | undefined {
    const value = this.leaves.get(path);
    this.read.add(path);
    return typeof value === 'string' ? value : undefined;
  }

  /**
   * The count of one modality in a list of `{modality, tokenCount}` entries
   * (Gemini's details), and marks the whole entry as read.
   */
  modality(listPath: string, modality: string): number {
    let total = 0;
    for (let index = 0; this.has(`${listPath}.${index}.modality`); index++) {
      const entry = `${listPath}.${index}`;
      if (this.text(`${entry}.modality`) === modality) total += this.count(`${entry}.tokenCount`);
    }
    return total;
  }

  /** Marks fields as read without using them: derived totals and subsets of counted classes. */
  ignore(...paths: string[]): void {
    for (const path of paths) this.read.add(path);
  }

  /** Every leaf no mapping read, as JSON text. */
  unmapped(): Record<string, string> {
    const rest: Record<string, string> = {};
    for (const [path, value] of this.leaves) {
      if (!this.read.has(path)) rest[path] = JSON.stringify(value);
    }
    return rest;
  }

  /** Subtracts what is counted elsewhere; a negative rest means the object contradicts itself. */
  remainder(total: number, parts: number, path: string): number {
    if (parts > total) {
      throw new ValidationError(this.what, [
        { path, message: `${total} is less than the ${parts} tokens counted within it` },
      ]);
    }
    return total - parts;
  }
}

function flatten(value: unknown, prefix: string, leaves: Map<string, unknown>): void {
  if (typeof value === 'object' && value !== null) {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value);
    for (const [key, inner] of entries)
      flatten(inner, prefix ? `${prefix}.${key}` : String(key), leaves);
    return;
  }
  leaves.set(prefix, value);
}

const TIERS: Record<string, ServiceTier> = {
  standard: 'standard',
  default: 'standard',
  auto: 'standard',
  batch: 'batch',
  flex: 'flex',
  priority: 'priority',
};

/** A provider's service-tier word in ours; unknown words are left to the caller. */
export function serviceTierOf(word: string | undefined): ServiceTier | undefined {
  return word === undefined ? undefined : TIERS[word.toLowerCase()];
}
