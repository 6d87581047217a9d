import { PipelineError } from '../../../lib/errors.ts';
import type { CostAlert } from '../../../schemas/cost-alert.ts';

export const CHANNEL_NAMES = ['slack', 'pagerduty', 'webhook', 'email'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/**
 * One way of telling people about an alert. `send` resolves once the
 * receiver accepted the alert and throws a DeliveryError otherwise; every
 * delivery carries the alert id as its idempotency key, so a receiver can
 * drop the repeat of an alert delivered at least once.
 */
export interface Channel {
  name: ChannelName;
  send(alert: CostAlert): Promise<void>;
  close(): Promise<void>;
}

/** A delivery that failed; `retriable` says whether the same delivery may succeed later. */
export class DeliveryError extends PipelineError {
  constructor(
    channel: ChannelName,
    message: string,
    options: { retriable: boolean; status?: number; cause?: unknown },
  ) {
    super(`${channel}: ${message}`, {
      code: 'DELIVERY',
      retriable: options.retriable,
      context: { channel, status: options.status },
      cause: options.cause,
    });
  }
}
