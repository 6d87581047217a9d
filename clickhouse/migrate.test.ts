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
    const statements = splitStatements(readMigrations()[1]!.sql);
    expect(statements).toHaveLength(4);
    expect(statements.every((s) => !s.startsWith('--'))).toBe(true);
  });
});
