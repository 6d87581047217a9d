// @ts-check
// Budgets and their usage in the current period, joined by budget id:
//   GET /api/budgets → { budgets: [{ id, scope, period, timeZone, limitUsd, warnAt }] }
//   GET /api/quota   → { quotas: [{ budgetId, scope, period, timeZone, status, incomplete,
//                     unpricedRequests, spendUsd, limitUsd, periodStart, periodEnd, updatedAt }] }
// Money is decimal strings, times epoch milliseconds, as in schemas/quota-state.ts. A tenant
// key gets its tenant's budgets only. Each row links to the alerts of its scope.
import { getJson } from './api-client.js';
import { startPage, unavailable } from './app.js';
import { h, money, panel, table } from './dom.js';
import { formatPercent, roundDecimal } from './format.js';

startPage(
  async () => {
    let budgets;
    let quotas;
    try {
      [budgets, quotas] = await Promise.all([getJson('/api/budgets'), getJson('/api/quota')]);
    } catch (error) {
      return [unavailable(error, 'budgets')];
    }
    const usage = new Map((quotas.quotas ?? []).map((/** @type {any} */ q) => [q.budgetId, q]));
    const rows = (budgets.budgets ?? []).map((/** @type {any} */ budget) => ({
      ...budget,
      quota: usage.get(budget.id),
    }));
    return [
      panel(
        'Budgets',
        'budgets',
        null,
        table(
          [
            { title: 'Scope', cell: (row) => row.scope },
            { title: 'Period', cell: (row) => `${row.period} (${row.timeZone})` },
            { title: 'Limit', cell: (row) => money(row.limitUsd), numeric: true },
            { title: 'Spent', cell: (row) => money(row.quota?.spendUsd), numeric: true },
            { title: 'Used', cell: (row) => usedBar(row.quota?.spendUsd, row.limitUsd) },
            { title: 'Status', cell: (row) => status(row.quota) },
            { title: 'Period ends', cell: (row) => when(row.quota?.periodEnd) },
            { title: 'Alerts', cell: (row) => alertsLink(row.scope) },
          ],
          rows,
          'budgets',
        ),
      ),
    ];
  },
  { filters: false },
);

/**
 * @param {string | undefined} spend
 * @param {string} limit
 */
function usedBar(spend, limit) {
  if (spend === undefined) return '—';
  const percent = share(spend, limit);
  const meter = h('meter', {
    min: '0',
    max: '100',
    low: '80',
    high: '99',
    optimum: '0',
    value: roundDecimal(percent, 1),
  });
  return h('span', { class: 'used' }, meter, ' ', formatPercent(percent));
}

/**
 * spend / limit × 100 to two decimals, on the decimal digits.
 * @param {string} spend
 * @param {string} limit
 */
function share(spend, limit) {
  const scale = (/** @type {string} */ text) => {
    const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
    return BigInt(whole + fraction.padEnd(18, '0').slice(0, 18));
  };
  const hundredths = (scale(spend) * 10_000n) / (scale(limit) || 1n);
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`;
}

/** @param {any} quota */
function status(quota) {
  if (!quota) return '—';
  const text = quota.incomplete
    ? `${quota.status} (incomplete: ${quota.unpricedRequests} unpriced)`
    : quota.status;
  return h('span', { class: `status ${quota.status}` }, text);
}

/** @param {number | undefined} ms */
function when(ms) {
  return ms === undefined
    ? '—'
    : new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/**
 * The alerts page for exactly this scope.
 * @param {string} scope
 */
function alertsLink(scope) {
  const href = `/analytics/alerts?${new URLSearchParams({ scope })}`;
  return h('a', { href, 'data-testid': 'alerts-link' }, 'alerts');
}
