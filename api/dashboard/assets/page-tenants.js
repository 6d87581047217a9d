// @ts-check
import { getJson } from './api-client.js';
import { startPage } from './app.js';
import { barChart, seriesChart } from './charts.js';
import { count, h, money, panel, table } from './dom.js';

const PAGE_SIZE = 50;
const CHARTED = 20;

startPage(async ({ filters, params }) => {
  if (filters.tenant) return tenantDetail(filters.tenant, params);

  const answer = await getJson('/api/costs/by-tenant', params);
  const rows = /** @type {any[]} */ (answer.rows);
  return [
    panel(
      `Costliest ${Math.min(CHARTED, rows.length)} of ${rows.length} tenants`,
      'tenant-chart',
      { path: '/api/costs/by-tenant', params: { ...params, limit: CHARTED } },
      barChart(
        'tenant-chart',
        rows.slice(0, CHARTED).map((row) => row.tenantId),
        rows.slice(0, CHARTED).map((row) => Number(row.totalCostUsd)),
        { horizontal: true },
      ),
    ),
    panel(
      'All tenants',
      'tenants',
      { path: '/api/costs/by-tenant', params },
      h('p', {}, 'Total ', money(answer.summary.totalCostUsd, { 'data-testid': 'tenants-total' })),
      pagedTable(rows),
    ),
  ];
});

/**
 * Thousands of tenants stay readable: a search box and pages of 50 rows.
 * @param {any[]} rows
 */
function pagedTable(rows) {
  const holder = h('div');
  const search = /** @type {HTMLInputElement} */ (
    h('input', { type: 'search', placeholder: 'find a tenant', 'aria-label': 'find a tenant' })
  );
  let page = 0;
  const draw = () => {
    const term = search.value.trim().toLowerCase();
    const matching = term ? rows.filter((row) => row.tenantId.toLowerCase().includes(term)) : rows;
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const pager = h(
      'div',
      { class: 'pager' },
      h(
        'button',
        { type: 'button', disabled: page === 0, onclick: () => ((page -= 1), draw()) },
        '‹',
      ),
      ` page ${page + 1} of ${pages} (${matching.length} tenants) `,
      h(
        'button',
        { type: 'button', disabled: page >= pages - 1, onclick: () => ((page += 1), draw()) },
        '›',
      ),
    );
    holder.replaceChildren(
      tenantTable(matching.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)),
      pager,
    );
  };
  search.addEventListener('input', () => ((page = 0), draw()));
  draw();
  return h('div', {}, search, holder);
}

/** @param {any[]} rows */
function tenantTable(rows) {
  const link = (/** @type {string} */ tenant) => {
    const query = new URLSearchParams(location.search);
    query.set('tenant', tenant);
    return h('a', { href: `?${query}` }, tenant);
  };
  return table(
    [
      { title: 'Tenant', cell: (row) => link(row.tenantId) },
      { title: 'Requests', cell: (row) => count(row.requestCount), numeric: true },
      { title: 'Input tokens', cell: (row) => count(row.inputTokens), numeric: true },
      { title: 'Output tokens', cell: (row) => count(row.outputTokens), numeric: true },
      { title: 'Unpriced', cell: (row) => count(row.unpricedRequests), numeric: true },
      {
        title: 'Cost',
        cell: (row) => money(row.totalCostUsd, { 'data-tenant': row.tenantId }),
        numeric: true,
      },
    ],
    rows,
    'tenants',
  );
}

/**
 * One tenant: its cost per day, its models and its costliest users.
 * @param {string} tenant
 * @param {Record<string, string | undefined>} params
 */
async function tenantDetail(tenant, params) {
  const [trend, models, users] = await Promise.all([
    getJson('/api/costs/trends', { ...params, granularity: 'day' }),
    getJson('/api/costs/by-model', params),
    getJson('/api/costs/by-user', { ...params, limit: CHARTED }),
  ]);
  return [
    h('h1', {}, `Tenant ${tenant}`),
    h('p', {}, 'Total ', money(trend.summary.totalCostUsd, { 'data-testid': 'tenant-total' })),
    panel(
      'Cost per day',
      'tenant-trend',
      { path: '/api/costs/trends', params: { ...params, granularity: 'day' } },
      seriesChart(
        'tenant-trend',
        trend.rows.map((/** @type {any} */ p) => p.period),
        [
          {
            label: 'Cost (USD)',
            values: trend.rows.map((/** @type {any} */ p) => Number(p.totalCostUsd)),
          },
        ],
      ),
    ),
    h(
      'div',
      { class: 'grid' },
      panel(
        'Models',
        'tenant-models',
        { path: '/api/costs/by-model', params: params },
        table(
          [
            { title: 'Model', cell: (row) => `${row.provider}/${row.model}` },
            { title: 'Requests', cell: (row) => count(row.requestCount), numeric: true },
            { title: 'Cost', cell: (row) => money(row.totalCostUsd), numeric: true },
          ],
          models.rows,
          'tenant-models',
        ),
      ),
      panel(
        `Costliest ${CHARTED} users`,
        'tenant-users',
        { path: '/api/costs/by-user', params: { ...params, limit: CHARTED } },
        table(
          [
            { title: 'User', cell: (row) => row.userId || '(none)' },
            { title: 'Requests', cell: (row) => count(row.requestCount), numeric: true },
            { title: 'Cost', cell: (row) => money(row.totalCostUsd), numeric: true },
          ],
          users.rows,
          'tenant-users',
        ),
      ),
    ),
  ];
}
