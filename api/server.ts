import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { memoryMiB } from '../lib/process-memory.ts';
import type { Authenticator } from './auth.ts';
import { HttpError, sendError, sendJson } from './http.ts';
import { buildOpenApi } from './openapi/openapi.ts';
import { Router, type Route } from './router.ts';

/** Serves a path without a key (the dashboard's pages); true when it answered. */
export type PublicHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => Promise<boolean>;

export interface ApiServerOptions {
  port: number;
  routes: Route[];
  /** Who the keys belong to; without it, no key is accepted (a server of probes only). */
  auth?: Authenticator;
  logger: Logger;
  /** What `/ready` reports: each named check and whether it passes. */
  readiness: () => Record<string, boolean>;
  /** Paths outside /api/ served without a key, such as the dashboard. */
  publicHandler?: PublicHandler;
  /** Serves GET /metrics (Prometheus text) when telemetry exports there. */
  metricsHandler?: (request: IncomingMessage, response: ServerResponse) => void;
  /** Address to listen on. @default 127.0.0.1 */
  host?: string;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The HTTP server of a long-running command, on 127.0.0.1 only. `/health`
 * says the process is up (and how much memory it holds), `/ready` whether it
 * can do its work,
 * `/api/openapi.json` describes the routes; everything else under `/api/`
 * needs a bearer key.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger = options.logger.child({ component: 'api' });
  const router = new Router(options.routes);
  const openApi = buildOpenApi(options.routes);

  const server = http.createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      if (response.headersSent) return abandon(request, response, error);
      if (error instanceof HttpError) return sendError(response, error);
      logger.error({ err: errorMessage(error), url: request.url }, 'request failed');
      sendError(response, new HttpError(500, 'INTERNAL', 'internal error'));
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (request.method === 'GET' && path === '/health') {
      return sendJson(response, 200, { status: 'ok', memoryMiB: memoryMiB() });
    }
    if (request.method === 'GET' && path === '/ready') {
      const checks = options.readiness();
      const ready = Object.values(checks).every(Boolean);
      return sendJson(response, ready ? 200 : 503, { ready, checks });
    }
    if (request.method === 'GET' && path === '/metrics' && options.metricsHandler) {
      return options.metricsHandler(request, response);
    }
    if (request.method === 'GET' && path === '/api/openapi.json') {
      return sendJson(response, 200, openApi);
    }
    if (!path.startsWith('/api/') && (await options.publicHandler?.(request, response, url))) {
      return;
    }

    const found = router.match(request.method ?? 'GET', path);
    if (!found) throw new HttpError(404, 'NOT_FOUND', `no route ${request.method} ${path}`);
    if (found === 'wrong-method') {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}`);
    }
    const principal = await options.auth?.identify(request.headers.authorization);
    if (!principal) throw new HttpError(401, 'UNAUTHORIZED', 'missing or unknown API key');
    if (found.route.access === 'admin' && principal.role !== 'admin') {
      throw new HttpError(403, 'FORBIDDEN', 'this endpoint needs the admin key');
    }
    const { grant } = found.route;
    if (grant && principal.role === 'tenant' && !principal.grants.includes(grant)) {
      throw new HttpError(403, 'FORBIDDEN', `this endpoint needs a key with the ${grant} grant`);
    }
    await found.route.handle({ request, response, principal, params: found.params, url });
  }

  /**
   * A streamed answer that fails midway is cut off: the client then sees an
   * unfinished body (no final chunk), never a short one passing for whole.
   */
  function abandon(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    if (!response.destroyed) {
      logger.error({ err: errorMessage(error), url: request.url }, 'answer failed midway');
    }
    response.destroy();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url, host: options.host ?? '127.0.0.1' }, 'api listening');

  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
