import type { Command } from 'commander';
import { readOwner } from '../../api/owner-file.ts';
import { describeBudget, parseBudget } from '../../consumers/alerting/budget.ts';
import { BudgetStore } from '../../consumers/alerting/budget-store.ts';
import { PipelineError } from '../../lib/errors.ts';
import { openStore, type Runtime } from '../runtime.ts';
import { migrateStore } from '../setup.ts';
import { renderTable } from '../table.ts';
import type { RuntimeFactory } from './types.ts';

type BudgetView = ReturnType<typeof describeBudget>;

interface SetFlags {
  scope: string;
  period: string;
  limit: string;
  warn?: string[];
  tz: string;
}

export function registerBudgets(program: Command, runtime: RuntimeFactory): void {
  const budgets = program
    .command('budgets')
    .description('set, list and delete spending budgets (shared by every alerting instance)')
    .addHelpText(
      'after',
      `
Scopes: platform, or key=value pairs of tenant, user, touchpoint, model
(tenant=acme, tenant=acme,user=u7, touchpoint=main-chat). Periods: day or
month, in --tz (UTC by default). Goes through the running 'llmcost up' (or
other owner of the embedded store) when there is one.

Example:
  llmcost budgets set --scope tenant=acme --period day --limit 10 --warn 0.8`,
    );

  budgets
    .command('set')
    .description('create or replace the budget of a scope and period')
    .requiredOption('--scope <scope>', 'platform, tenant=acme, tenant=acme,user=u7 …')
    .requiredOption('--period <period>', 'day or month')
    .requiredOption('--limit <usd>', 'limit in USD, e.g. 10 or 2500.50')
    .option('--warn <fraction...>', 'warning thresholds as fractions of the limit (default 0.8)')
    .option('--tz <zone>', 'IANA time zone of the period', 'UTC')
    .action(async (flags: SetFlags, command: Command) => {
      const budget = parseBudget({
        scope: flags.scope,
        period: flags.period,
        timeZone: flags.tz,
        limitUsd: flags.limit,
        warnAt: flags.warn,
      });
      const rt = runtime(command);
      const { id, ...input } = describeBudget(budget);
      await viaOwnerOrStore(rt, { method: 'PUT', path: '/api/budgets', body: input }, (store) =>
        store.set(budget),
      );
      process.stdout.write(`set ${id}\n`);
    });

  budgets
    .command('list')
    .description('list the budgets in force')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const result = (await viaOwnerOrStore(
        runtime(command),
        { method: 'GET', path: '/api/budgets' },
        async (store) => ({ budgets: (await store.list()).map(describeBudget) }),
      )) as { budgets: BudgetView[] };
      if (flags.json) {
        process.stdout.write(JSON.stringify(result.budgets, null, 2) + '\n');
        return;
      }
      const rows = result.budgets.map((b) => ({ ...b, warnAt: b.warnAt.join(' ') }));
      const columns = ['id', 'scope', 'period', 'timeZone', 'limitUsd', 'warnAt'];
      process.stdout.write(renderTable(columns, rows) + '\n');
    });

  budgets
    .command('delete')
    .description('delete the budget of a scope and period')
    .requiredOption('--scope <scope>', 'the budget scope')
    .requiredOption('--period <period>', 'day or month')
    .action(async (flags: { scope: string; period: string }, command: Command) => {
      const id = parseBudget({ scope: flags.scope, period: flags.period, limitUsd: '1' }).id;
      await viaOwnerOrStore(
        runtime(command),
        { method: 'DELETE', path: `/api/budgets/${encodeURIComponent(id)}` },
        async (store) => {
          if (!(await store.delete(id))) {
            throw new PipelineError(`no budget '${id}'`, { code: 'NOT_FOUND' });
          }
          return { deleted: id };
        },
      );
      process.stdout.write(`deleted ${id}\n`);
    });
}

/**
 * Runs a budget operation through the API of the process that owns the
 * embedded store when one runs, else on the store directly (migrated first,
 * so that a fresh data directory works).
 */
async function viaOwnerOrStore(
  runtime: Runtime,
  request: { method: string; path: string; body?: unknown },
  direct: (store: BudgetStore) => Promise<unknown>,
): Promise<unknown> {
  const owner = runtime.config.clickhouse.url ? undefined : readOwner(runtime.paths.ownerFile);
  if (owner) {
    const response = await fetch(`${owner.url}${request.path}`, {
      method: request.method,
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const body = (await response.json()) as { error?: { message: string; code: string } };
    if (!response.ok) {
      throw new PipelineError(body.error?.message ?? `HTTP ${response.status}`, {
        code: body.error?.code ?? 'BUDGETS',
        context: { via: owner.url },
      });
    }
    return body;
  }

  const store = await openStore(runtime);
  try {
    await migrateStore(runtime, store);
    return await direct(new BudgetStore(store.client, runtime.logger));
  } finally {
    await store.close();
  }
}
