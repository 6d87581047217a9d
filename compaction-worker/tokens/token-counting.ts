import crypto from 'node:crypto';
import type { ChatMessage } from '../conversation/message.ts';
import { fixedTokens, messageTokens } from './chat-tokens.ts';
import { EncoderPool } from './encoder-pool.ts';
import { estimateTokens, type EstimatorOptions } from './estimator.ts';
import { LruCache } from './lru-cache.ts';
import { modelProfile, type ModelProfile } from './model-profile.ts';
import type { ToolDefinition } from './tool-definitions.ts';

/**
 * What the strategies measure with: the tokens each message adds to a
 * request and the tokens a request has anyway. A conversation's size is
 * `fixed(tools) + Σ message(m)`; tests pass simpler meters of their own.
 */
export interface MessageMeter {
  /** True when the figures are estimates (a model without a public tokenizer). */
  readonly estimate: boolean;
  message(message: ChatMessage): number;
  fixed(tools?: ToolDefinition[]): number;
}

/** A meter for one model, which also counts plain text. */
export interface ModelMeter extends MessageMeter {
  readonly profile: ModelProfile;
  text(text: string): number;
  conversation(messages: ChatMessage[], tools?: ToolDefinition[]): number;
}

export interface TokenCountingOptions {
  /** Bounded cache of text counts. @default 50000 entries for 10 minutes */
  cache?: { maxEntries: number; ttlMs: number };
  estimator?: EstimatorOptions;
}

/** Texts shorter than this are encoded directly: hashing them costs about as much. */
const CACHE_MIN_LENGTH = 64;

/**
 * Token counting for the whole process: one encoder per encoding, a cache
 * of counts keyed by encoding and content hash, and a meter per model.
 * Create one, share it, and close() it on shutdown to free the encoders.
 */
export class TokenCounting {
  private readonly pool = new EncoderPool();
  private readonly cache: LruCache<string, number>;
  private readonly meters = new Map<string, ModelMeter>();

  constructor(private readonly options: TokenCountingOptions = {}) {
    this.cache = new LruCache(options.cache ?? { maxEntries: 50_000, ttlMs: 10 * 60_000 });
  }

  get cacheStats() {
    return { ...this.cache.stats, size: this.cache.size, encoders: this.pool.size };
  }

  /** The meter of a model; the same object for every call with the same model. */
  meter(model: string): ModelMeter {
    const existing = this.meters.get(model);
    if (existing) return existing;

    const profile = modelProfile(model);
    const text = (input: string) => this.countText(profile, input);
    const meter: ModelMeter = {
      profile,
      estimate: profile.kind === 'estimate',
      text,
      message: (message) => messageTokens(message, profile, text),
      fixed: (tools) => fixedTokens(tools, profile, text),
      conversation: (messages, tools) =>
        messages.reduce((sum, message) => sum + meter.message(message), meter.fixed(tools)),
    };
    this.meters.set(model, meter);
    return meter;
  }

  /** Frees the encoders; counting afterwards throws. */
  close(): void {
    this.pool.close();
    this.cache.clear();
  }

  private countText(profile: ModelProfile, text: string): number {
    if (profile.kind === 'estimate') return estimateTokens(text, this.options.estimator);
    if (text.length < CACHE_MIN_LENGTH) return this.pool.count(profile.encoding, text);

    // crypto.hash is the one-shot form: a third of createHash's cost on short texts.
    const key = `${profile.encoding}:${crypto.hash('sha1', text, 'base64')}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const count = this.pool.count(profile.encoding, text);
    this.cache.set(key, count);
    return count;
  }
}
