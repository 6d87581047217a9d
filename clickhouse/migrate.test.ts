import { describe, expect, it } from 'vitest';
import { readMigrations, renderMigration, splitStatements } from './migrate.ts';

describe('migrations', () => {
  it('have distinct, increasing numbers', () => {
    const versions = readMigrations().map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('render for a single node: plain engines, local dedup window, the retention', () => {
    const sql = renderMigration(readMigrations()[0]!.sql, { retentionDays: 30 });
    expect(sql).toContain('ENGINE = MergeTree');
    expect(sql).toContain('non_replicated_deduplication_window = 1000');
    expect(sql).toContain('INTERVAL 30 DAY');
    expect(sql).not.toMatch(/\{\{|ON CLUSTER/);
  });

  it('render for a cluster: ON CLUSTER and Replicated engines', () => {
    const sql = renderMigration(readMigrations()[1]!.sql, { retentionDays: 90, cluster: 'prod' });
    expect(sql).toContain("CREATE TABLE IF NOT EXISTS cost_daily ON CLUSTER 'prod'");
    expect(sql).toContain('ENGINE = ReplicatedSummingMergeTree');
    expect(sql).toContain('replicated_deduplication_window = 1000');
  });

  it('refuse a cluster name that is not an identifier', () => {
    expect(() => renderMigration('x', { retentionDays: 1, cluster: "a'; DROP" })).toThrow(
      /CLICKHOUSE_CLUSTER/,
    );
  });

  it('split into statements without comments', () => {
    const rendered = renderMigration(readMigrations()[1]!.sql, { retentionDays: 90 });
    const statements = splitStatements(rendered);
    expect(statements).toHaveLength(4);
    expect(statements.every((s) => !s.startsWith('--'))).toBe(true);
  });
});

describe('migrations on a cluster', () => {
  const statements = readMigrations().flatMap((m) =>
    splitStatements(renderMigration(m.sql, { retentionDays: 90, cluster: 'prod' })),
  );

  it('store every table on each shard, Replicated, with a Distributed table in front', () => {
    for (const table of ['llm_calls', 'stored_call_ids', 'cost_daily', 'cost_15m']) {
      const local = statements.find((s) =>
        s.startsWith(`CREATE TABLE IF NOT EXISTS ${table}_local `),
      );
      expect(local).toMatch(/ON CLUSTER 'prod'/);
      expect(local).toMatch(/ENGINE = Replicated\w*MergeTree/);
      expect(local).toMatch(/replicated_deduplication_window = 1000/);
      const front = statements.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${table} `));
      expect(front).toBe(
        `CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER 'prod' AS ${table}_local ` +
          `ENGINE = Distributed('prod', currentDatabase(), ${table}_local, ` +
          `${table === 'stored_call_ids' ? 'cityHash64(event_id)' : 'cityHash64(tenant_id)'})`,
      );
    }
  });

  it('have views that read and write the local tables of their own shard', () => {
    const views = statements.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views).toHaveLength(4);
    for (const view of views) {
      expect(view).toMatch(/ON CLUSTER 'prod' TO \w+_local AS/);
      expect(view).toMatch(/FROM llm_calls_local/);
    }
  });

  it('leave no placeholder and no Distributed table on a single node', () => {
    const single = readMigrations().flatMap((m) =>
      splitStatements(renderMigration(m.sql, { retentionDays: 90 })),
    );
    expect(single.join('\n')).not.toMatch(/\{\{|_local|Distributed|ON CLUSTER/);
  });
});
