import { describe, expect, it } from 'vitest';
import { Money } from '../../lib/money.ts';
import { parseBudget } from './budget.ts';
import { checkBudget, statusOf, withCrossing } from './budget-check.ts';
import { periodOf } from './period.ts';

const budget = parseBudget({ scope: 'tenant=t1', period: 'month', limitUsd: '100' });
const now = Date.parse('2025-03-02T00:00:00Z');
const window = periodOf(now, 'month', 'UTC');

function check(spend: string, unpriced = 0, at = now, limited = budget) {
  return checkBudget({
    budget: limited,
    window,
    spend: { spendUsd: new Money(spend), unpricedRequests: unpriced },
    now: at,
  });
}

describe('checkBudget', () => {
  it('raises a warning per threshold reached and exceeded at the limit', () => {
    expect(check('79.99').alerts).toEqual([]);
    const result = check('102');
    expect(statusOf(budget, new Money('102'))).toBe('exceeded');
    expect(result.alerts.map((a) => `${a.type} ${a.budget?.threshold} ${a.spendUsd}`)).toEqual([
      'budget.warning 0.8 102',
      'budget.exceeded 1 102',
    ]);
    expect(statusOf(budget, new Money('81'))).toBe('warning');
    expect(statusOf(budget, new Money('79.99'))).toBe('ok');
  });

  it('tells the crossing call and the spend right after it, once it is known', () => {
    const [warning] = check('102').alerts;
    const told = withCrossing(warning!, budget, window, {
      eventId: 'e2',
      spendUsd: new Money('81'),
    });
    expect(told).toMatchObject({ spendUsd: '81', triggeredBy: 'e2' });
    expect(told.summary).toBe(
      'tenant=t1 reached 80% of its month budget of 100 USD for 2025-03: 81 USD spent',
    );
    expect(told.alertId).toBe(warning!.alertId);
  });

  it('gives every alert an id from budget, limit, period and threshold alone', () => {
    const first = check('85').alerts[0]!;
    expect(check('93').alerts[0]!.alertId).toBe(first.alertId);
    const raised = parseBudget({ scope: 'tenant=t1', period: 'month', limitUsd: '200' });
    expect(check('170', 0, now, raised).alerts[0]!.alertId).not.toBe(first.alertId);
    const april = checkBudget({
      budget,
      window: periodOf(Date.parse('2025-04-02T00:00:00Z'), 'month', 'UTC'),
      spend: { spendUsd: new Money(85), unpricedRequests: 0 },
      now,
    });
    expect(april.alerts[0]!.alertId).not.toBe(first.alertId);
  });

  it('projects over the budget’s own period and flags incomplete spend', () => {
    // 10 of 31 days gone with 40 spent: on course for 124 in March.
    const result = check('40', 3, Date.parse('2025-03-11T00:00:00Z'));
    expect(result.alerts.map((a) => [a.type, a.projectedUsd, a.incomplete])).toEqual([
      ['budget.projected', '124', true],
      ['budget.incomplete', null, true],
    ]);
    expect(check('40', 0, Date.parse('2025-03-05T00:00:00Z')).alerts).toEqual([]);
  });
});
