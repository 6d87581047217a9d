import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PromptMessage } from '../llm/chat-client.ts';
import type { ModelMeter } from '../tokens/token-counting.ts';

export interface FakeChatRequest {
  messages: PromptMessage[];
  maxTokens: number;
  /** Prompt tokens as reported back (the real tokenizer's count). */
  promptTokens: number;
}

export interface FakeChatServer {
  /** Base URL, as COMPACTION_LLM_URL takes it. */
  url: string;
  requests: FakeChatRequest[];
  close(): Promise<void>;
}

export interface FakeChatOptions {
  /** Counts prompts and answers for the usage it reports. */
  meter: ModelMeter;
  /** Answers every request with this HTTP status instead. */
  failStatus?: number;
  /** Waits this long before answering. */
  delayMs?: number;
  /** Holds every answer until this settles, so that a test sees a job while it runs. */
  hold?: Promise<void>;
}

/**
 * An OpenAI-compatible chat endpoint on 127.0.0.1 for tests: deterministic
 * answers over real HTTP with real usage figures. A request asking for a
 * JSON array of scores gets one (longer messages score higher); any other
 * request gets a summary made of the transcript's first words.
 */
export async function startFakeChatServer(options: FakeChatOptions): Promise<FakeChatServer> {
  const requests: FakeChatRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        model: string;
        messages: PromptMessage[];
        max_tokens: number;
      };
      const promptTokens = options.meter.conversation(body.messages);
      requests.push({ messages: body.messages, maxTokens: body.max_tokens, promptTokens });
      void (options.hold ?? Promise.resolve()).then(() =>
        setTimeout(() => answer(body, promptTokens, response), options.delayMs ?? 0),
      );
    });
  });

  function answer(
    body: { model: string; messages: PromptMessage[]; max_tokens: number },
    promptTokens: number,
    response: http.ServerResponse,
  ): void {
    if (options.failStatus) {
      response.writeHead(options.failStatus, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'failing on purpose' } }));
      return;
    }
    const text = reply(body.messages, body.max_tokens, options.meter);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        model: body.model,
        choices: [
          { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: options.meter.text(text),
          total_tokens: promptTokens + options.meter.text(text),
          prompt_tokens_details: { cached_tokens: 0 },
        },
      }),
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function reply(messages: PromptMessage[], maxTokens: number, meter: ModelMeter): string {
  const system = messages[0]?.content ?? '';
  const user = messages.at(-1)?.content ?? '';
  if (system.includes('JSON array')) {
    const lines = user.split('\n').filter((line) => /^\d+\. /.test(line));
    return JSON.stringify(lines.map((line) => Math.min(10, Math.floor(line.length / 40))));
  }
  const words = user.replace(/\s+/g, ' ').split(' ').slice(0, 40);
  while (words.length > 1 && meter.text(`Condensed: ${words.join(' ')}`) > maxTokens) words.pop();
  return `Condensed: ${words.join(' ')}`;
}
