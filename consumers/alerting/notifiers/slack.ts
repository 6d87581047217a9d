import type { CostAlert } from '../../../schemas/cost-alert.ts';
import { alertFacts } from './alert-text.ts';
import type { Channel } from './channel.ts';
import { postJson } from './http-post.ts';

const ICONS: Record<CostAlert['severity'], string> = {
  critical: ':rotating_light:',
  warning: ':warning:',
  info: ':information_source:',
};

/**
 * Slack through an incoming webhook. Slack keeps no idempotency key, so
 * the alert id is shown in the message, where a repeat can be recognised.
 */
export function slackChannel(options: { webhookUrl: string; timeoutMs?: number }): Channel {
  return {
    name: 'slack',
    async send(alert) {
      const facts = alertFacts(alert)
        .map(([label, value]) => `*${label}:* ${value}`)
        .join('\n');
      const body = {
        text: `${ICONS[alert.severity]} ${alert.summary}`,
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `${ICONS[alert.severity]} *${alert.summary}*` },
          },
          { type: 'section', text: { type: 'mrkdwn', text: facts } },
        ],
      };
      await postJson({
        channel: 'slack',
        url: options.webhookUrl,
        body: JSON.stringify(body),
        timeoutMs: options.timeoutMs,
      });
    },
    close: async () => undefined,
  };
}
