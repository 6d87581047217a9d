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

  it('runs only statements that read', () => {
    for (const query of ['KILL QUERY WHERE 1', 'SYSTEM FLUSH LOGS', 'SET readonly = 0']) {
      expect(() => checkAnalystQuery(query)).toThrow(/only queries that read/);
    }
    for (const query of ['WITH 1 AS x SELECT x', '(SELECT 1)', 'show tables', 'EXISTS t']) {
      expect(checkAnalystQuery(query)).toBe(query);
    }
  });

  it('refuses INTO OUTFILE, which would write on the server', () => {
    expect(() => checkAnalystQuery("SELECT 1 INTO OUTFILE '/tmp/x'")).toThrow(/INTO OUTFILE/);
    expect(checkAnalystQuery("SELECT 'INTO OUTFILE' AS s")).toBe("SELECT 'INTO OUTFILE' AS s");
  });

  it('refuses DESCRIBE of a table function, which reads files to infer columns', () => {
    expect(() => checkAnalystQuery("DESC TABLE file('/etc/passwd', 'CSV')")).toThrow(
      /table name here, not a table function/,
    );
    expect(checkAnalystQuery('DESCRIBE llm_calls')).toBe('DESCRIBE llm_calls');
  });
});
