import { ValidationError } from '../lib/errors.ts';

/**
 * Checks an analyst's query before it runs: one statement (a trailing
 * semicolon is fine), and no FORMAT clause, since the result format is the
 * caller's choice (--format, or the API's format field). Quotes, quoted
 * identifiers and comments are skipped, so a ';' inside them is no problem.
 * Returns the query without its trailing semicolons.
 */
export function checkAnalystQuery(query: string): string {
  const code = withoutLiterals(query);
  const trimmed = code.replace(/[\s;]+$/, '');
  if (trimmed.includes(';')) {
    throw new ValidationError('query', [
      { path: '', message: 'one statement at a time, please: run each query on its own' },
    ]);
  }
  if (/\bFORMAT\s+\w+\s*$/i.test(trimmed)) {
    throw new ValidationError('query', [
      {
        path: '',
        message: 'leave out the FORMAT clause; choose the output with --format (table, csv, json)',
      },
    ]);
  }
  return query.slice(0, trimmed.length).trimEnd();
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
