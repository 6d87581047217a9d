import type { ClickHouseClient } from '../../clickhouse/client.ts';

/**
 * Names whose offset has always been zero: their local days are UTC days,
 * which `cost_daily` holds already summed.
 */
const ALWAYS_UTC = new Set([
  'UTC',
  'Etc/UTC',
  'UCT',
  'Etc/UCT',
  'Universal',
  'Etc/Universal',
  'Zulu',
  'Etc/Zulu',
  'GMT',
  'Etc/GMT',
  'GMT0',
  'Etc/GMT0',
  'GMT+0',
  'Etc/GMT+0',
  'GMT-0',
  'Etc/GMT-0',
  'Greenwich',
  'Etc/Greenwich',
]);

/**
 * The IANA time zones of the ClickHouse that answers the queries: a zone is
 * valid when that engine can convert to it, whatever Node's ICU knows.
 * Names match case-insensitively and come back in the engine's spelling.
 */
export class TimeZones {
  private readonly byLowerCase: Map<string, string>;

  constructor(names: Iterable<string>) {
    this.byLowerCase = new Map([...names].map((name) => [name.toLowerCase(), name]));
  }

  /** Reads the zone list of the connected ClickHouse. */
  static async load(client: ClickHouseClient): Promise<TimeZones> {
    const result = await client.query({
      query: 'SELECT time_zone FROM system.time_zones ORDER BY time_zone',
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ time_zone: string }>();
    return new TimeZones(rows.map((row) => row.time_zone));
  }

  /** The engine's spelling of `name`, or undefined when it is not a zone. */
  canonical(name: string): string | undefined {
    return this.byLowerCase.get(name.toLowerCase());
  }

  names(): string[] {
    return [...this.byLowerCase.values()];
  }

  static isAlwaysUtc(zone: string): boolean {
    return ALWAYS_UTC.has(zone);
  }
}
