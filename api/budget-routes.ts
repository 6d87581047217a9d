import { parseBudget, describeBudget } from '../consumers/alerting/budget.ts';
import type { BudgetStore } from '../consumers/alerting/budget-store.ts';
import { ValidationError } from '../lib/errors.ts';
import { HttpError, readJson, sendJson } from './http.ts';
import type { Route } from './router.ts';

/**
 * The budget endpoints: GET /api/budgets lists them, PUT /api/budgets
 * creates or replaces the budget of a scope and period, DELETE
 * /api/budgets/:id removes one. `changed` tells this process's alerting
 * consumer at once; other instances see the change at their next refresh.
 */
export function budgetRoutes(store: BudgetStore, changed: () => void = () => undefined): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/budgets',
      access: 'admin',
      async handle({ response }) {
        sendJson(response, 200, { budgets: (await store.list()).map(describeBudget) });
      },
    },
    {
      method: 'PUT',
      path: '/api/budgets',
      access: 'admin',
      async handle({ request, response }) {
        const budget = parseOrRefuse(await readJson(request));
        await store.set(budget);
        changed();
        sendJson(response, 200, { budget: describeBudget(budget) });
      },
    },
    {
      method: 'DELETE',
      path: '/api/budgets/:id',
      access: 'admin',
      async handle({ response, params }) {
        const id = params.id ?? '';
        if (!(await store.delete(id))) {
          throw new HttpError(404, 'NOT_FOUND', `no budget '${id}'`);
        }
        changed();
        sendJson(response, 200, { deleted: id });
      },
    },
  ];
}

function parseOrRefuse(body: unknown) {
  try {
    return parseBudget(body);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new HttpError(400, 'BAD_REQUEST', error.message, error.issues[0]?.path);
  }
}
