import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { classifyClickHouseError } from '../../clickhouse/errors.ts';
import { Mutex } from '../../lib/mutex.ts';
import type { InsertBlock, InsertJournal } from './insert-journal.ts';
import type { LlmCallRow } from './llm-calls-row.ts';

/** Ids per existence query: a bound Array(String) travels in the URL over HTTP. */
const LOOKUP_CHUNK = 2_000;

export interface WriteResult {
  inserted: number;
  /** Rows whose event_id was already stored, and so were not inserted again. */
  alreadyStored: number;
}

/**
 * Writes priced calls into llm_calls so that each event_id counts once, in the
 * table and in every view fed by it, however often and in whatever batches
 * the same event arrives:
 *
 * 1. ids already in `stored_call_ids` (a view of llm_calls ordered by id) are
 *    left out, which covers redelivery after a crash, batches rebuilt with
 *    other boundaries and a producer's retry at another offset;
 * 2. the insert carries a deduplication token derived from the ids it holds,
 *    and the tables keep a window of recent tokens, so an insert retried
 *    after an unknown outcome is dropped by ClickHouse, in the views too.
 *
 * An insert that failed may have reached some tables and not others (a view
 * failing after the raw table took the block). Its block is kept, and the
 * next write that covers the same events sends that very block again, with
 * its token, before anything else: each table then drops what it already has
 * and takes what it missed, whatever the existence check would now say.
 * With a journal, blocks are also kept on disk until they land, so that a
 * process killed in the middle of an insert sends them again when it
 * restarts, before its first write.
 *
 * Writes from all consumers of a process go through one mutex, so that the
 * existence check and the insert of one batch are not interleaved with
 * another's. Across processes, Kafka gives each partition (and so each
 * tenant's events) to one consumer at a time.
 */
export class LlmCallsSink {
  private readonly mutex = new Mutex();
  private failed?: InsertBlock;
  private recovered = false;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly journal?: InsertJournal,
  ) {}

  write(rows: LlmCallRow[]): Promise<WriteResult> {
    return this.mutex.run(() => this.writeNow(rows));
  }

  private async writeNow(rows: LlmCallRow[]): Promise<WriteResult> {
    if (rows.length === 0) return { inserted: 0, alreadyStored: 0 };
    if (!this.recovered) await this.finishUnfinished();
    const resent = await this.resendFailedBlock(rows);

    const stored = await this.storedIds(rows.map((row) => row.event_id));
    const fresh = rows.filter((row) => !stored.has(row.event_id));
    if (fresh.length === 0) return { inserted: resent, alreadyStored: rows.length - resent };

    const block = insertBlockOf(fresh);
    this.journal?.keep(block);
    try {
      await this.send(block);
    } catch (error) {
      this.failed = block;
      throw error;
    }
    const inserted = resent + fresh.length;
    return { inserted, alreadyStored: rows.length - inserted };
  }

  /** Sends the block of a failed insert again; returns how many rows it held. */
  private async resendFailedBlock(rows: LlmCallRow[]): Promise<number> {
    const failed = this.failed;
    if (!failed) return 0;
    const incoming = new Set(rows.map((row) => row.event_id));
    if (!failed.ids.every((id) => incoming.has(id))) return 0;

    await this.send(failed);
    this.failed = undefined;
    return failed.ids.length;
  }

  /**
   * Sends again the blocks a killed process left in the journal, first of
   * all: their tokens are still in the tables' deduplication windows then.
   */
  private async finishUnfinished(): Promise<void> {
    for (const block of this.journal?.unfinished() ?? []) await this.send(block);
    this.recovered = true;
  }

  /** Inserts a block; once it has landed, the journal forgets it. */
  private async send(block: InsertBlock): Promise<void> {
    try {
      await this.insert(block);
    } catch (error) {
      throw classifyClickHouseError(error, { table: 'llm_calls', batchSize: block.ids.length });
    }
    this.journal?.forget(block.token);
  }

  private async insert(block: InsertBlock): Promise<void> {
    // The token is a hex digest and the columns the names toLlmCallRow gives:
    // nothing in this statement comes from the events themselves.
    const result = await this.client.exec({
      query:
        `INSERT INTO llm_calls (${block.columns.join(', ')}) ` +
        `SETTINGS insert_deduplication_token = '${block.token}', ` +
        'deduplicate_blocks_in_dependent_materialized_views = 1, ' +
        // On a cluster the insert reaches its shard before the call returns,
        // so its outcome (and its deduplication token) is the shard's.
        'distributed_foreground_insert = 1 FORMAT JSONCompactEachRow',
      values: Readable.from([block.body]),
    });
    result.stream.resume();
  }

  private async storedIds(ids: string[]): Promise<Set<string>> {
    const stored = new Set<string>();
    for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
      const chunk = ids.slice(start, start + LOOKUP_CHUNK);
      try {
        const result = await this.client.query({
          query: 'SELECT event_id FROM stored_call_ids WHERE event_id IN {ids:Array(String)}',
          query_params: { ids: chunk },
          format: 'JSONCompactEachRow',
        });
        for (const [id] of await result.json<[string]>()) stored.add(id);
      } catch (error) {
        throw classifyClickHouseError(error, {
          table: 'stored_call_ids',
          batchSize: chunk.length,
        });
      }
    }
    return stored;
  }
}

/** The insert of rows: the same rows always give the same block, token included. */
export function insertBlockOf(rows: LlmCallRow[]): InsertBlock {
  const ids = rows.map((row) => row.event_id);
  return { ids, token: blockToken(ids), ...encodeRows(rows) };
}

/** The deduplication token of a block: its sorted event ids, hashed. */
function blockToken(ids: string[]): string {
  const hash = crypto.createHash('sha256');
  for (const id of [...ids].sort()) hash.update(id).update('\n');
  return hash.digest('hex');
}

/**
 * Rows as JSON arrays, one per line, under one column list: half the bytes
 * of objects with their keys, for this process to write and ClickHouse to
 * parse.
 */
function encodeRows(rows: LlmCallRow[]): { columns: string[]; body: string } {
  const columns = Object.keys(rows[0]!);
  const body = rows.map((row) => JSON.stringify(Object.values(row))).join('\n') + '\n';
  return { columns, body };
}
