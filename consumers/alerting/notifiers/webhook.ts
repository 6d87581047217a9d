import crypto from 'node:crypto';
import type { CostAlert } from '../../../schemas/cost-alert.ts';
import type { Channel } from './channel.ts';
import { postJson } from './http-post.ts';

/** Headers of a generic webhook delivery. */
export const WEBHOOK_HEADERS = {
  idempotencyKey: 'idempotency-key',
  timestamp: 'x-llmcost-timestamp',
  signature: 'x-llmcost-signature',
} as const;

/**
 * The signature of a webhook body: `v1=` and the hex HMAC-SHA256, keyed by
 * the shared secret, of `<timestamp>.<body>`. Signing the timestamp too lets
 * a receiver refuse an old delivery replayed by someone else.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  const mac = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `v1=${mac}`;
}

/**
 * A generic webhook: the alert as JSON, its id as the Idempotency-Key, and
 * when a secret is configured a signature header over timestamp and body.
 */
export function webhookChannel(options: {
  url: string;
  secret?: string;
  timeoutMs?: number;
  now?: () => number;
}): Channel {
  const now = options.now ?? Date.now;
  return {
    name: 'webhook',
    async send(alert: CostAlert) {
      const body = JSON.stringify(alert);
      const timestamp = String(Math.floor(now() / 1000));
      const headers: Record<string, string> = {
        [WEBHOOK_HEADERS.idempotencyKey]: alert.alertId,
        [WEBHOOK_HEADERS.timestamp]: timestamp,
      };
      if (options.secret) {
        headers[WEBHOOK_HEADERS.signature] = webhookSignature(options.secret, timestamp, body);
      }
      await postJson({
        channel: 'webhook',
        url: options.url,
        body,
        headers,
        timeoutMs: options.timeoutMs,
      });
    },
    close: async () => undefined,
  };
}
