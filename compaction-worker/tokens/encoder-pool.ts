import { get_encoding, type Tiktoken } from '@dqbd/tiktoken';
import { PipelineError } from '../../lib/errors.ts';
import type { ExactEncoding } from './model-profile.ts';

/**
 * One @dqbd/tiktoken encoder per encoding for the life of the process. The
 * encoders live in WebAssembly memory that the garbage collector does not
 * see, so they are built once, shared by every count, and freed on close().
 */
export class EncoderPool {
  private readonly encoders = new Map<ExactEncoding, Tiktoken>();
  private closed = false;

  /** How many encoders have been built (at most one per encoding). */
  get size(): number {
    return this.encoders.size;
  }

  /** The exact token count of text, reading special-token strings as plain text. */
  count(encoding: ExactEncoding, text: string): number {
    return this.encoder(encoding).encode_ordinary(text).length;
  }

  /** Frees every encoder; later counts fail instead of leaking new ones. */
  close(): void {
    for (const encoder of this.encoders.values()) encoder.free();
    this.encoders.clear();
    this.closed = true;
  }

  private encoder(encoding: ExactEncoding): Tiktoken {
    if (this.closed) {
      throw new PipelineError('token encoders were released at shutdown', {
        code: 'ENCODERS_CLOSED',
        context: { encoding },
      });
    }
    let encoder = this.encoders.get(encoding);
    if (!encoder) {
      encoder = get_encoding(encoding);
      this.encoders.set(encoding, encoder);
    }
    return encoder;
  }
}
