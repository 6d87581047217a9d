import { ValidationError } from '../lib/errors.ts';

/** The statements an analyst may run; everything else (KILL, SYSTEM, SET …) is refused. */
const READING_STATEMENT = /^[\s(]*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN|EXISTS)\b/i;

/**
 * Checks an analyst's query before it runs, on top of the read-only session
 * it runs in (which refuses writes, settings and table functions in SELECT):
 * one reading statement (a trailing semicolon is fine); no INTO OUTFILE,
 * which the embedded engine would carry out on this machine's disk; no
 * DESCRIBE of a table function, which reads a file or URL to infer its
 * columns; and no FORMAT clause, since the result format is the caller's
 * choice (--format, or the API's format field). Quotes, quoted identifiers
 * and comments are skipped, so what is inside them is no problem. Returns the
 * query without its trailing semicolons.
 */
export function checkAnalystQuery(query: string): string {
  const code = withoutLiterals(query);
  const trimmed = code.replace(/[\s;]+$/, '');

  if (trimmed.includes(';')) refuse('one statement at a time, please: run each query on its own');
  if (!READING_STATEMENT.test(trimmed)) {
    refuse('only queries that read run here: SELECT, WITH, SHOW, DESCRIBE, EXPLAIN or EXISTS');
  }
  if (/\bINTO\s+OUTFILE\b/i.test(trimmed)) {
    refuse('INTO OUTFILE is not allowed; save the output of llmcost sql or the API instead');
  }
  if (/^\s*DESC(RIBE)?\s+(TABLE\s+)?[\w.]+\s*\(/i.test(trimmed)) {
    refuse('DESCRIBE takes a table name here, not a table function');
  }
  if (/\bFORMAT\s+\w+\s*$/i.test(trimmed)) {
    refuse('leave out the FORMAT clause; choose the output with --format (table, csv, json)');
  }
  return query.slice(0, trimmed.length).trimEnd();
}

function refuse(message: string): never {
  throw new ValidationError('query', [{ path: '', message }]);
}

/**
 * The query with string literals, quoted identifiers and comments blanked
 * out: replaced by as many underscores, so that offsets still match and no
 * ';' or FORMAT inside them is seen.
 */
function withoutLiterals(query: string): string {
  let out = '';
  let i = 0;
  while (i < query.length) {
    const rest = query.slice(i);
    const match =
      /^('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|--[^\n]*|\/\*[\s\S]*?\*\/)/.exec(
        rest,
      );
    if (match) {
      out += '_'.repeat(match[0].length);
      i += match[0].length;
    } else {
      out += query[i];
      i += 1;
    }
  }
  return out;
}
