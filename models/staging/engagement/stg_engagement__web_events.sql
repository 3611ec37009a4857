{{ config(enabled=var('engagement_using_web_events', true)) }}

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
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        true as is_valid_value,
        cast(null as {{ dbt.type_timestamp() }}) as attended_at,
        {{ engagement_clean_text('anonymous_id') }} as anonymous_id,
        {{ engagement_clean_text('session_id') }} as session_id,
        cast(page_url as {{ dbt.type_string() }}) as page_url
    from deduplicated
)

select * from final
