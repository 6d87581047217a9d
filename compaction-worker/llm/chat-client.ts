import { PipelineError } from '../../lib/errors.ts';
import { retry } from '../../lib/retry.ts';

/** A chat message as sent to the endpoint: role and plain text. */
export type PromptMessage = {
  role: 'system' | 'user' | 'assistant';
  content: string;
};

/** The usage block of an OpenAI-compatible answer, as far as it is reported. */
export interface ReportedUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number };
}

export interface Completion {
  text: string;
  usage: ReportedUsage | undefined;
  /** The model the endpoint says answered. */
  model: string;
  durationMs: number;
}

export interface ChatClientOptions {
  /** Base URL (`http://127.0.0.1:8000/v1`) or the full chat-completions URL. */
  url: string;
  model: string;
  apiKey?: string;
  /** @default 120000 */
  timeoutMs?: number;
  /** Further attempts after a retriable failure (429, 5xx, network). @default 2 */
  retries?: number;
}

/** A call to the model endpoint failed; `retriable` for rate limits, server errors and network. */
export class ModelCallError extends PipelineError {
  constructor(
    message: string,
    retriable: boolean,
    context: Record<string, unknown>,
    cause?: unknown,
  ) {
    super(message, { code: 'MODEL_CALL', retriable, context, cause });
  }
}

/**
 * A minimal client of an OpenAI-compatible `/chat/completions` endpoint:
 * one non-streaming completion at temperature 0, with a timeout, retried
 * with backoff when the failure is transient.
 */
export class ChatClient {
  readonly model: string;
  private readonly endpoint: string;

  constructor(private readonly options: ChatClientOptions) {
    const base = options.url.replace(/\/+$/, '');
    this.endpoint = base.endsWith('/chat/completions') ? base : `${base}/chat/completions`;
    this.model = options.model;
  }

  complete(messages: PromptMessage[], maxTokens: number): Promise<Completion> {
    return retry(() => this.once(messages, maxTokens), {
      retries: this.options.retries ?? 2,
      minDelayMs: 500,
      maxDelayMs: 5_000,
    });
  }

  private async once(messages: PromptMessage[], maxTokens: number): Promise<Completion> {
    const started = performance.now();
    const context = { endpoint: this.endpoint, model: this.model };
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.model,
          messages,
          max_tokens: maxTokens,
          temperature: 0,
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
      });
    } catch (error) {
      throw new ModelCallError(
        `model endpoint unreachable: ${String(error)}`,
        true,
        context,
        error,
      );
    }

    if (!response.ok) {
      const retriable = response.status === 429 || response.status >= 500;
      const body = (await response.text()).slice(0, 300);
      throw new ModelCallError(`model endpoint answered ${response.status}: ${body}`, retriable, {
        ...context,
        status: response.status,
      });
    }
    const answer = (await response.json()) as {
      model?: string;
      usage?: ReportedUsage;
      choices?: { message?: { content?: string | null } }[];
    };
    const text = answer.choices?.[0]?.message?.content;
    if (typeof text !== 'string') {
      throw new ModelCallError('model endpoint answered without message content', false, context);
    }
    return {
      text,
      usage: answer.usage,
      model: answer.model ?? this.model,
      durationMs: Math.round(performance.now() - started),
    };
  }
}
