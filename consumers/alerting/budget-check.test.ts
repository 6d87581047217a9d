import { describe, expect, it } from 'vitest';
import { Money } from '../../lib/money.ts';
import { parseBudget } from './budget.ts';
import { checkBudget, type CountedCall } from './budget-check.ts';
import { periodOf } from './period.ts';

const budget = parseBudget({ scope: 'tenant=t1', period: 'month', limitUsd: '100' });
const now = Date.parse('2025-03-02T00:00:00Z');
const window = periodOf(now, 'month', 'UTC');

function check(costs: string[], before = '0', unpriced = 0) {
  const calls: CountedCall[] = costs.map((cost, i) => ({
    eventId: `e${i}`,
    costUsd: new Money(cost),
  }));
  const total = costs.reduce((sum, cost) => sum.plus(cost), new Money(before));
  return checkBudget({
    budget,
    window,
    spend: { spendUsd: total, unpricedRequests: unpriced },
    calls,
    now,
  });
}

describe('checkBudget', () => {
  it('names the call that reached each threshold and the spend at that moment', () => {
    const result = check(['79', '2', '1', '1', '18', '1']);
    expect(result.status).toBe('exceeded');
    expect(result.alerts.map((a) => `${a.type} ${a.spendUsd} ${a.triggeredBy}`)).toEqual([
      'budget.warning 81 e1',
      'budget.exceeded 101 e4',
    ]);
  });

  it('gives every alert an id from budget, limit, period and threshold alone', () => {
    const first = check(['85']).alerts[0]!;
    const later = check(['3'], '90').alerts[0]!;
    expect(later.alertId).toBe(first.alertId);
    const raised = parseBudget({ scope: 'tenant=t1', period: 'month', limitUsd: '200' });
    const other = checkBudget({
      budget: raised,
      window,
      spend: { spendUsd: new Money(170), unpricedRequests: 0 },
      calls: [],
      now,
    });
    expect(other.alerts[0]!.alertId).not.toBe(first.alertId);
  });

  it('reports spend reached before the batch without naming a call', () => {
    const [warning] = check([], '85').alerts;
    expect(warning).toMatchObject({ type: 'budget.warning', spendUsd: '85', triggeredBy: null });
  });

  it('projects over the budget’s own period and flags incomplete spend', () => {
    // 10 of 31 days gone with 40 spent: on course for 124 in March.
    const tenth = Date.parse('2025-03-11T00:00:00Z');
    const result = checkBudget({
      budget,
      window,
      spend: { spendUsd: new Money(40), unpricedRequests: 3 },
      calls: [],
      now: tenth,
    });
    expect(result.status).toBe('ok');
    expect(result.alerts.map((a) => [a.type, a.projectedUsd, a.incomplete])).toEqual([
      ['budget.projected', '124', true],
      ['budget.incomplete', null, true],
    ]);
  });
});
