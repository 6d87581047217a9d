import { createRequire } from 'node:module';
import { PipelineError } from '../../lib/errors.ts';
import type { ExactEncoding } from './model-profile.ts';

interface Encoder {
  encode(text: string, options: { disallowedSpecial: Set<string> }): number[];
}

const require = createRequire(import.meta.url);
const MODULES: Record<ExactEncoding, string> = {
  o200k_base: 'gpt-tokenizer/encoding/o200k_base',
  cl100k_base: 'gpt-tokenizer/encoding/cl100k_base',
};
/** Special-token strings in a text are text: nothing is refused. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * One encoder per encoding for the life of the process, loaded on first use
 * (an encoding's tables take a fifth of a second to load and megabytes to
 * hold). The encoders are gpt-tokenizer's: @dqbd/tiktoken is the reference,
 * and the tests check that both give the same count for every text they
 * use; gpt-tokenizer does it about five times faster (see BENCHMARKS.md).
 */
export class EncoderPool {
  private readonly encoders = new Map<ExactEncoding, Encoder>();
  private closed = false;

  /** How many encoders have been loaded (at most one per encoding). */
  get size(): number {
    return this.encoders.size;
  }

  /** The exact token count of text, reading special-token strings as plain text. */
  count(encoding: ExactEncoding, text: string): number {
    return this.encoder(encoding).encode(text, AS_TEXT).length;
  }

  /** Drops the encoders; later counts fail instead of loading new ones. */
  close(): void {
    this.encoders.clear();
    this.closed = true;
  }

  private encoder(encoding: ExactEncoding): Encoder {
    if (this.closed) {
      throw new PipelineError('token encoders were released at shutdown', {
        code: 'ENCODERS_CLOSED',
        context: { encoding },
      });
    }
    let encoder = this.encoders.get(encoding);
    if (!encoder) {
      encoder = require(MODULES[encoding]) as Encoder;
      this.encoders.set(encoding, encoder);
    }
    return encoder;
  }
}
