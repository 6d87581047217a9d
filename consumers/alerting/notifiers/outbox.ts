import type { ClickHouseClient } from '../../../clickhouse/client.ts';
import type { CostAlert } from '../../../schemas/cost-alert.ts';
import type { ChannelName } from './channel.ts';
import { insertRows, selectRows } from '../store-rows.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One alert on its way to one channel. */
export interface Delivery {
  alert: CostAlert;
  channel: ChannelName;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string;
}

/** A delivery's latest version; aliases differ from column names, as older ClickHouse needs. */
interface DeliveryRow {
  alert_id: string;
  channel: ChannelName;
  latest_status: DeliveryStatus;
  latest_attempts: number;
  latest_next_attempt_at: string;
  latest_error: string;
  latest_alert: string;
}

const LATEST = `alert_id, channel,
  argMax(status, version) AS latest_status, argMax(attempts, version) AS latest_attempts,
  toUnixTimestamp64Milli(argMax(next_attempt_at, version)) AS latest_next_attempt_at,
  argMax(last_error, version) AS latest_error, argMax(alert, version) AS latest_alert`;

const LOOKUP_CHUNK = 1_000;

/**
 * The durable record of deliveries, in the ClickHouse table
 * `alert_deliveries`: an alert is written here, per channel, before the
 * offset that carried it is committed, so a crash loses no delivery; each
 * attempt writes a new version of the row. `owner` and `lease_until` keep
 * two instances from working on the same pending delivery while its owner
 * is alive.
 */
export class DeliveryOutbox {
  private version = 0;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** The ids among `alertIds` that have deliveries already. */
  async known(alertIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let start = 0; start < alertIds.length; start += LOOKUP_CHUNK) {
      const rows = await selectRows<{ alert_id: string }>(
        this.client,
        'alert_deliveries',
        'SELECT DISTINCT alert_id FROM alert_deliveries WHERE alert_id IN {ids:Array(String)}',
        { ids: alertIds.slice(start, start + LOOKUP_CHUNK) },
      );
      for (const row of rows) found.add(row.alert_id);
    }
    return found;
  }

  /** Writes the current state of deliveries, leased to this instance until their next attempt. */
  async save(deliveries: Delivery[], now = Date.now()): Promise<void> {
    if (deliveries.length === 0) return;
    const values = deliveries.map((delivery) => ({
      alert_id: delivery.alert.alertId,
      channel: delivery.channel,
      status: delivery.status,
      attempts: delivery.attempts,
      next_attempt_at: delivery.nextAttemptAt,
      owner: this.owner,
      lease_until: Math.max(now, delivery.nextAttemptAt) + this.leaseMs,
      last_error: delivery.lastError.slice(0, 1_000),
      alert: JSON.stringify(delivery.alert),
      version: this.nextVersion(now),
      updated_at: now,
    }));
    await insertRows(this.client, 'alert_deliveries', values);
  }

  /** Pending deliveries this instance may work on: its own, or others' whose lease ran out. */
  async pending(now = Date.now(), limit = 500): Promise<Delivery[]> {
    const rows = await selectRows<DeliveryRow>(
      this.client,
      'alert_deliveries',
      `SELECT ${LATEST}
       FROM alert_deliveries
       GROUP BY alert_id, channel
       HAVING latest_status = 'pending'
          AND (argMax(owner, version) = {owner:String}
               OR argMax(lease_until, version) < fromUnixTimestamp64Milli({now:Int64}, 'UTC'))
       ORDER BY latest_next_attempt_at LIMIT {limit:UInt32}`,
      { owner: this.owner, now, limit },
    );
    return rows.map(toDelivery);
  }

  /** Deliveries that gave up, newest first, for operators. */
  async failed(limit = 100): Promise<Delivery[]> {
    const rows = await selectRows<DeliveryRow>(
      this.client,
      'alert_deliveries',
      `SELECT ${LATEST}, max(updated_at) AS at
       FROM alert_deliveries GROUP BY alert_id, channel HAVING latest_status = 'failed'
       ORDER BY at DESC LIMIT {limit:UInt32}`,
      { limit },
    );
    return rows.map(toDelivery);
  }

  /** Versions grow within a process even when two writes share a millisecond. */
  private nextVersion(now: number): number {
    this.version = Math.max(this.version + 1, now * 1_000);
    return this.version;
  }
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    alert: JSON.parse(row.latest_alert) as CostAlert,
    channel: row.channel,
    status: row.latest_status,
    attempts: Number(row.latest_attempts),
    nextAttemptAt: Number(row.latest_next_attempt_at),
    lastError: row.latest_error,
  };
}
