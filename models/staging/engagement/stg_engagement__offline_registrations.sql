{{ config(
    enabled=engagement_uses_table('offline_registrations'),
    materialized=engagement_event_staging_materialization(),
) }}

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
        typed_columns={'registered_at': 'timestamp', 'event_date': 'date', 'attended': 'boolean'},
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
        registered_at_value as occurred_at,
        registered_at_value is null and registered_at_problem is null as is_missing_timestamp,
        {{ engagement_first_problem([
            'registered_at_problem',
            'event_date_problem',
            'attended_problem',
        ]) }} as unreadable_detail,
        cast(null as {{ dbt.type_string() }}) as content_detail,
        case when attended_value then event_date_value end as attendance_date,
        loaded_at,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        event_date_value as event_date,
        attended_value as attended
    from deduplicated
)

select * from final
