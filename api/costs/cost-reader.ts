import type { ClickHouseClient } from '../../clickhouse/client.ts';
import { classifyClickHouseError } from '../../clickhouse/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { HttpError } from '../http.ts';
import { buildAlignmentCheck, type BoundQuery } from './cost-sql.ts';
import { badParam } from './query-params.ts';
import { TimeZones } from './time-zones.ts';

/**
 * Runs the cost queries against the rollups. Every value reaches ClickHouse
 * as a bound parameter; a failure that may pass on retry answers 503, any
 * other is an internal error carrying the rollup it read.
 */
export class CostReader {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly logger: Logger,
  ) {}

  /** The rows of a query, one at a time. */
  async *rows(query: BoundQuery): AsyncGenerator<Record<string, unknown>> {
    const started = Date.now();
    const result = await this.run(query);
    for await (const batch of result.stream<Record<string, unknown>>()) {
      for (const row of batch) yield row.json();
    }
    this.logger.debug({ table: query.source, durationMs: Date.now() - started }, 'cost query');
  }

  async all(query: BoundQuery): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const row of this.rows(query)) rows.push(row);
    return rows;
  }

  /**
   * Refuses a range whose local days do not start on 15-minute boundaries
   * in `tz` (see buildAlignmentCheck): the rollup would blur them.
   */
  async assertQuarterHourDays(startDate: string, endDate: string, tz: string): Promise<void> {
    if (TimeZones.isAlwaysUtc(tz)) return;

    const [row] = await this.all(buildAlignmentCheck(startDate, endDate, tz));
    if (Number(row?.misaligned ?? 0) > 0) {
      throw badParam(
        'tz',
        `days of ${tz} around ${startDate}..${endDate} do not start on a quarter hour ` +
          `(an offset that is not a multiple of 15 minutes was in use), so the ` +
          `15-minute rollup cannot answer exactly; choose another zone or range`,
      );
    }
  }

  private async run(query: BoundQuery) {
    try {
      return await this.client.query({
        query: query.sql,
        query_params: query.params,
        format: 'JSONEachRow',
      });
    } catch (error) {
      const classified = classifyClickHouseError(error, { table: query.source });
      if (classified.retriable) {
        throw new HttpError(503, 'UNAVAILABLE', 'the cost store is busy; try again shortly');
      }
      throw classified;
    }
  }
}
