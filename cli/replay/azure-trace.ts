import crypto from 'node:crypto';
import fs from 'node:fs';
import { ValidationError } from '../../lib/errors.ts';
import type { LlmCallInput } from '../../schemas/llm-call.ts';
import { uuidFrom } from '../../lib/ids.ts';

/** One row of an Azure LLM inference trace (TIMESTAMP, ContextTokens, GeneratedTokens). */
export interface TraceRow {
  /** 1-based row number in the file, header excluded. */
  row: number;
  occurredAt: number;
  contextTokens: number;
  generatedTokens: number;
}

export interface ReplayOptions {
  provider: string;
  model: string;
  touchpoint: string;
  /** Rows are spread over this many tenants (tenant-01 …), deterministically. */
  tenants: number;
  /** … and over this many users within each tenant (user-001 …). */
  users: number;
  /** `now` shifts the trace so that its last call happens now; `original` keeps its times. */
  rebase: 'now' | 'original';
  /** Moves the whole trace this many whole days earlier (after rebasing). */
  shiftDays: number;
}

const HEADER = 'TIMESTAMP,ContextTokens,GeneratedTokens';
const DAY_MS = 24 * 3600 * 1000;

/** Reads and checks a trace; a malformed row is reported with its line number. */
export function readTrace(file: string): { rows: TraceRow[]; digest: string } {
  const text = fs.readFileSync(file, 'utf8');
  const digest = crypto.createHash('sha256').update(text).digest('hex');
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER) {
    throw new ValidationError(`trace ${file}`, [
      { path: 'line 1', message: `expected the header '${HEADER}'` },
    ]);
  }

  const rows: TraceRow[] = [];
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (!line) continue;
    const [timestamp = '', context = '', generated = ''] = line.split(',');
    const occurredAt = parseTraceTime(timestamp);
    const contextTokens = Number(context);
    const generatedTokens = Number(generated);
    if (Number.isNaN(occurredAt) || !isCount(contextTokens) || !isCount(generatedTokens)) {
      throw new ValidationError(`trace ${file}`, [
        { path: `line ${index + 1}`, message: `cannot read '${line}'` },
      ]);
    }
    rows.push({ row: rows.length + 1, occurredAt, contextTokens, generatedTokens });
  }
  return { rows, digest };
}

/** '2023-11-16 18:15:46.6805900' (UTC, up to 7 fractional digits) → epoch milliseconds. */
function parseTraceTime(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return NaN;
  const millis = (match[3] ?? '').padEnd(3, '0').slice(0, 3);
  return Date.parse(`${match[1]}T${match[2]}.${millis}Z`);
}

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

/**
 * Turns trace rows into llm calls. Event ids derive from the file's content,
 * the row and the options (not from the clock), so replaying the same file
 * with the same options again produces the same ids, which the pipeline
 * counts once.
 */
export function traceCalls(
  trace: { rows: TraceRow[]; digest: string },
  options: ReplayOptions,
  now: number = Date.now(),
): LlmCallInput[] {
  const last = trace.rows.reduce((max, row) => Math.max(max, row.occurredAt), 0);
  const shift = (options.rebase === 'now' ? now - last : 0) - options.shiftDays * DAY_MS;
  const identity = [
    trace.digest,
    options.provider,
    options.model,
    options.touchpoint,
    options.tenants,
    options.users,
    options.rebase,
    options.shiftDays,
  ].join('|');

  return trace.rows.map((row) => {
    const tenant = zipfPick(hashUnit(`${identity}|tenant|${row.row}`), options.tenants);
    const user = zipfPick(hashUnit(`${identity}|user|${row.row}`), options.users);
    return {
      eventId: uuidFrom(`${identity}|${row.row}`),
      occurredAt: row.occurredAt + shift,
      tenantId: `tenant-${String(tenant + 1).padStart(2, '0')}`,
      userId: `user-${String(user + 1).padStart(3, '0')}`,
      touchpoint: options.touchpoint,
      provider: options.provider,
      model: options.model,
      usage: { inputTokens: row.contextTokens, outputTokens: row.generatedTokens },
      attributes: { source: 'azure-llm-inference-2023', traceRow: String(row.row) },
    };
  });
}

function hashUnit(text: string): number {
  return crypto.createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Picks one of `n` slots with weights 1, 1/2, 1/3 …, so that a few tenants
 * and users carry most of the traffic, as in real organisations.
 */
function zipfPick(unit: number, n: number): number {
  const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1));
  const total = weights.reduce((sum, w) => sum + w, 0);
  let acc = 0;
  for (let k = 0; k < n; k++) {
    acc += weights[k]! / total;
    if (unit < acc) return k;
  }
  return n - 1;
}
