import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickHouseStore } from '../clickhouse/client.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Authenticator, Principal } from './auth.ts';
import { HttpError, sendError, sendJson } from './http.ts';
import { handleSql } from './sql-route.ts';

export interface ApiServerOptions {
  port: number;
  store: ClickHouseStore;
  auth: Authenticator;
  logger: Logger;
  /** What `/ready` reports: each named check and whether it passes. */
  readiness: () => Record<string, boolean>;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  who: Principal,
) => Promise<void>;

/**
 * The HTTP server of a long-running command, on 127.0.0.1 only. `/health`
 * says the process is up, `/ready` whether it can do its work; everything
 * under `/api/` needs a bearer key.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger = options.logger.child({ component: 'api' });
  const routes = new Map<string, { admin: boolean; handler: Handler }>([
    [
      'POST /api/sql',
      {
        admin: true,
        handler: (request, response) => handleSql(request, response, options.store.readonly),
      },
    ],
  ]);

  const server = http.createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) return sendError(response, error);
      logger.error({ err: errorMessage(error), url: request.url }, 'request failed');
      if (!response.headersSent)
        sendError(response, new HttpError(500, 'INTERNAL', 'internal error'));
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'GET' && path === '/health') {
      return sendJson(response, 200, { status: 'ok' });
    }
    if (request.method === 'GET' && path === '/ready') {
      const checks = options.readiness();
      const ready = Object.values(checks).every(Boolean);
      return sendJson(response, ready ? 200 : 503, { ready, checks });
    }

    const entry = routes.get(`${request.method} ${path}`);
    if (!entry) throw new HttpError(404, 'NOT_FOUND', `no route ${request.method} ${path}`);
    const who = options.auth.identify(request.headers.authorization);
    if (!who) throw new HttpError(401, 'UNAUTHORIZED', 'missing or unknown API key');
    if (entry.admin && who.role !== 'admin') {
      throw new HttpError(403, 'FORBIDDEN', 'this endpoint needs the admin key');
    }
    await entry.handler(request, response, who);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url }, 'api listening');

  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
