import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBudgetsFile } from './budget-file.ts';

function file(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmcost-budgets-'));
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
}

describe('loadBudgetsFile', () => {
  it('reads YAML budgets with their defaults', () => {
    const [budget] = loadBudgetsFile(
      file('budgets.yaml', '- scope: tenant=acme\n  period: day\n  limitUsd: "10.50"\n'),
    );
    expect(budget).toMatchObject({ id: 'tenant=acme|day', timeZone: 'UTC' });
    expect(budget!.limitUsd.toFixed()).toBe('10.5');
    expect(budget!.warnAt.map((value) => value.toFixed())).toEqual(['0.8']);
  });

  it('names the entry and field of a mistake', () => {
    const bad = [{ scope: 'tenant=a', period: 'day', limitUsd: '10' }, { scope: 'tenant=b' }];
    expect(() => loadBudgetsFile(file('budgets.json', JSON.stringify(bad)))).toThrow(
      /entry 1: .*period/,
    );
  });

  it('refuses two budgets for the same scope and period', () => {
    const twice = [
      { scope: 'tenant=a,user=u1', period: 'month', limitUsd: '10' },
      { scope: 'user=u1,tenant=a', period: 'month', limitUsd: '20' },
    ];
    expect(() => loadBudgetsFile(file('budgets.json', JSON.stringify(twice)))).toThrow(/two/);
  });
});
