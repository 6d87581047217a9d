-- The event ids already stored, for the pricing consumer's question "which of
-- these ids exist?" before each insert. It replaces llm_call_ids, whose
-- granules of 8192 rows meant that a few thousand random ids touched nearly
-- every granule, so each check read most of the table and slowed as it grew.
-- Granules of 256 rows bound a check to about 256 rows read per id asked,
-- whatever the table's size.
CREATE TABLE IF NOT EXISTS {{local:stored_call_ids}} {{on_cluster}}
(
    event_id String,
    occurred_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:MergeTree}}
ORDER BY event_id
TTL toDateTime(occurred_at) + INTERVAL {{retention_days}} DAY
SETTINGS index_granularity = 256, {{dedup_window}};

{{distributed:stored_call_ids:cityHash64(event_id)}};

CREATE MATERIALIZED VIEW IF NOT EXISTS stored_call_ids_mv
{{on_cluster}} TO {{local:stored_call_ids}} AS
SELECT event_id, occurred_at FROM {{local:llm_calls}};

-- Ids stored before this migration. Ids that arrive meanwhile may land twice;
-- the check only asks whether an id is there.
INSERT INTO stored_call_ids SELECT event_id, occurred_at FROM llm_call_ids;

DROP VIEW IF EXISTS llm_call_ids_mv {{on_cluster}};

DROP TABLE IF EXISTS llm_call_ids {{on_cluster}};

DROP TABLE IF EXISTS {{local:llm_call_ids}} {{on_cluster}};
