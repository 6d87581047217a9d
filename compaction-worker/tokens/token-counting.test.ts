import { get_encoding } from '@dqbd/tiktoken';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../conversation/message.ts';
import { loadAllConversations } from '../datasets/load-all.ts';
import { messageText } from '../conversation/message.ts';
import { TokenCounting } from './token-counting.ts';
import type { ToolDefinition } from './tool-definitions.ts';

const counting = new TokenCounting();
afterAll(() => counting.close());

// The example conversations of OpenAI's cookbook "How to count tokens with tiktoken".
const cookbookMessages: ChatMessage[] = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon ' +
      'into plain English.',
  },
  {
    role: 'system',
    name: 'example_user',
    content: 'New synergies will help drive top-line growth.',
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for " +
      'increased leverage.',
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content:
      "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

const weatherTools: ToolDefinition[] = [
  {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'Get the current weather in a given location',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
          unit: {
            type: 'string',
            description: 'The unit of temperature to return',
            enum: ['celsius', 'fahrenheit'],
          },
        },
        required: ['location'],
      },
    },
  },
];

const weatherMessages: ChatMessage[] = [
  {
    role: 'system',
    content: 'You are a helpful assistant that can answer to questions about the weather.',
  },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];

describe('chat counts reproduce the published reference counts (case 18)', () => {
  it.each([
    ['gpt-4-0613', 129],
    ['gpt-4', 129],
    ['gpt-3.5-turbo', 129],
    ['gpt-4o', 124],
    ['gpt-4o-mini', 124],
  ])('six-message example on %s: %i prompt tokens', (model, expected) => {
    expect(counting.meter(model).conversation(cookbookMessages)).toBe(expected);
  });

  it.each([
    ['gpt-4', 105],
    ['gpt-3.5-turbo', 105],
    ['gpt-4o', 101],
    ['gpt-4o-mini', 101],
  ])('weather-tool example on %s: %i prompt tokens', (model, expected) => {
    expect(counting.meter(model).conversation(weatherMessages, weatherTools)).toBe(expected);
  });
});

describe('text counts are exactly @dqbd/tiktoken counts', () => {
  it('for every message text of the real conversations, in both encodings', () => {
    const texts = loadAllConversations()
      .flatMap((conversation) => conversation.messages.map(messageText))
      .filter((text) => text.length > 0);
    const reference = {
      o200k_base: get_encoding('o200k_base'),
      cl100k_base: get_encoding('cl100k_base'),
    };
    try {
      for (const [model, encoding] of [
        ['gpt-4o', 'o200k_base'],
        ['gpt-4', 'cl100k_base'],
      ] as const) {
        const meter = counting.meter(model);
        const mismatches = texts.filter(
          (text) => meter.text(text) !== reference[encoding].encode_ordinary(text).length,
        );
        expect(mismatches).toEqual([]);
      }
    } finally {
      reference.o200k_base.free();
      reference.cl100k_base.free();
    }
    expect(texts.length).toBeGreaterThan(5_000);
  });

  it('counts literal special-token strings as text, without throwing (case 16)', () => {
    const meter = counting.meter('gpt-4o');
    const plain = meter.message({ role: 'user', content: 'before after' });
    const special = meter.message({ role: 'user', content: 'before <|endoftext|> after' });
    expect(special).toBeGreaterThan(plain + 3);
    expect(meter.text('<|endoftext|><|fim_prefix|>')).toBeGreaterThan(2);
    const reference = get_encoding('o200k_base');
    try {
      for (const text of ['<|endoftext|>', 'a <|im_start|>user<|im_end|> b', '<|fim_prefix|>x']) {
        expect(meter.text(text)).toBe(reference.encode_ordinary(text).length);
      }
    } finally {
      reference.free();
    }
  });

  it('round-trips emoji, flags, ZWJ sequences and CJK', () => {
    const encoder = get_encoding('o200k_base');
    try {
      for (const text of ['👨‍👩‍👧‍👦 family', '🇯🇵🇺🇦 flags', '日本語のテキスト', '한국어', 'naïve café']) {
        const tokens = encoder.encode_ordinary(text);
        expect(new TextDecoder().decode(encoder.decode(tokens))).toBe(text);
        expect(counting.meter('gpt-4o').text(text)).toBe(tokens.length);
      }
    } finally {
      encoder.free();
    }
  });
});

describe('tool calls, tool results and tool definitions are counted (case 14)', () => {
  const meter = counting.meter('gpt-4o');
  const args = JSON.stringify({ query: 'x'.repeat(1_000), filters: 'flight '.repeat(140) });

  it('adds at least the tokens of the JSON arguments', () => {
    const bare: ChatMessage = { role: 'assistant', content: 'Looking it up.' };
    const calling: ChatMessage = {
      ...bare,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: args } }],
    };
    expect(args.length).toBeGreaterThanOrEqual(2_000);
    expect(meter.message(calling) - meter.message(bare)).toBeGreaterThanOrEqual(meter.text(args));
  });

  it('counts Anthropic tool_use input the same way', () => {
    const block: ChatMessage = {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 't1', name: 'search', input: JSON.parse(args) }],
    };
    expect(meter.message(block)).toBeGreaterThanOrEqual(meter.text(args));
  });

  it('gives tool results the same per-message overhead as other messages', () => {
    const result: ChatMessage = { role: 'tool', tool_call_id: 'c1', content: 'sunny' };
    const user: ChatMessage = { role: 'user', content: 'sunny' };
    const overhead = (message: ChatMessage) =>
      meter.message(message) - meter.text('sunny') - meter.text(message.role);
    expect(overhead(result)).toBe(overhead(user));
    expect(overhead(result)).toBe(3);
  });

  it('counts tool definitions when a tools list is present', () => {
    expect(meter.fixed(weatherTools)).toBeGreaterThan(meter.fixed([]));
    expect(meter.fixed()).toBe(3);
  });
});

describe('estimates for models without a public tokenizer', () => {
  it('marks Claude and Gemini figures as estimates and OpenAI ones as exact', () => {
    expect(counting.meter('claude-sonnet-4-0').estimate).toBe(true);
    expect(counting.meter('gemini-2.5-pro').estimate).toBe(true);
    expect(counting.meter('gpt-4o').estimate).toBe(false);
    expect(counting.meter('o3-mini').profile).toMatchObject({ encoding: 'o200k_base' });
    expect(counting.meter('gpt-4.1-nano').profile).toMatchObject({ encoding: 'o200k_base' });
    expect(counting.meter('gpt-5-mini').profile).toMatchObject({ encoding: 'o200k_base' });
    expect(counting.meter('gpt-3.5-turbo').profile).toMatchObject({ encoding: 'cl100k_base' });
  });
});

describe('encoders', () => {
  it('builds one encoder per encoding however many counts and meters there are', () => {
    const own = new TokenCounting();
    for (let i = 0; i < 200; i++) {
      own.meter('gpt-4o').text(`text number ${i}`);
      own.meter('gpt-4o-mini').text(`text number ${i}`);
      own.meter('gpt-4').text(`text number ${i}`);
    }
    expect(own.cacheStats.encoders).toBe(2);
    own.close();
    expect(() => own.meter('gpt-4o').text('after close')).toThrow(/released/);
  });

  it('serves repeated long texts from the cache', () => {
    const own = new TokenCounting();
    const text = 'a long enough message to be worth caching, repeated. '.repeat(4);
    own.meter('gpt-4o').text(text);
    own.meter('gpt-4o').text(text);
    expect(own.cacheStats.hits).toBe(1);
    own.close();
  });
});
