{{ config(
    enabled=engagement_uses_table('social_interactions'),
    materialized=engagement_event_staging_materialization(),
) }}

with deduplicated as (
    {{ engagement_deduplicate_rows(
        source('engagement', 'social_interactions'),
        id_column='interaction_id',
        timestamp_column='occurred_at',
        other_columns=[
            'customer_id',
            'network',
            'interaction_type',
        ],
        typed_columns={'occurred_at': 'timestamp'},
    ) }}
),

final as (
    select
        'social_interactions' as source_table,
        source_row_key,
        {{ engagement_clean_id('interaction_id') }} as source_id,
        {{ engagement_clean_text('customer_id') }} as customer_id,
        'social' as channel,
        {{ engagement_clean_type('interaction_type') }} as event_type,
        occurred_at_value as occurred_at,
        occurred_at_value is null and occurred_at_problem is null as is_missing_timestamp,
        occurred_at_problem as unreadable_detail,
        {{ engagement_missing_value_problem(engagement_clean_type('interaction_type'), 'interaction_type') }}
            as content_detail,
        cast(null as date) as attendance_date,
        loaded_at,
        {{ engagement_clean_type('network') }} as network
    from deduplicated
)

select * from final
