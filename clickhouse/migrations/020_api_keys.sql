-- Tenant API keys (llmcost keys create). Only the SHA-256 digest of a key is
-- stored; the key itself is shown once, when it is created. A revocation is a
-- newer version of the same key_id, so readers take argMax(…, version).
CREATE TABLE IF NOT EXISTS {{local:api_keys}} {{on_cluster}}
(
    key_id String,
    tenant_id String,
    digest String,
    grants Array(String),
    label String,
    created_at DateTime64(3, 'UTC'),
    revoked_at Nullable(DateTime64(3, 'UTC')),
    version UInt64
)
ENGINE = {{engine:ReplacingMergeTree}}(version)
ORDER BY key_id;

{{distributed:api_keys:cityHash64(key_id)}};
