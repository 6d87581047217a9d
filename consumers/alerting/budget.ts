import { z } from 'zod';
import { ValidationError } from '../../lib/errors.ts';
import { parseMoney, type Money } from '../../lib/money.ts';
import { checkTimeZone, PERIODS, type PeriodKind } from './period.ts';
import { formatScope, parseScope, type Scope } from './scope.ts';

/** A spending limit on a scope for each day or calendar month in a time zone. */
export interface Budget {
  /** `<canonical scope>|<period>`: one budget per scope and period. */
  id: string;
  scope: Scope;
  /** The canonical spelling of `scope`. */
  scopeKey: string;
  period: PeriodKind;
  timeZone: string;
  limitUsd: Money;
  /** Fractions of the limit that raise a warning, ascending, each in (0, 1). */
  warnAt: Money[];
}

/** A budget as people write it: in a budgets file, on the command line, in the API. */
export type BudgetInput = z.input<typeof budgetInputSchema>;

const DEFAULT_WARN_AT = ['0.8'];

const fraction = z.union([z.string(), z.number()]).transform((value, context) => {
  const text = String(value);
  try {
    const money = parseMoney(text);
    if (money.lte(0) || money.gte(1)) throw new RangeError('must be above 0 and below 1');
    return money;
  } catch (error) {
    context.addIssue({ code: 'custom', message: `'${text}' is not a threshold: ${String(error)}` });
    return z.NEVER;
  }
});

export const budgetInputSchema = z.strictObject({
  scope: z.string().min(1),
  period: z.enum(PERIODS),
  timeZone: z.string().default('UTC'),
  limitUsd: z.union([z.string(), z.number()]).transform((value, context) => {
    try {
      const money = parseMoney(String(value));
      if (money.lte(0)) throw new RangeError('must be above 0');
      return money;
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not a USD amount: ${String(error)}` });
      return z.NEVER;
    }
  }),
  warnAt: z.array(fraction).default(DEFAULT_WARN_AT.map((text) => parseMoney(text))),
});

/** Checks a budget as written and gives it its canonical form and id. */
export function parseBudget(input: unknown): Budget {
  const parsed = budgetInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    throw new ValidationError('budget', issues);
  }

  const { period, limitUsd } = parsed.data;
  const scope = parseScope(parsed.data.scope);
  const scopeKey = formatScope(scope);
  const warnAt = uniqueSorted(parsed.data.warnAt);
  return {
    id: budgetId(scopeKey, period),
    scope,
    scopeKey,
    period,
    timeZone: checkTimeZone(parsed.data.timeZone),
    limitUsd,
    warnAt,
  };
}

export function budgetId(scopeKey: string, period: PeriodKind): string {
  return `${scopeKey}|${period}`;
}

/** The budget in the form people write, money as decimal strings. */
export function describeBudget(budget: Budget) {
  return {
    id: budget.id,
    scope: budget.scopeKey,
    period: budget.period,
    timeZone: budget.timeZone,
    limitUsd: budget.limitUsd.toFixed(),
    warnAt: budget.warnAt.map((value) => value.toFixed()),
  };
}

function uniqueSorted(values: Money[]): Money[] {
  const sorted = [...values].sort((a, b) => a.comparedTo(b));
  return sorted.filter((value, index) => index === 0 || !value.eq(sorted[index - 1]!));
}
