// @ts-check
import { getJson } from './api-client.js';
import { startPage } from './app.js';
import { barChart, doughnutChart, seriesChart } from './charts.js';
import { mondayOf, monthStartOf, todayIn } from './dates.js';
import { count, h, money, notice, panel, table } from './dom.js';

/** How many tenants the top-tenants chart names; the rest are one "others" bar. */
const TOP_TENANTS = 10;

/** @param {string} text */
const amount = (text) => Number(text);

startPage(async ({ who, filters, params }) => {
  const today = todayIn(filters.tz);
  const spendSince = (/** @type {string} */ start) =>
    getJson('/api/costs/aggregate', { ...params, startDate: start, endDate: today });
  const [day, week, month, trend, providers, touchpoints, tenants, models] = await Promise.all([
    spendSince(today),
    spendSince(mondayOf(today)),
    spendSince(monthStartOf(today)),
    getJson('/api/costs/trends', { ...params, granularity: 'day' }),
    getJson('/api/costs/aggregate', { ...params, groupBy: 'provider' }),
    getJson('/api/costs/by-touchpoint', params),
    getJson('/api/costs/by-tenant', { ...params, limit: TOP_TENANTS }),
    getJson('/api/costs/by-model', params),
  ]);

  const incomplete = [day, week, month, trend].some((answer) => !answer.summary.complete);
  return [
    incomplete
      ? notice(
          `${trend.summary.unpricedRequests} requests in this range could not be priced: ` +
            'the costs shown are lower bounds until they are repriced.',
          'warning',
        )
      : null,
    h(
      'div',
      { class: 'cards' },
      card('Today', today, today, day.summary.totalCostUsd, 'today'),
      card('This week', mondayOf(today), today, week.summary.totalCostUsd, 'week'),
      card('This month', monthStartOf(today), today, month.summary.totalCostUsd, 'month'),
      card('Selected range', filters.start, filters.end, trend.summary.totalCostUsd, 'range'),
      h(
        'div',
        { class: 'card' },
        h('h3', {}, 'Requests in range'),
        h(
          'p',
          { class: 'figure' },
          count(trend.summary.totalRequests, { 'data-testid': 'card-requests' }),
        ),
        h('p', { class: 'sub' }, 'average ', money(trend.summary.averageCostPerRequestUsd, {}, 4)),
      ),
    ),
    panel(
      'Cost per day',
      'trend',
      { path: '/api/costs/trends', params: { ...params, granularity: 'day' } },
      seriesChart(
        'trend',
        trend.rows.map((/** @type {any} */ point) => point.period),
        [
          {
            label: 'Cost (USD)',
            values: trend.rows.map((/** @type {any} */ p) => amount(p.totalCostUsd)),
          },
        ],
      ),
    ),
    h(
      'div',
      { class: 'grid' },
      panel(
        'By provider',
        'providers',
        { path: '/api/costs/aggregate', params: { ...params, groupBy: 'provider' } },
        doughnutChart(
          'providers',
          providers.rows.map((/** @type {any} */ row) => row.provider),
          providers.rows.map((/** @type {any} */ row) => amount(row.totalCostUsd)),
        ),
      ),
      panel(
        'By touchpoint',
        'touchpoints',
        { path: '/api/costs/by-touchpoint', params },
        barChart(
          'touchpoints',
          touchpoints.rows.map((/** @type {any} */ row) => row.touchpoint),
          touchpoints.rows.map((/** @type {any} */ row) => amount(row.totalCostUsd)),
          { horizontal: true },
        ),
      ),
      panel(
        who.role === 'admin' && !filters.tenant ? `Top ${TOP_TENANTS} tenants` : 'Tenant',
        'tenants',
        { path: '/api/costs/by-tenant', params: { ...params, limit: TOP_TENANTS } },
        topTenants(tenants),
      ),
      panel(
        'Model efficiency',
        'models',
        { path: '/api/costs/by-model', params },
        modelTable(models.rows),
      ),
    ),
  ];
});

/**
 * A spend figure and the local dates it covers.
 * @param {string} title
 * @param {string} start
 * @param {string} end
 * @param {string} value
 * @param {string} id
 */
function card(title, start, end, value, id) {
  const figure = money(value, {
    'data-testid': `card-${id}`,
    'data-start': start,
    'data-end': end,
  });
  return h(
    'div',
    { class: 'card' },
    h('h3', {}, title),
    h('p', { class: 'figure' }, figure),
    h('p', { class: 'sub' }, start === end ? start : `${start} – ${end}`),
  );
}

/**
 * The costliest tenants, and one bar for all the others: the summary covers
 * every tenant, so the bars add up to the range total with thousands of them.
 * @param {any} answer
 */
function topTenants(answer) {
  const labels = answer.rows.map((/** @type {any} */ row) => row.tenantId);
  const values = answer.rows.map((/** @type {any} */ row) => amount(row.totalCostUsd));
  const shown = answer.rows.reduce(
    (/** @type {number} */ sum, /** @type {any} */ row) => sum + amount(row.totalCostUsd),
    0,
  );
  const rest = amount(answer.summary.totalCostUsd) - shown;
  if (rest > 1e-9) {
    labels.push('all others');
    values.push(rest);
  }
  return barChart('tenants', labels, values, { horizontal: true });
}

/** @param {any[]} rows */
function modelTable(rows) {
  return table(
    [
      { title: 'Provider', cell: (row) => row.provider },
      { title: 'Model', cell: (row) => row.model },
      { title: 'Requests', cell: (row) => count(row.requestCount), numeric: true },
      { title: 'Cost', cell: (row) => money(row.totalCostUsd), numeric: true },
      { title: 'Per request', cell: (row) => money(row.costPerRequestUsd, {}, 4), numeric: true },
      {
        title: 'Per 1k tokens',
        cell: (row) => money(row.costPer1kTokensUsd, {}, 4),
        numeric: true,
      },
    ],
    rows,
    'models',
  );
}
