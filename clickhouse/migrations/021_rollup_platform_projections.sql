-- Platform-wide questions (all tenants, grouped by time, provider, model or
-- touchpoint) would read every row of the rollups, which are ordered by
-- tenant first. These aggregate projections hold the same sums without the
-- tenant and user, so ClickHouse answers such questions from a few rows per
-- bucket; it picks them by itself, and the sums are the same either way.
-- Rollups merge rows, so a merged part rebuilds its projection
-- (deduplicate_merge_projection_mode, ClickHouse 24.8 and later).
ALTER TABLE {{local:cost_15m}} {{on_cluster}}
    MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild';

ALTER TABLE {{local:cost_15m}} {{on_cluster}} ADD PROJECTION IF NOT EXISTS platform_totals
(
    SELECT bucket, provider, model, touchpoint,
        sum(requests), sum(input_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
        sum(cache_write_1h_tokens), sum(output_tokens), sum(reasoning_tokens),
        sum(audio_input_tokens), sum(audio_output_tokens), sum(cost_usd),
        sum(unpriced_requests), sum(unpriced_tokens)
    GROUP BY bucket, provider, model, touchpoint
);

-- Parts written before this migration get the projection in the background;
-- until then ClickHouse reads them as they are.
ALTER TABLE {{local:cost_15m}} {{on_cluster}} MATERIALIZE PROJECTION platform_totals;

ALTER TABLE {{local:cost_daily}} {{on_cluster}}
    MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild';

ALTER TABLE {{local:cost_daily}} {{on_cluster}} ADD PROJECTION IF NOT EXISTS platform_totals
(
    SELECT day, provider, model, touchpoint,
        sum(requests), sum(input_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
        sum(cache_write_1h_tokens), sum(output_tokens), sum(reasoning_tokens),
        sum(audio_input_tokens), sum(audio_output_tokens), sum(cost_usd),
        sum(unpriced_requests), sum(unpriced_tokens)
    GROUP BY day, provider, model, touchpoint
);

ALTER TABLE {{local:cost_daily}} {{on_cluster}} MATERIALIZE PROJECTION platform_totals;
