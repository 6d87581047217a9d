import type { CostAlert } from '../../../schemas/cost-alert.ts';
import type { Channel } from './channel.ts';
import { postJson } from './http-post.ts';

/** PagerDuty's Events API v2 endpoint, used unless PAGERDUTY_EVENTS_URL says otherwise. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/**
 * PagerDuty through the Events API v2. The alert id is the dedup key, so a
 * repeated delivery updates the incident it opened instead of opening another.
 */
export function pagerDutyChannel(options: {
  routingKey: string;
  eventsUrl: string;
  timeoutMs?: number;
}): Channel {
  return {
    name: 'pagerduty',
    async send(alert: CostAlert) {
      const body = {
        routing_key: options.routingKey,
        event_action: 'trigger',
        dedup_key: alert.alertId,
        payload: {
          summary: alert.summary.slice(0, 1024),
          source: 'llm-cost-pipeline',
          severity: alert.severity,
          timestamp: new Date(alert.raisedAt).toISOString(),
          component: alert.scope || undefined,
          group: alert.tenantId ?? undefined,
          class: alert.type,
          custom_details: alert,
        },
      };
      await postJson({
        channel: 'pagerduty',
        url: options.eventsUrl,
        body: JSON.stringify(body),
        timeoutMs: options.timeoutMs,
      });
    },
    close: async () => undefined,
  };
}
