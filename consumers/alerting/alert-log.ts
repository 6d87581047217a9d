import type { ClickHouseClient } from '../../clickhouse/client.ts';
import type { CostAlert } from '../../schemas/cost-alert.ts';
import { insertRows, selectRows } from './store-rows.ts';

/** Ids per lookup: a bound Array(String) travels in the URL over HTTP. */
const LOOKUP_CHUNK = 1_000;

/**
 * The alerts raised so far, in the ClickHouse table `alert_log`, shared by
 * every instance: an alert whose id is here is not raised again. A small
 * in-process cache saves a query for alerts this process raised itself.
 */
export class AlertLog {
  private readonly known = new Set<string>();

  constructor(private readonly client: ClickHouseClient) {}

  /** The ids among `ids` that were raised already. */
  async raised(ids: string[]): Promise<Set<string>> {
    const found = new Set(ids.filter((id) => this.known.has(id)));
    const unknown = ids.filter((id) => !found.has(id));
    for (let start = 0; start < unknown.length; start += LOOKUP_CHUNK) {
      const chunk = unknown.slice(start, start + LOOKUP_CHUNK);
      const rows = await selectRows<{ alert_id: string }>(
        this.client,
        'alert_log',
        'SELECT DISTINCT alert_id FROM alert_log WHERE alert_id IN {ids:Array(String)}',
        { ids: chunk },
      );
      for (const row of rows) {
        found.add(row.alert_id);
        this.known.add(row.alert_id);
      }
    }
    return found;
  }

  /** Records alerts as raised; recording one twice is harmless (the table replaces by id). */
  async record(alerts: CostAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    const values = alerts.map((alert) => ({
      alert_id: alert.alertId,
      dedupe_key: alert.dedupeKey,
      type: alert.type,
      severity: alert.severity,
      scope: alert.scope,
      tenant_id: alert.tenantId ?? '',
      summary: alert.summary,
      raised_at: alert.raisedAt,
      alert: JSON.stringify(alert),
    }));
    await insertRows(this.client, 'alert_log', values);
    for (const alert of alerts) this.known.add(alert.alertId);
  }

  /**
   * The latest alerts, newest first (ties in id order, so that pages agree),
   * optionally of one tenant, one scope
   * (its canonical spelling, matched exactly) or one type. The filters are
   * conditions of the query, so a tenant's view never reads other rows.
   */
  async recent(filter: {
    limit: number;
    tenantId?: string;
    scope?: string;
    type?: string;
  }): Promise<CostAlert[]> {
    const rows = await selectRows<{ payload: string }>(
      this.client,
      'alert_log',
      `SELECT any(alert) AS payload, max(raised_at) AS at FROM alert_log
       WHERE ({filterTenant:UInt8} = 0 OR tenant_id = {tenant:String})
         AND ({filterScope:UInt8} = 0 OR scope = {scope:String})
         AND ({type:String} = '' OR type = {type:String})
       GROUP BY alert_id ORDER BY at DESC, alert_id LIMIT {limit:UInt32}`,
      {
        filterTenant: filter.tenantId === undefined ? 0 : 1,
        tenant: filter.tenantId ?? '',
        filterScope: filter.scope === undefined ? 0 : 1,
        scope: filter.scope ?? '',
        type: filter.type ?? '',
        limit: filter.limit,
      },
    );
    return rows.map((row) => JSON.parse(row.payload) as CostAlert);
  }
}
