{{ config(enabled=var('engagement_using_product_events', true)) }}

with deduplicated as (
    {{ engagement_deduplicate_rows(
        source('engagement', 'product_events'),
        id_column='event_id',
        timestamp_column='occurred_at',
        other_columns=[
            'customer_id',
            'event_type',
        ],
    ) }}
),

final as (
    select
        'product_events' as source_table,
        source_row_key,
        {{ engagement_clean_id('event_id') }} as source_id,
        {{ engagement_clean_text('customer_id') }} as customer_id,
        'product' as channel,
        {{ engagement_clean_type('event_type') }} as event_type,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        true as is_valid_value,
        cast(null as {{ dbt.type_timestamp() }}) as attended_at
    from deduplicated
)

select * from final
