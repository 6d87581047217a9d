import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, ValidationError } from '../../lib/errors.ts';
import { parseBudget, type Budget } from './budget.ts';

/**
 * Reads a budgets file (LLMCOST_BUDGETS_FILE): a JSON or YAML list of
 * `{scope, period, timeZone?, limitUsd, warnAt?}`. Every entry is checked
 * before any is used; a problem names the entry's index and field.
 */
export function loadBudgetsFile(file: string): Budget[] {
  let raw: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`cannot read budgets file ${file}: ${String(error)}`, { file });
  }
  if (!Array.isArray(raw)) {
    throw new ConfigError(`budgets file ${file} must hold a list of budgets`, { file });
  }

  const budgets = raw.map((entry, index) => {
    try {
      return parseBudget(entry);
    } catch (error) {
      const detail = error instanceof ValidationError ? error.message : String(error);
      throw new ConfigError(`budgets file ${file}, entry ${index}: ${detail}`, { file, index });
    }
  });
  const ids = new Set<string>();
  for (const budget of budgets) {
    if (ids.has(budget.id)) {
      throw new ConfigError(`budgets file ${file} has two budgets for ${budget.id}`, { file });
    }
    ids.add(budget.id);
  }
  return budgets;
}
