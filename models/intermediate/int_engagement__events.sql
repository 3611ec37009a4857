{{ config(
    materialized=engagement_event_stream_materialization(),
    incremental_strategy='engagement_replace',
    unique_key=['source_table', 'source_row_key'],
    engagement_placeholder_column='event_type',
    on_schema_change='fail',
) }}

{#- The canonical event stream: one row per accepted event. An attended offline registration
    gives a second event, `attendance`, at midnight of the event day.
    Where it is an incremental table (the load-time path where the stream is a table), a run
    replaces the events of the validated rows checked since its last run. -#}
{%- set checked_since_last_run = engagement_checked_since_last_run(this) %}

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
    {%- if is_incremental() %}
        and {{ checked_since_last_run }}
    {%- endif %}
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
    {%- if is_incremental() %}
        and {{ checked_since_last_run }}
    {%- endif %}
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
{%- if is_incremental() %}

-- One key-only row per raw row checked (event_type null): engagement_replace deletes the events
-- the row gave before, also when it gives none now, and does not insert this row.
checked_keys as (
    select
        source_table,
        source_row_key
    from {{ ref('int_engagement__validated_rows') }}
    where {{ checked_since_last_run }}
),
{%- endif %}

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
        cast(1 as {{ dbt.type_numeric() }}) as quantity,
        {{ engagement_timestamp_literal(run_started_at) }} as computed_at
    from unioned
    {%- if is_incremental() %}
        union all
        select
            cast(null as {{ dbt.type_string() }}) as event_key,
            source_table,
            source_row_key,
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as {{ dbt.type_string() }}) as event_type,
            cast(null as {{ dbt.type_timestamp() }}) as occurred_at,
            cast(null as date) as event_date,
            cast(null as {{ dbt.type_string() }}) as session_id,
            cast(null as {{ dbt.type_numeric() }}) as quantity,
            {{ engagement_timestamp_literal(run_started_at) }} as computed_at
        from checked_keys
    {%- endif %}
)

select * from final
