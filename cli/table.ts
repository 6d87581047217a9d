/** Renders rows as an aligned text table; numbers and decimals align right. */
export function renderTable(columns: string[], rows: Record<string, unknown>[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(row[column])));
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((line) => line[i]!.length)),
  );
  const numeric = columns.map(
    (_, i) =>
      cells.length > 0 && cells.every((line) => /^-?[\d.]+$/.test(line[i]!) || line[i] === ''),
  );

  const format = (line: string[]) =>
    line
      .map((text, i) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [format(columns), rule, ...cells.map(format)].join('\n');
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** RFC 4180 CSV with a header row. */
export function renderCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const quote = (value: unknown) => {
    const text = cellText(value);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return (
    [
      columns.map(quote).join(','),
      ...rows.map((row) => columns.map((c) => quote(row[c])).join(',')),
    ].join('\n') + '\n'
  );
}
