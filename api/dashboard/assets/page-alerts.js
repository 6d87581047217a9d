// @ts-check
// Recent alerts, newest first, of exactly one scope when the URL names one:
//   GET /api/alerts?limit=100[&scope=<scope>] → { alerts: [CostAlert] }
// with CostAlert as in schemas/cost-alert.ts (alertId, type, severity, summary, scope,
// spendUsd, budget.limitUsd, raisedAt in epoch milliseconds). A tenant key gets its
// tenant's alerts only.
import { getJson } from './api-client.js';
import { startPage, unavailable } from './app.js';
import { h, money, panel, table } from './dom.js';

const RECENT = 100;

startPage(
  async () => {
    const scope = new URLSearchParams(location.search).get('scope') ?? undefined;
    let answer;
    try {
      answer = await getJson('/api/alerts', { limit: RECENT, scope });
    } catch (error) {
      return [unavailable(error, 'alerts')];
    }
    const filter = h(
      'form',
      { class: 'inline', method: 'get' },
      h(
        'label',
        {},
        'Scope ',
        h('input', { name: 'scope', value: scope ?? '', placeholder: 'tenant=acme' }),
      ),
      h('button', { type: 'submit' }, 'Show'),
    );
    return [
      panel(
        `Recent alerts${scope ? ` for ${scope}` : ''}`,
        'alerts',
        null,
        filter,
        table(
          [
            {
              title: 'Raised',
              cell: (row) => new Date(row.raisedAt).toISOString().replace('T', ' ').slice(0, 19),
            },
            {
              title: 'Type',
              cell: (row) => h('span', { class: `severity ${row.severity}` }, row.type),
            },
            { title: 'Scope', cell: (row) => row.scope },
            { title: 'Summary', cell: (row) => row.summary },
            { title: 'Spend', cell: (row) => money(row.spendUsd), numeric: true },
            { title: 'Limit', cell: (row) => money(row.budget?.limitUsd), numeric: true },
          ],
          answer.alerts ?? [],
          'alerts',
        ),
      ),
    ];
  },
  { filters: false },
);
