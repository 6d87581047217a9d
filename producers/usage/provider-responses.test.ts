import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/config.ts';
import { totalTokens } from '../../schemas/llm-call.ts';
import {
  parseServerSentEvents,
  usageFromAny,
  usageFromGeminiStream,
  usageFromOpenAIChatStream,
  usageFromOpenAIResponsesStream,
  usageFromResponse,
} from './index.ts';

const DIR = path.join(packageRoot, 'data/provider-usage');

interface Entry {
  provider: string;
  api: string;
  note: string;
  usage: Record<string, unknown>;
  response: Record<string, unknown>;
}

const entries = (
  JSON.parse(fs.readFileSync(path.join(DIR, 'responses.json'), 'utf8')) as {
    entries: Entry[];
  }
).entries;

/** Every token the provider says it counted, read from its own totals. */
function providerTotal(entry: Entry): number {
  const u = entry.usage as Record<string, number>;
  if (entry.provider === 'anthropic') {
    return (
      u.input_tokens! +
      u.cache_read_input_tokens! +
      u.cache_creation_input_tokens! +
      u.output_tokens!
    );
  }
  if (entry.provider === 'google') return u.totalTokenCount!;
  return u.total_tokens!;
}

describe('usage of real recorded provider responses', () => {
  it.each(
    entries.map(
      (entry) => [`${entry.provider} ${entry.api}: ${entry.note.slice(0, 60)}`, entry] as const,
    ),
  )('%s counts every token exactly once', (_, entry) => {
    const mapped = usageFromResponse(entry.response);
    expect(totalTokens(mapped.usage)).toBe(providerTotal(entry));
    expect(mapped.model).toBeTruthy();
  });

  const find = (text: string) => entries.find((entry) => entry.note.includes(text))!;

  it('takes cached and reasoning tokens out of OpenAI totals', () => {
    const { usage } = usageFromResponse(find('gpt-5-mini with web_search').response);
    expect(usage).toMatchObject({
      inputTokens: 19_681 - 3_712,
      cacheReadTokens: 3_712,
      outputTokens: 3_773 - 3_136,
      reasoningTokens: 3_136,
    });
  });

  it('takes audio tokens out of the text input', () => {
    const { usage } = usageFromResponse(find('gpt-4o-audio-preview').response);
    expect(usage).toMatchObject({ inputTokens: 20, audioInputTokens: 44, outputTokens: 9 });
  });

  it('reads Anthropic cache writes by duration and keeps server tool use', () => {
    const both = usageFromResponse(find('both cache_creation_input_tokens 418').response);
    expect(both.usage).toMatchObject({
      inputTokens: 3,
      cacheReadTokens: 1_111,
      cacheWriteTokens: 418,
      cacheWrite1hTokens: 0,
      outputTokens: 33,
    });
    const search = usageFromResponse(find('server-side web search').response);
    expect(search.unmapped['server_tool_use.web_search_requests']).toBe('2');
    expect(search.serviceTier).toBe('standard');
  });

  it('keeps Gemini thoughts apart and cached audio a cache read', () => {
    const { usage } = usageFromResponse(find('video input').response);
    expect(usage).toMatchObject({
      cacheReadTokens: 17_379,
      audioInputTokens: 1_917 - 1_881,
      inputTokens: 17_713 - 17_379 - (1_917 - 1_881),
      outputTokens: 68,
      reasoningTokens: 821,
    });
  });
});

describe('usage of OpenAI-compatible providers', () => {
  it('reads DeepSeek cache hits, with or without cached_tokens beside them', () => {
    // The usage shape DeepSeek's API documents for its chat completions.
    const deepseek = {
      prompt_tokens: 1000,
      completion_tokens: 50,
      total_tokens: 1050,
      prompt_cache_hit_tokens: 640,
      prompt_cache_miss_tokens: 360,
    };
    const expected = { inputTokens: 360, cacheReadTokens: 640, outputTokens: 50 };

    expect(usageFromAny(deepseek)).toMatchObject({ usage: expected, unmapped: {} });
    const withDetails = { ...deepseek, prompt_tokens_details: { cached_tokens: 640 } };
    expect(usageFromAny(withDetails)).toMatchObject({ usage: expected, unmapped: {} });
  });
});

describe('usage of real recorded streams', () => {
  it('takes the OpenAI usage chunk at the end of the stream', () => {
    const text = fs.readFileSync(
      path.join(DIR, 'streams/openai-chat-stream-include-usage.sse'),
      'utf8',
    );
    const stream = usageFromOpenAIChatStream(parseServerSentEvents(text));
    expect(stream).toMatchObject({
      status: 'reported',
      model: 'gpt-4o-2024-08-06',
      usage: { inputTokens: 9, outputTokens: 2 },
    });
  });

  it('marks an OpenAI stream cut before its usage chunk as missing', () => {
    const text = fs.readFileSync(
      path.join(DIR, 'streams/openai-chat-stream-include-usage.sse'),
      'utf8',
    );
    const chunks = parseServerSentEvents(text).filter((chunk) => !chunk.usage);
    expect(usageFromOpenAIChatStream(chunks).status).toBe('missing');
  });

  it('takes the last Gemini running total rather than their sum', () => {
    const lines = fs
      .readFileSync(path.join(DIR, 'streams/google-gemini-reasoning.chunks.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const last = lines.at(-1).usageMetadata;
    const stream = usageFromGeminiStream(lines);
    expect(stream.status).toBe('reported');
    expect(totalTokens(stream.usage)).toBe(last.totalTokenCount);
    expect(stream.usage.reasoningTokens).toBe(last.thoughtsTokenCount);
    expect(usageFromGeminiStream(lines.slice(0, -1)).status).toBe('missing');
  });

  it('bills the tokens of a Responses stream stopped at max_output_tokens', () => {
    // The shape of OpenAI's `response.incomplete` event; its tokens are billed.
    const usage = {
      input_tokens: 1200,
      input_tokens_details: { cached_tokens: 200 },
      output_tokens: 64,
      output_tokens_details: { reasoning_tokens: 40 },
      total_tokens: 1264,
    };
    const events = [
      { type: 'response.created', response: { model: 'o4-mini', usage: null } },
      { type: 'response.output_text.delta', delta: 'Par' },
      { type: 'response.incomplete', response: { model: 'o4-mini', usage } },
    ];

    const stream = usageFromOpenAIResponsesStream(events);

    expect(stream).toMatchObject({
      status: 'reported',
      model: 'o4-mini',
      usage: { inputTokens: 1000, cacheReadTokens: 200, outputTokens: 24, reasoningTokens: 40 },
    });
    expect(usageFromOpenAIResponsesStream(events.slice(0, 2)).status).toBe('missing');
  });
});
