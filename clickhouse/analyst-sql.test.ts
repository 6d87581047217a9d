import { describe, expect, it } from 'vitest';
import { checkAnalystQuery } from './analyst-sql.ts';

describe('checkAnalystQuery', () => {
  it('accepts one statement, with or without a trailing semicolon', () => {
    expect(checkAnalystQuery('SELECT 1;  ')).toBe('SELECT 1');
    expect(checkAnalystQuery("SELECT ';' AS s, `a;b` -- x;y\nFROM t")).toContain("';'");
  });

  it('refuses several statements', () => {
    expect(() => checkAnalystQuery('SELECT 1; SELECT 2')).toThrow(/one statement at a time/);
  });

  it('refuses a FORMAT clause, pointing at --format', () => {
    expect(() => checkAnalystQuery('SELECT 1 FORMAT CSV')).toThrow(/--format/);
    expect(checkAnalystQuery("SELECT 'FORMAT CSV'")).toBe("SELECT 'FORMAT CSV'");
  });
});
