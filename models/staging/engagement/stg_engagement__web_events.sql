{{ config(
    enabled=engagement_uses_table('web_events'),
    materialized=engagement_event_staging_materialization(),
) }}

with deduplicated as (
    {{ engagement_deduplicate_rows(
        source('engagement', 'web_events'),
        id_column='event_id',
        timestamp_column='occurred_at',
        other_columns=[
            'customer_id',
            'anonymous_id',
            'session_id',
            'event_type',
            'page_url',
        ],
        typed_columns={'occurred_at': 'timestamp'},
    ) }}
),

final as (
    select
        'web_events' as source_table,
        source_row_key,
        {{ engagement_clean_id('event_id') }} as source_id,
        {{ engagement_clean_text('customer_id') }} as customer_id,
        'web' as channel,
        {{ engagement_clean_type('event_type') }} as event_type,
        occurred_at_value as occurred_at,
        occurred_at_value is null and occurred_at_problem is null as is_missing_timestamp,
        occurred_at_problem as unreadable_detail,
        {{ engagement_missing_value_problem(engagement_clean_type('event_type'), 'event_type') }} as content_detail,
        cast(null as date) as attendance_date,
        loaded_at,
        {{ engagement_clean_text('anonymous_id') }} as anonymous_id,
        {{ engagement_clean_text('session_id') }} as session_id,
        cast(page_url as {{ dbt.type_string() }}) as page_url
    from deduplicated
)

select * from final
