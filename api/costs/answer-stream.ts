import type { ServerResponse } from 'node:http';
import type { CostRow } from './cost-rows.ts';

/** Rows are sent in chunks of about this many bytes. */
const CHUNK_BYTES = 64 * 1024;

/** The client went away before the answer was complete. */
export class ClientGone extends Error {}

/**
 * Writes an answer row by row, in JSON (`{query, rows: [...], summary}`) or
 * CSV (a header row, then one line per row), waiting whenever the client
 * reads slower than rows arrive, so memory stays flat for any range.
 */
export class AnswerStream {
  private buffer = '';
  private rows = 0;
  private readonly textIndexes: ReadonlySet<number>;

  /** `textColumns` hold caller-given text (ids, names), as opposed to numbers. */
  constructor(
    private readonly response: ServerResponse,
    private readonly format: 'json' | 'csv',
    private readonly columns: readonly string[],
    textColumns: ReadonlySet<string>,
  ) {
    const indexes = columns.map((column, index) => (textColumns.has(column) ? index : -1));
    this.textIndexes = new Set(indexes.filter((index) => index >= 0));
  }

  /** Sends the status and headers, and the part before the first row. */
  start(head: Record<string, unknown>, filename: string): void {
    const csv = this.format === 'csv';
    this.response.writeHead(200, {
      'content-type': csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...(csv ? { 'content-disposition': `attachment; filename="${filename}.csv"` } : {}),
    });
    this.buffer = csv
      ? csvLine(this.columns, new Set())
      : `${JSON.stringify(head).slice(0, -1)},"rows":[`;
  }

  async row(row: CostRow): Promise<void> {
    if (this.format === 'csv') {
      this.buffer += csvLine(
        this.columns.map((column) => row[column] ?? ''),
        this.textIndexes,
      );
    } else {
      this.buffer += (this.rows > 0 ? ',' : '') + JSON.stringify(row);
    }
    this.rows++;
    if (this.buffer.length >= CHUNK_BYTES) await this.flush();
  }

  /** Ends the answer; JSON closes with the summary, CSV has none (its rows are the data). */
  async end(tail: Record<string, unknown>): Promise<void> {
    if (this.format === 'json') this.buffer += `],${JSON.stringify(tail).slice(1)}`;
    await this.flush();
    this.response.end();
  }

  private async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    if (this.response.destroyed) throw new ClientGone('client closed the connection');
    if (this.response.write(chunk)) return;
    await drained(this.response);
  }
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => settle(resolve);
    const onClose = () => settle(() => reject(new ClientGone('client closed the connection')));
    const settle = (then: () => void) => {
      response.off('drain', onDrain);
      response.off('close', onClose);
      then();
    };
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}

/**
 * One RFC 4180 line. Text cells that a spreadsheet would run as a formula
 * (starting with = + - @ or a control character) get a leading apostrophe:
 * tenant ids and model names come from callers, and a CSV is opened by people.
 */
export function csvLine(cells: readonly unknown[], textColumns: ReadonlySet<number>): string {
  return (
    cells
      .map((cell, index) => {
        let text = cell === null || cell === undefined ? '' : String(cell);
        if (textColumns.has(index) && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
        return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
      })
      .join(',') + '\r\n'
  );
}
