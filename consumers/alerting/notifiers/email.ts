import nodemailer from 'nodemailer';
import type { CostAlert } from '../../../schemas/cost-alert.ts';
import { alertText } from './alert-text.ts';
import { DeliveryError, type Channel } from './channel.ts';

/** Socket-level failure codes of nodemailer after which a later attempt may succeed. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED']);

/**
 * Email over SMTP (nodemailer). The Message-ID derives from the alert id,
 * so a repeated delivery carries the same id and mail systems can drop or
 * thread it; the id is also in an X-Llmcost-Alert-Id header.
 */
export function emailChannel(options: {
  smtpUrl: string;
  from: string;
  to: string[];
  timeoutMs?: number;
}): Channel {
  const timeout = options.timeoutMs ?? 10_000;
  // A pooled connection saves the SMTP handshake (and TLS) on every alert.
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    name: 'email',
    async send(alert: CostAlert) {
      try {
        await transport.sendMail({
          from: options.from,
          to: options.to,
          subject: `[llmcost] ${alert.summary}`.slice(0, 250),
          text: alertText(alert),
          messageId: `<${alert.alertId}@llmcost.alerts>`,
          headers: { 'X-Llmcost-Alert-Id': alert.alertId, 'X-Llmcost-Alert-Type': alert.type },
        });
      } catch (error) {
        throw classify(error);
      }
    },
    close: async () => transport.close(),
  };
}

/** SMTP 4xx replies and connection failures are temporary; 5xx replies are not. */
function classify(error: unknown): DeliveryError {
  const { code, responseCode } = error as { code?: string; responseCode?: number };
  const retriable =
    (typeof responseCode === 'number' && responseCode >= 400 && responseCode < 500) ||
    (responseCode === undefined && (code === undefined || TRANSIENT_CODES.has(code)));
  const what = responseCode ? `SMTP ${responseCode}` : (code ?? 'SMTP failure');
  return new DeliveryError('email', `message refused or not sent (${what})`, {
    retriable,
    status: responseCode,
    cause: error,
  });
}
