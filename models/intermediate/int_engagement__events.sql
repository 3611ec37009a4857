{{ config(materialized=engagement_event_stream_materialization()) }}

{#- The canonical event stream: one row per accepted event. An attended offline registration
    gives a second event, `attendance`, at midnight of the event day. -#}
with accepted_rows as (
    select
        source_table,
        source_row_key,
        customer_id,
        channel,
        event_type,
        occurred_at,
        session_id
    from {{ ref('int_engagement__validated_rows') }}
    where rejection_reason is null
),

-- Read apart from accepted_rows, not from it: a CTE read twice is computed in full and held
-- (DuckDB, PostgreSQL), and the registrations are a small slice of the rows.
attended_registrations as (
    select
        source_table,
        source_row_key,
        customer_id,
        channel,
        attended_at
    from {{ ref('int_engagement__validated_rows') }}
    where
        source_table = 'offline_registrations'
        and rejection_reason is null
        and attended_at is not null
),

row_events as (
    select
        {{ dbt.concat(['source_table', "':'", 'source_row_key']) }} as event_key,
        source_table,
        source_row_key,
        customer_id,
        channel,
        event_type,
        occurred_at,
        session_id
    from accepted_rows
),

attendance_events as (
    select
        {{ dbt.concat(['source_table', "':'", 'source_row_key', "':attendance'"]) }} as event_key,
        source_table,
        source_row_key,
        customer_id,
        channel,
        'attendance' as event_type,
        attended_at as occurred_at,
        cast(null as {{ dbt.type_string() }}) as session_id
    from attended_registrations
),

unioned as (
    select * from row_events
    union all
    select * from attendance_events
),

final as (
    select
        event_key,
        source_table,
        source_row_key,
        customer_id,
        channel,
        event_type,
        occurred_at,
        cast(occurred_at as date) as event_date,
        session_id,
        -- Raw events count one unit each; derived events (sessions, minutes) carry their own.
        cast(1 as {{ dbt.type_numeric() }}) as quantity
    from unioned
)

select * from final
