import { z } from 'zod';
import type { AlertingConfig } from '../../../lib/config.ts';
import { ConfigError } from '../../../lib/errors.ts';
import { ALERT_TYPES, type AlertType } from '../../../schemas/cost-alert.ts';
import { readSettingsFile } from '../../../lib/settings-file.ts';
import { CHANNEL_NAMES, type Channel, type ChannelName } from './channel.ts';
import { emailChannel } from './email.ts';
import { PAGERDUTY_EVENTS_URL, pagerDutyChannel } from './pagerduty.ts';
import { slackChannel } from './slack.ts';
import { webhookChannel } from './webhook.ts';

const fileSchema = z.strictObject({
  channels: z
    .strictObject({
      slack: z.strictObject({ webhookUrl: z.url() }).optional(),
      pagerduty: z
        .strictObject({ routingKey: z.string().min(1), eventsUrl: z.url().optional() })
        .optional(),
      webhook: z.strictObject({ url: z.url(), secret: z.string().min(1).optional() }).optional(),
      email: z
        .strictObject({
          smtpUrl: z.string().min(1),
          from: z.string().min(1),
          to: z.array(z.string().min(1)).min(1),
        })
        .optional(),
    })
    .default({}),
  routes: z.partialRecord(z.enum(ALERT_TYPES), z.array(z.enum(CHANNEL_NAMES))).default({}),
});

type ChannelsFile = z.output<typeof fileSchema>;

/** Reports go to the channels people read at leisure, not to the pager or the chat. */
const REPORT_CHANNELS: ChannelName[] = ['email', 'webhook'];

/** The configured channels and which of them each alert type goes to. */
export interface ChannelSettings {
  channels: Channel[];
  routes: Record<AlertType, ChannelName[]>;
}

/**
 * Builds the channels from the environment and the channels file (the
 * environment wins, channel by channel). A type without a route in the
 * file goes to every configured channel, except reports, which go to email
 * and webhook only. A channel half configured (a URL without its partner
 * setting) is refused with the variable to set.
 */
export function channelSettings(config: AlertingConfig): ChannelSettings {
  const file = config.channelsFile ? readChannelsFile(config.channelsFile) : fileSchema.parse({});
  const fromFile = file.channels;
  const channels: Channel[] = [];

  const slackUrl = config.slackWebhookUrl ?? fromFile.slack?.webhookUrl;
  if (slackUrl) channels.push(slackChannel({ webhookUrl: slackUrl }));

  const routingKey = config.pagerDutyRoutingKey ?? fromFile.pagerduty?.routingKey;
  if (routingKey) {
    const eventsUrl =
      config.pagerDutyEventsUrl ?? fromFile.pagerduty?.eventsUrl ?? PAGERDUTY_EVENTS_URL;
    channels.push(pagerDutyChannel({ routingKey, eventsUrl }));
  }

  const webhookUrl = config.webhookUrl ?? fromFile.webhook?.url;
  if (webhookUrl) {
    const secret = config.webhookSecret ?? fromFile.webhook?.secret;
    channels.push(webhookChannel({ url: webhookUrl, secret }));
  }

  const email = emailSettings(config, file);
  if (email) channels.push(emailChannel(email));

  const configured = new Set(channels.map((channel) => channel.name));
  const routes = Object.fromEntries(
    ALERT_TYPES.map((type) => {
      const wanted = file.routes[type] ?? defaultRoute(type);
      return [type, wanted.filter((name) => configured.has(name))];
    }),
  ) as Record<AlertType, ChannelName[]>;
  return { channels, routes };
}

function defaultRoute(type: AlertType): ChannelName[] {
  return type.startsWith('cost.report.') ? REPORT_CHANNELS : [...CHANNEL_NAMES];
}

function emailSettings(config: AlertingConfig, file: ChannelsFile) {
  const smtpUrl = config.smtpUrl ?? file.channels.email?.smtpUrl;
  if (!smtpUrl) return undefined;

  const from = config.emailFrom ?? file.channels.email?.from;
  const to = config.emailTo.length > 0 ? config.emailTo : (file.channels.email?.to ?? []);
  if (!from || to.length === 0) {
    throw new ConfigError('SMTP_URL is set, so ALERT_EMAIL_FROM and ALERT_EMAIL_TO are needed', {
      variable: from ? 'ALERT_EMAIL_TO' : 'ALERT_EMAIL_FROM',
    });
  }
  return { smtpUrl, from, to };
}

function readChannelsFile(file: string): ChannelsFile {
  const parsed = fileSchema.safeParse(readSettingsFile(file, 'alert channels file'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') || '(root)';
    throw new ConfigError(`alert channels file ${file}: ${where}: ${issue?.message}`, { file });
  }
  return parsed.data;
}
