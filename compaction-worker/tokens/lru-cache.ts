export interface LruCacheOptions {
  /** Entries kept at most; the least recently used goes first. */
  maxEntries: number;
  /** How long an entry stays valid after it was stored. */
  ttlMs: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * A bounded map that forgets its least recently used entry when full and
 * any entry older than its time to live. A Map keeps insertion order, so
 * re-inserting on every hit keeps the oldest entry first.
 */
export class LruCache<K, V> {
  readonly stats = { hits: 0, misses: 0, evictions: 0 };
  private readonly entries = new Map<K, { value: V; storedAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: LruCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.now() - entry.storedAt > this.options.ttlMs) {
      if (entry) this.entries.delete(key);
      this.stats.misses += 1;
      return undefined;
    }

    this.entries.delete(key);
    this.entries.set(key, entry);
    this.stats.hits += 1;
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: this.now() });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
      this.stats.evictions += 1;
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
