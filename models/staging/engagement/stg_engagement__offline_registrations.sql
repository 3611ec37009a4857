{{ config(enabled=var('engagement_using_offline_registrations', true)) }}

with deduplicated as (
    {{ engagement_deduplicate_rows(
        source('engagement', 'offline_registrations'),
        id_column='registration_id',
        timestamp_column='registered_at',
        other_columns=[
            'customer_id',
            'event_name',
            'event_date',
            'attended',
        ],
    ) }}
),

final as (
    select
        'offline_registrations' as source_table,
        source_row_key,
        {{ engagement_clean_id('registration_id') }} as source_id,
        {{ engagement_clean_text('customer_id') }} as customer_id,
        'offline' as channel,
        'registration' as event_type,
        cast(registered_at as {{ dbt.type_timestamp() }}) as occurred_at,
        true as is_valid_value,
        -- Attendance counts at midnight of the event day, and only when it is known to be true.
        case
            when attended then cast(cast(event_date as date) as {{ dbt.type_timestamp() }})
        end as attended_at,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        cast(event_date as date) as event_date,
        cast(attended as {{ dbt.type_boolean() }}) as attended
    from deduplicated
)

select * from final
