import fs from 'node:fs';
import path from 'node:path';

/** An insert into llm_calls: its rows, their ids and the deduplication token derived from them. */
export interface InsertBlock {
  ids: string[];
  token: string;
  columns: string[];
  body: string;
}

/**
 * Inserts into llm_calls that were sent and not yet known to have landed,
 * one file per block in a directory of the data directory. ClickHouse writes
 * an insert into the raw table and into each view one after the other, so a
 * process killed in between leaves rows in llm_calls that no rollup counts;
 * the restarted consumer would then find their ids stored and skip them.
 * The block on disk is what lets it send the very same block again, token
 * and all, so that each table drops what it has and takes what it missed.
 */
export class InsertJournal {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /**
   * Keeps a block before it is sent; written whole or not at all (rename).
   * A line of JSON for ids, token and columns, then the body as it is: the
   * body is megabytes of JSON text that a JSON string would have to escape.
   */
  keep(block: InsertBlock): void {
    const file = this.fileOf(block.token);
    const { ids, token, columns } = block;
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify({ ids, token, columns })}\n${block.body}`);
    fs.renameSync(`${file}.tmp`, file);
  }

  /** Forgets a block once its insert has succeeded. */
  forget(token: string): void {
    fs.rmSync(this.fileOf(token), { force: true });
  }

  /** The blocks an earlier process sent without learning that they landed, oldest first. */
  unfinished(): InsertBlock[] {
    const names = fs.readdirSync(this.dir);
    // A block still being written when the process died was never sent.
    for (const name of names.filter((n) => n.endsWith('.tmp'))) {
      fs.rmSync(path.join(this.dir, name), { force: true });
    }
    return names
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(this.dir, name))
      .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs)
      .map((file) => {
        const text = fs.readFileSync(file, 'utf8');
        const newline = text.indexOf('\n');
        const head = JSON.parse(text.slice(0, newline)) as Omit<InsertBlock, 'body'>;
        return { ...head, body: text.slice(newline + 1) };
      });
  }

  private fileOf(token: string): string {
    return path.join(this.dir, `${token}.json`);
  }
}
