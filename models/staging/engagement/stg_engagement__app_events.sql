{{ config(enabled=var('engagement_using_app_events', true)) }}

with deduplicated as (
    {{ engagement_deduplicate_rows(
        source('engagement', 'app_events'),
        id_column='event_id',
        timestamp_column='occurred_at',
        other_columns=[
            'customer_id',
            'device_id',
            'platform',
            'event_type',
        ],
    ) }}
),

final as (
    select
        'app_events' as source_table,
        source_row_key,
        {{ engagement_clean_id('event_id') }} as source_id,
        {{ engagement_clean_text('customer_id') }} as customer_id,
        'app' as channel,
        {{ engagement_clean_type('event_type') }} as event_type,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        true as is_valid_value,
        cast(null as {{ dbt.type_timestamp() }}) as attended_at,
        {{ engagement_clean_text('device_id') }} as device_id,
        {{ engagement_clean_type('platform') }} as platform
    from deduplicated
)

select * from final
