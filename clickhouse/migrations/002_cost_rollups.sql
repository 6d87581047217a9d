-- Rollups of llm_calls by UTC day and by 15-minute bucket. Both sum on merge;
-- merges are eventual, so a query always reads them with sum() and GROUP BY.
-- Local days in any time zone are sums of 15-minute buckets, which is exact
-- for every offset in use (whole, half and quarter hours).
CREATE TABLE IF NOT EXISTS {{local:cost_daily}} {{on_cluster}}
(
    day Date,
    tenant_id LowCardinality(String),
    user_id String,
    provider LowCardinality(String),
    model LowCardinality(String),
    touchpoint LowCardinality(String),
    requests Int64,
    input_tokens Int64,
    cache_read_tokens Int64,
    cache_write_tokens Int64,
    cache_write_1h_tokens Int64,
    output_tokens Int64,
    reasoning_tokens Int64,
    audio_input_tokens Int64,
    audio_output_tokens Int64,
    cost_usd Decimal(38, 18),
    unpriced_requests Int64,
    unpriced_tokens Int64
)
ENGINE = {{engine:SummingMergeTree}}
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day, touchpoint, provider, model, user_id)
SETTINGS {{dedup_window}};

{{distributed:cost_daily:cityHash64(tenant_id)}};

CREATE MATERIALIZED VIEW IF NOT EXISTS cost_daily_mv {{on_cluster}} TO {{local:cost_daily}} AS
SELECT
    toDate(occurred_at) AS day,
    tenant_id, user_id, provider, model, touchpoint,
    sum(request_count) AS requests,
    sum(input_tokens) AS input_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_write_tokens) AS cache_write_tokens,
    sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
    sum(output_tokens) AS output_tokens,
    sum(reasoning_tokens) AS reasoning_tokens,
    sum(audio_input_tokens) AS audio_input_tokens,
    sum(audio_output_tokens) AS audio_output_tokens,
    sum(cost_usd) AS cost_usd,
    sum(unpriced_requests) AS unpriced_requests,
    sum(unpriced_tokens) AS unpriced_tokens
FROM {{local:llm_calls}}
GROUP BY day, tenant_id, user_id, provider, model, touchpoint;

CREATE TABLE IF NOT EXISTS {{local:cost_15m}} {{on_cluster}}
(
    bucket DateTime('UTC'),
    tenant_id LowCardinality(String),
    user_id String,
    provider LowCardinality(String),
    model LowCardinality(String),
    touchpoint LowCardinality(String),
    requests Int64,
    input_tokens Int64,
    cache_read_tokens Int64,
    cache_write_tokens Int64,
    cache_write_1h_tokens Int64,
    output_tokens Int64,
    reasoning_tokens Int64,
    audio_input_tokens Int64,
    audio_output_tokens Int64,
    cost_usd Decimal(38, 18),
    unpriced_requests Int64,
    unpriced_tokens Int64
)
ENGINE = {{engine:SummingMergeTree}}
PARTITION BY toYYYYMM(bucket)
ORDER BY (tenant_id, bucket, touchpoint, provider, model, user_id)
SETTINGS {{dedup_window}};

{{distributed:cost_15m:cityHash64(tenant_id)}};

CREATE MATERIALIZED VIEW IF NOT EXISTS cost_15m_mv {{on_cluster}} TO {{local:cost_15m}} AS
SELECT
    toStartOfFifteenMinutes(occurred_at) AS bucket,
    tenant_id, user_id, provider, model, touchpoint,
    sum(request_count) AS requests,
    sum(input_tokens) AS input_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_write_tokens) AS cache_write_tokens,
    sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
    sum(output_tokens) AS output_tokens,
    sum(reasoning_tokens) AS reasoning_tokens,
    sum(audio_input_tokens) AS audio_input_tokens,
    sum(audio_output_tokens) AS audio_output_tokens,
    sum(cost_usd) AS cost_usd,
    sum(unpriced_requests) AS unpriced_requests,
    sum(unpriced_tokens) AS unpriced_tokens
FROM {{local:llm_calls}}
GROUP BY bucket, tenant_id, user_id, provider, model, touchpoint;
