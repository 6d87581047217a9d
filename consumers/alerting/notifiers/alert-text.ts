import { Money } from '../../../lib/money.ts';
import type { CostAlert } from '../../../schemas/cost-alert.ts';

/** The facts of an alert as `label: value` lines, for email bodies and chat messages. */
export function alertFacts(alert: CostAlert): [string, string][] {
  const facts: [string, string][] = [['type', alert.type]];
  if (alert.scope) facts.push(['scope', alert.scope]);
  if (alert.budget) {
    facts.push(['budget', `${alert.budget.limitUsd} USD per ${alert.budget.period}`]);
    facts.push(['time zone', alert.budget.timeZone]);
    if (alert.budget.threshold) facts.push(['threshold', `${percent(alert.budget.threshold)}%`]);
  }
  if (alert.periodStart !== null && alert.periodEnd !== null) {
    facts.push(['window', `${iso(alert.periodStart)} – ${iso(alert.periodEnd)}`]);
  }
  if (alert.spendUsd !== null) facts.push(['spend', `${alert.spendUsd} USD`]);
  if (alert.projectedUsd !== null) facts.push(['projected', `${alert.projectedUsd} USD`]);
  if (alert.incomplete) {
    facts.push(['incomplete', `${alert.unpricedRequests} request(s) could not be priced`]);
  }
  if (alert.spike) {
    const { spike } = alert;
    facts.push(['observed', `${spike.observedUsd} USD`]);
    facts.push(['expected', `${spike.expectedLowUsd} – ${spike.expectedHighUsd} USD`]);
    for (const top of spike.topContributors) {
      facts.push([`top ${top.dimension}`, `${top.value} (${top.costUsd} USD)`]);
    }
  }
  for (const [name, value] of Object.entries(alert.details)) facts.push([name, value]);
  if (alert.triggeredBy) facts.push(['triggered by event', alert.triggeredBy]);
  facts.push(['alert id', alert.alertId]);
  return facts;
}

/** A plain-text rendering: the summary, a blank line, then the facts. */
export function alertText(alert: CostAlert): string {
  const lines = alertFacts(alert).map(([label, value]) => `${label}: ${value}`);
  return `${alert.summary}\n\n${lines.join('\n')}\n`;
}

function percent(fraction: string): string {
  return new Money(fraction).times(100).toFixed();
}

function iso(instant: number): string {
  return new Date(instant).toISOString();
}
