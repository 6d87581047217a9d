import fs from 'node:fs';
import { processAlive } from '../lib/data-dir.ts';

/**
 * Written by the long-running command that owns the embedded store, so that
 * other commands on the same data directory (llmcost sql, budgets, keys …)
 * can go through its HTTP API instead of opening the store themselves. The
 * token in it grants admin rights, hence the file's 0600 mode.
 */
export interface OwnerRecord {
  pid: number;
  url: string;
  token: string;
  command: string;
  startedAt: string;
}

export function writeOwner(file: string, record: OwnerRecord): void {
  fs.writeFileSync(file, JSON.stringify(record, null, 2), { mode: 0o600 });
}

/** The owner record, when its process is still alive. */
export function readOwner(file: string): OwnerRecord | undefined {
  let record: OwnerRecord;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
  return processAlive(record.pid) ? record : undefined;
}

/** Removes the record if it is this process's own. */
export function removeOwner(file: string, pid = process.pid): void {
  const record = readOwner(file);
  if (record?.pid === pid) fs.rmSync(file, { force: true });
}
