/** The BPE encodings whose exact counts this worker can give. */
export type ExactEncoding = 'o200k_base' | 'cl100k_base';

/** How a model's requests are counted: exactly with an encoding, or estimated. */
export type ModelProfile = ExactProfile | EstimatedProfile;

interface ChatFormat {
  /** Tokens each message adds besides its content (role markers). */
  perMessage: number;
  /** Tokens a `name` field adds besides its own text. */
  perName: number;
  /** Tokens every request ends with: the assistant reply is primed. */
  replyPriming: number;
  /** Tokens each function definition adds besides its text (tool definitions). */
  perFunction: number;
}

export interface ExactProfile extends ChatFormat {
  kind: 'exact';
  model: string;
  encoding: ExactEncoding;
  images: ImagePricing;
}

export interface EstimatedProfile extends ChatFormat {
  kind: 'estimate';
  model: string;
  family: 'claude' | 'gemini' | 'other';
  images: ImagePricing;
}

/** Image cost rules: OpenAI's tiles, Anthropic's pixel area, Gemini's flat rate. */
export type ImagePricing =
  | { kind: 'tiles'; base: number; perTile: number }
  | { kind: 'area'; pixelsPerToken: number; maxSide: number }
  | { kind: 'flat'; tokens: number };

const OPENAI_TILES: ImagePricing = { kind: 'tiles', base: 85, perTile: 170 };
// gpt-4o-mini bills images at a higher rate per tile than gpt-4o.
const MINI_TILES: ImagePricing = { kind: 'tiles', base: 2833, perTile: 5667 };

/**
 * The counting rules of a model. o200k_base serves gpt-4o, gpt-4.1, gpt-4.5,
 * the o-series and gpt-5; cl100k_base gpt-4 and gpt-3.5. The chat framing
 * constants are the ones OpenAI's cookbook publishes (3 per message, 1 per
 * name, 3 for the reply; 7 or 10 per function). Models without a public
 * tokenizer (Claude, Gemini, anything else) get an estimate.
 */
export function modelProfile(model: string): ModelProfile {
  const name = model.toLowerCase().replace(/^(openai|azure)\//, '');
  const encoding = encodingOf(name);
  if (encoding) {
    const legacy = name.startsWith('gpt-3.5-turbo-0301');
    return {
      kind: 'exact',
      model,
      encoding,
      perMessage: legacy ? 4 : 3,
      perName: legacy ? -1 : 1,
      replyPriming: 3,
      perFunction: encoding === 'o200k_base' ? 7 : 10,
      images: name.startsWith('gpt-4o-mini') ? MINI_TILES : OPENAI_TILES,
    };
  }

  const family = name.includes('claude') ? 'claude' : name.includes('gemini') ? 'gemini' : 'other';
  const images: ImagePricing =
    family === 'claude'
      ? { kind: 'area', pixelsPerToken: 750, maxSide: 1568 }
      : family === 'gemini'
        ? { kind: 'flat', tokens: 258 }
        : OPENAI_TILES;
  return {
    kind: 'estimate',
    model,
    family,
    perMessage: 3,
    perName: 1,
    replyPriming: 3,
    perFunction: 10,
    images,
  };
}

function encodingOf(name: string): ExactEncoding | undefined {
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)(\b|-|$)/.test(name)) {
    return 'o200k_base';
  }
  if (/^(gpt-4|gpt-3\.5|gpt-35|text-embedding-3|text-embedding-ada-002)/.test(name)) {
    return 'cl100k_base';
  }
  // A gpt model newer than this table is most likely on the newest encoding.
  if (/^gpt-\d/.test(name)) return 'o200k_base';
  return undefined;
}
