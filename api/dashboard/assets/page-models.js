// @ts-check
import { getJson } from './api-client.js';
import { startPage } from './app.js';
import { barChart } from './charts.js';
import { count, h, money, panel, table } from './dom.js';

startPage(async ({ params }) => {
  const answer = await getJson('/api/costs/by-model', params);
  const rows = /** @type {any[]} */ (answer.rows);
  const name = (/** @type {any} */ row) => `${row.provider}/${row.model}`;
  return [
    h(
      'div',
      { class: 'grid' },
      panel(
        'Cost by model',
        'model-cost',
        { path: '/api/costs/by-model', params },
        barChart(
          'model-cost',
          rows.map(name),
          rows.map((row) => Number(row.totalCostUsd)),
          {
            horizontal: true,
          },
        ),
      ),
      panel(
        'Cost per 1,000 tokens',
        'model-efficiency',
        { path: '/api/costs/by-model', params },
        barChart(
          'model-efficiency',
          rows.map(name),
          rows.map((row) => Number(row.costPer1kTokensUsd ?? 0)),
          { horizontal: true, label: 'USD per 1k tokens' },
        ),
      ),
    ),
    panel(
      'Models',
      'models',
      { path: '/api/costs/by-model', params },
      h('p', {}, 'Total ', money(answer.summary.totalCostUsd, { 'data-testid': 'models-total' })),
      table(
        [
          { title: 'Provider', cell: (row) => row.provider },
          { title: 'Model', cell: (row) => row.model },
          { title: 'Requests', cell: (row) => count(row.requestCount), numeric: true },
          { title: 'Input tokens', cell: (row) => count(row.inputTokens), numeric: true },
          { title: 'Cache reads', cell: (row) => count(row.cacheReadTokens), numeric: true },
          { title: 'Output tokens', cell: (row) => count(row.outputTokens), numeric: true },
          { title: 'Reasoning', cell: (row) => count(row.reasoningTokens), numeric: true },
          {
            title: 'Cost',
            cell: (row) => money(row.totalCostUsd, { 'data-model': name(row) }),
            numeric: true,
          },
          {
            title: 'Per request',
            cell: (row) => money(row.costPerRequestUsd, {}, 4),
            numeric: true,
          },
          {
            title: 'Per 1k tokens',
            cell: (row) => money(row.costPer1kTokensUsd, {}, 4),
            numeric: true,
          },
        ],
        rows,
        'models',
      ),
    ),
  ];
});
