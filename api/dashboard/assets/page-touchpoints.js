// @ts-check
import { getJson } from './api-client.js';
import { startPage } from './app.js';
import { seriesChart } from './charts.js';
import { count, h, money, panel, table } from './dom.js';

/** Touchpoints drawn as their own series; the rest are summed into one. */
const SERIES = 8;

startPage(async ({ params }) => {
  const [totals, daily, trend] = await Promise.all([
    getJson('/api/costs/by-touchpoint', params),
    getJson('/api/costs/aggregate', { ...params, groupBy: 'day,touchpoint' }),
    getJson('/api/costs/trends', { ...params, granularity: 'day' }),
  ]);
  const rows = /** @type {any[]} */ (totals.rows);
  return [
    panel(
      'Cost per day by touchpoint',
      'touchpoint-trend',
      { path: '/api/costs/aggregate', params: { ...params, groupBy: 'day,touchpoint' } },
      seriesChart(
        'touchpoint-trend',
        trend.rows.map((/** @type {any} */ p) => p.period),
        stack(rows, daily.rows, trend.rows),
        {
          stacked: true,
        },
      ),
    ),
    panel(
      'Touchpoints',
      'touchpoints',
      { path: '/api/costs/by-touchpoint', params },
      h(
        'p',
        {},
        'Total ',
        money(totals.summary.totalCostUsd, { 'data-testid': 'touchpoints-total' }),
      ),
      table(
        [
          { title: 'Touchpoint', cell: (row) => row.touchpoint },
          { title: 'Requests', cell: (row) => count(row.requestCount), numeric: true },
          { title: 'Input tokens', cell: (row) => count(row.inputTokens), numeric: true },
          { title: 'Output tokens', cell: (row) => count(row.outputTokens), numeric: true },
          {
            title: 'Cost',
            cell: (row) => money(row.totalCostUsd, { 'data-touchpoint': row.touchpoint }),
            numeric: true,
          },
        ],
        rows,
        'touchpoints',
      ),
    ),
  ];
});

/**
 * One series per costly touchpoint over every day of the range (zero where
 * it spent nothing), the others summed as one.
 * @param {any[]} totals
 * @param {any[]} daily
 * @param {any[]} days
 */
function stack(totals, daily, days) {
  const named = totals.slice(0, SERIES).map((row) => row.touchpoint);
  const index = new Map(days.map((point, i) => [point.period, i]));
  const series = [...named, 'others'].map((label) => ({ label, values: days.map(() => 0) }));
  for (const row of daily) {
    const at = index.get(row.day);
    if (at === undefined) continue;
    const target = named.includes(row.touchpoint) ? named.indexOf(row.touchpoint) : named.length;
    const values = series[target]?.values;
    if (values) values[at] = (values[at] ?? 0) + Number(row.totalCostUsd);
  }
  return series.filter((s) => s.label !== 'others' || s.values.some((v) => v !== 0));
}
