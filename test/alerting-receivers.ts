import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { AlertingConfig } from '../lib/config.ts';

/** One request an HTTP receiver got, with when it arrived. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  at: number;
}

/** An HTTP server on 127.0.0.1 that records every POST and answers `status()`. */
export async function httpReceiver(status: () => number = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = Date.now();
      const code = status();
      if (code < 300) {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({
          path: request.url ?? '',
          headers: request.headers,
          body,
          json: JSON.parse(body),
          at,
        });
      }
      response.writeHead(code).end(code < 300 ? 'ok' : 'unavailable');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One message the SMTP receiver accepted: its raw text and when it arrived. */
export interface ReceivedMail {
  raw: string;
  at: number;
}

/** A real SMTP server (smtp-server) on 127.0.0.1, no TLS or auth, recording each message. */
export async function smtpReceiver() {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ raw: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A header of a raw mail message, unfolded. */
export function mailHeader(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export type Receivers = Awaited<ReturnType<typeof startReceivers>>;

/** One receiver per channel, all on 127.0.0.1. */
export async function startReceivers() {
  const [slack, pagerduty, webhook, smtp] = await Promise.all([
    httpReceiver(),
    httpReceiver(),
    httpReceiver(),
    smtpReceiver(),
  ]);
  return {
    slack,
    pagerduty,
    webhook,
    smtp,
    close: () => Promise.all([slack.close(), pagerduty.close(), webhook.close(), smtp.close()]),
  };
}

export const WEBHOOK_SECRET = 'test-webhook-secret';

/** Every channel configured, each at its own receiver on 127.0.0.1. */
export function receiverConfig(receivers: Receivers): AlertingConfig {
  return {
    channelsFile: undefined,
    slackWebhookUrl: receivers.slack.url,
    pagerDutyRoutingKey: 'test-routing-key',
    pagerDutyEventsUrl: receivers.pagerduty.url,
    webhookUrl: receivers.webhook.url,
    webhookSecret: WEBHOOK_SECRET,
    smtpUrl: receivers.smtp.url,
    emailFrom: 'llmcost@127.0.0.1',
    emailTo: ['platform@127.0.0.1'],
    spike: { threshold: '4', minImpactUsd: '5', minHistoryHours: 24 },
  };
}
