import { ConfigError, ValidationError } from '../../lib/errors.ts';
import { parseBudget, type Budget } from './budget.ts';
import { readSettingsFile } from '../../lib/settings-file.ts';

/**
 * Reads a budgets file (LLMCOST_BUDGETS_FILE): a JSON or YAML list of
 * `{scope, period, timeZone?, limitUsd, warnAt?}`. Every entry is checked
 * before any is used; a problem names the entry's index and field.
 */
export function loadBudgetsFile(file: string): Budget[] {
  const raw = readSettingsFile(file, 'budgets file');
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
