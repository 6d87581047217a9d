import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PublicHandler } from '../server.ts';

/** The dashboard's pages: path segment under /analytics/ → title. */
export const PAGES = {
  costs: 'Costs',
  tenants: 'Tenants',
  models: 'Models',
  touchpoints: 'Touchpoints',
  budgets: 'Budgets',
  alerts: 'Alerts',
} as const;

const ASSETS_DIR = path.join(import.meta.dirname, 'assets');
const CHART_JS = path.join(
  path.dirname(new URL(import.meta.resolve('chart.js')).pathname),
  'chart.umd.min.js',
);

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Pages hold no data: they load with no key, then fetch /api/ with the key
 * the reader typed in. Scripts and styles come only from this server (the
 * charting library from node_modules), which the policy below enforces.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  body: Buffer;
  type: string;
}

/**
 * Serves the dashboard from this process: the pages under /analytics/, their
 * scripts and styles, and Chart.js. Files are read once, at start; only
 * those listed are served, so no request path reaches the file system.
 */
export function dashboardHandler(): PublicHandler {
  const assets = new Map<string, Asset>();
  for (const file of fs.readdirSync(ASSETS_DIR)) {
    const type = TYPES[path.extname(file)];
    if (type)
      assets.set(`/analytics/assets/${file}`, {
        body: fs.readFileSync(path.join(ASSETS_DIR, file)),
        type,
      });
  }
  assets.set('/analytics/vendor/chart.umd.min.js', {
    body: fs.readFileSync(CHART_JS),
    type: TYPES['.js']!,
  });
  const template = fs.readFileSync(path.join(import.meta.dirname, 'page.html'), 'utf8');

  return async (request, response, url) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const route = url.pathname.replace(/\/+$/, '');

    if (route === '' || route === '/analytics') return redirect(response, '/analytics/costs');
    const asset = assets.get(route);
    if (asset) return send(request, response, asset.type, asset.body, 'public, max-age=300');

    const page = /^\/analytics\/([a-z]+)$/.exec(route)?.[1];
    if (page === undefined || !Object.hasOwn(PAGES, page)) return false;
    const html = renderPage(template, page as keyof typeof PAGES);
    return send(request, response, 'text/html; charset=utf-8', Buffer.from(html), 'no-store');
  };
}

function renderPage(template: string, page: keyof typeof PAGES): string {
  const nav = Object.entries(PAGES)
    .map(([name, title]) => {
      const current = name === page ? ' aria-current="page"' : '';
      return `<a href="/analytics/${name}"${current}>${title}</a>`;
    })
    .join('\n        ');
  return template
    .replaceAll('{{title}}', PAGES[page])
    .replaceAll('{{page}}', page)
    .replace('{{nav}}', nav);
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  type: string,
  body: Buffer,
  cache: string,
): boolean {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': body.length,
    'cache-control': cache,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}

function redirect(response: ServerResponse, location: string): boolean {
  response.writeHead(302, { location, 'cache-control': 'no-store' });
  response.end();
  return true;
}
