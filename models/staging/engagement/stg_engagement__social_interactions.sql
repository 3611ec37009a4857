{{ config(enabled=var('engagement_using_social_interactions', true)) }}

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
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        true as is_valid_value,
        cast(null as {{ dbt.type_timestamp() }}) as attended_at,
        {{ engagement_clean_type('network') }} as network
    from deduplicated
)

select * from final
