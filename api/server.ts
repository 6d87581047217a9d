import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Authenticator } from './auth.ts';
import { HttpError, sendError, sendJson } from './http.ts';
import { Router, type Route } from './router.ts';

export interface ApiServerOptions {
  port: number;
  routes: Route[];
  auth: Authenticator;
  logger: Logger;
  /** What `/ready` reports: each named check and whether it passes. */
  readiness: () => Record<string, boolean>;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The HTTP server of a long-running command, on 127.0.0.1 only. `/health`
 * says the process is up, `/ready` whether it can do its work; everything
 * under `/api/` needs a bearer key.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger = options.logger.child({ component: 'api' });
  const router = new Router(options.routes);

  const server = http.createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) return sendError(response, error);
      logger.error({ err: errorMessage(error), url: request.url }, 'request failed');
      if (!response.headersSent)
        sendError(response, new HttpError(500, 'INTERNAL', 'internal error'));
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (request.method === 'GET' && path === '/health') {
      return sendJson(response, 200, { status: 'ok' });
    }
    if (request.method === 'GET' && path === '/ready') {
      const checks = options.readiness();
      const ready = Object.values(checks).every(Boolean);
      return sendJson(response, ready ? 200 : 503, { ready, checks });
    }

    const found = router.match(request.method ?? 'GET', path);
    if (!found) throw new HttpError(404, 'NOT_FOUND', `no route ${request.method} ${path}`);
    if (found === 'wrong-method') {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}`);
    }
    const principal = options.auth.identify(request.headers.authorization);
    if (!principal) throw new HttpError(401, 'UNAUTHORIZED', 'missing or unknown API key');
    if (found.route.access === 'admin' && principal.role !== 'admin') {
      throw new HttpError(403, 'FORBIDDEN', 'this endpoint needs the admin key');
    }
    await found.route.handle({ request, response, principal, params: found.params, url });
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
