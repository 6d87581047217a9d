import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.ts';
import { ConfigError } from '../../../lib/errors.ts';
import { channelSettings } from './channel-settings.ts';
import { webhookSignature } from './webhook.ts';

const env = {
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack',
  PAGERDUTY_ROUTING_KEY: 'key',
  PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:9/pd',
  ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
  SMTP_URL: 'smtp://127.0.0.1:9',
  ALERT_EMAIL_FROM: 'a@127.0.0.1',
  ALERT_EMAIL_TO: 'b@127.0.0.1',
};

describe('channel settings', () => {
  it('routes every type to every configured channel, reports to email and webhook only', () => {
    const settings = channelSettings(loadConfig(env).alerting);
    expect(settings.channels.map((c) => c.name)).toEqual([
      'slack',
      'pagerduty',
      'webhook',
      'email',
    ]);
    expect(settings.routes['budget.exceeded']).toEqual(['slack', 'pagerduty', 'webhook', 'email']);
    expect(settings.routes['cost.report.daily']).toEqual(['email', 'webhook']);
  });

  it('takes routes from the channels file, limited to configured channels', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-channels-'));
    const file = path.join(dir, 'channels.yaml');
    fs.writeFileSync(
      file,
      'routes:\n  budget.warning: [slack]\n  cost.spike: [pagerduty, email]\n',
    );
    const config = loadConfig({
      SLACK_WEBHOOK_URL: env.SLACK_WEBHOOK_URL,
      LLMCOST_ALERT_CHANNELS_FILE: file,
    });
    const settings = channelSettings(config.alerting);
    expect(settings.routes['budget.warning']).toEqual(['slack']);
    expect(settings.routes['cost.spike']).toEqual([]);
    expect(settings.routes['budget.exceeded']).toEqual(['slack']);
  });

  it('refuses SMTP without its sender and recipients, naming the variable', () => {
    const config = loadConfig({ SMTP_URL: env.SMTP_URL });
    expect(() => channelSettings(config.alerting)).toThrow(ConfigError);
    expect(() => channelSettings(config.alerting)).toThrow(/ALERT_EMAIL_FROM/);
  });
});

describe('webhook signature', () => {
  it('is an HMAC-SHA256 of timestamp and body', () => {
    // Reference value from: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(webhookSignature('secret', '1700000000', '{"a":1}')).toBe(
      'v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
    );
  });
});
