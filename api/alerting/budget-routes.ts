import { z } from 'zod';
import {
  budgetInputSchema,
  describeBudget,
  parseBudget,
  type Budget,
} from '../../consumers/alerting/budget.ts';
import type { BudgetStore } from '../../consumers/alerting/budget-store.ts';
import { parseScope, type Scope } from '../../consumers/alerting/scope.ts';
import { ValidationError } from '../../lib/errors.ts';
import { fromValidationError } from '../body.ts';
import { parseParams } from '../costs/query-params.ts';
import { HttpError, readJson, sendJson } from '../http.ts';
import type { Route } from '../router.ts';
import { budgetViewSchema } from './alerting-schemas.ts';
import { checkScopeAccess, tenantOf } from '../tenant-access.ts';

/**
 * The budget endpoints: GET /api/budgets lists them, PUT /api/budgets
 * creates or replaces the budget of a scope and period, DELETE
 * /api/budgets/:id removes one. A tenant key reads its tenant's budgets
 * and, with the `budgets` grant, changes budgets of scopes inside its
 * tenant. `changed` tells this process's alerting consumer at once; other
 * instances see the change at their next refresh.
 */
export function budgetRoutes(store: BudgetStore, changed: () => void = () => undefined): Route[] {
  return [listRoute(store), setRoute(store, changed), deleteRoute(store, changed)];
}

function listRoute(store: BudgetStore): Route {
  return {
    method: 'GET',
    path: '/api/budgets',
    access: 'tenant',
    doc: {
      tag: 'budgets',
      summary: 'The budgets in force, ordered by id',
      description: 'A tenant key gets the budgets of scopes inside its own tenant.',
      params: {},
      response: z.object({ budgets: z.array(budgetViewSchema) }).strict(),
    },
    async handle({ response, principal, url }) {
      parseParams(url.searchParams, {});
      const budgets = await store.list({ tenantId: tenantOf(principal) });
      sendJson(response, 200, { budgets: budgets.map(describeBudget) });
    },
  };
}

function setRoute(store: BudgetStore, changed: () => void): Route {
  return {
    method: 'PUT',
    path: '/api/budgets',
    access: 'tenant',
    grant: 'budgets',
    doc: {
      tag: 'budgets',
      summary: 'Create or replace the budget of a scope and period',
      description:
        'Scope: `platform`, or `key=value` pairs of tenant, user, touchpoint, model ' +
        '(`tenant=acme,user=u7`). A tenant key needs the `budgets` grant and a scope inside ' +
        'its tenant.',
      body: budgetInputSchema,
      response: z.object({ budget: budgetViewSchema }).strict(),
    },
    async handle({ request, response, principal }) {
      const budget = budgetOf(await readJson(request));
      checkScopeAccess(principal, budget.scope, 'budgets');

      await store.set(budget);
      changed();
      sendJson(response, 200, { budget: describeBudget(budget) });
    },
  };
}

function deleteRoute(store: BudgetStore, changed: () => void): Route {
  return {
    method: 'DELETE',
    path: '/api/budgets/:id',
    access: 'tenant',
    grant: 'budgets',
    doc: {
      tag: 'budgets',
      summary: 'Delete a budget by id (`<scope>|<period>`, URL-encoded)',
      description: 'A tenant key needs the `budgets` grant and a budget inside its tenant.',
      response: z.object({ deleted: z.string() }).strict(),
      otherResponses: { '404': { description: 'There is no budget of this id.' } },
    },
    async handle({ response, principal, params }) {
      const id = params.id!;
      const scope = scopeOfId(id);
      if (!scope) throw new HttpError(404, 'NOT_FOUND', `no budget '${id}'`, 'id');
      checkScopeAccess(principal, scope, 'budgets');

      if (!(await store.delete(id))) {
        throw new HttpError(404, 'NOT_FOUND', `no budget '${id}'`, 'id');
      }
      changed();
      sendJson(response, 200, { deleted: id });
    },
  };
}

function budgetOf(body: unknown): Budget {
  try {
    return parseBudget(body);
  } catch (error) {
    if (error instanceof ValidationError) throw fromValidationError(error);
    throw error;
  }
}

/**
 * The scope a budget id names (`<scope>|<period>`), so that a tenant key is
 * refused another tenant's budget whether it exists or not; undefined when
 * the id cannot be a budget's.
 */
function scopeOfId(id: string): Scope | undefined {
  const cut = id.lastIndexOf('|');
  if (cut < 0) return undefined;
  try {
    return parseScope(id.slice(0, cut));
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}
