import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from './auth.ts';
import type { Grant } from './keys/api-key.ts';
import type { RouteDoc } from './openapi/route-doc.ts';

export interface RequestContext {
  request: IncomingMessage;
  response: ServerResponse;
  /** Who the bearer key belongs to. */
  principal: Principal;
  /** Values of `:name` segments of the route's path. */
  params: Record<string, string>;
  url: URL;
}

/**
 * One endpoint under /api/. `access` says who may call it: `admin` only the
 * admin key, `tenant` any valid key (handlers scope tenant keys to their
 * tenant themselves). `grant` further limits tenant keys to those holding
 * that grant; the admin key holds every grant.
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path with optional `:name` segments, e.g. `/api/budgets/:id`. */
  path: string;
  access: 'admin' | 'tenant';
  grant?: Grant;
  handle(context: RequestContext): Promise<void>;
  /** What the OpenAPI document says of it; a route without one is left out. */
  doc?: RouteDoc;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

/** Finds the route of a request by method and path. */
export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path
        .split('/')
        .map((segment) => {
          if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(segment.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { route, pattern: new RegExp(`^${source}$`), names };
    });
  }

  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | 'wrong-method' | undefined {
    let pathMatched = false;
    for (const { route, pattern, names } of this.compiled) {
      const match = pattern.exec(path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params = Object.fromEntries(
        names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
      );
      return { route, params };
    }
    return pathMatched ? 'wrong-method' : undefined;
  }
}
