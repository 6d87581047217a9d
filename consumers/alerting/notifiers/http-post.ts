import { DeliveryError, type ChannelName } from './channel.ts';

/** Statuses after which the same request may succeed: throttling, timeouts, server trouble. */
const RETRIABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

export interface PostOptions {
  channel: ChannelName;
  url: string;
  body: string;
  headers?: Record<string, string>;
  /** @default 10000 */
  timeoutMs?: number;
}

/**
 * POSTs a JSON body and classifies the outcome: a 2xx is delivered, a
 * network failure, a timeout or a retriable status may succeed later, any
 * other status will not. Messages name the channel and status, never the
 * URL, which for Slack is itself the secret.
 */
export async function postJson(options: PostOptions): Promise<void> {
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new DeliveryError(options.channel, 'request failed before an answer', {
      retriable: true,
      cause: error,
    });
  }

  const text = await response.text().catch(() => '');
  if (response.ok) return;
  throw new DeliveryError(
    options.channel,
    `answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
    { retriable: RETRIABLE_STATUS.has(response.status), status: response.status },
  );
}
