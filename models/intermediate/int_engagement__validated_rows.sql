{{ config(
    materialized=engagement_validated_rows_materialization(),
    unique_key=['source_table', 'source_row_key'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

{#- One row per deduplicated raw event row, from every enabled raw table, with the reason it is
    rejected (null when accepted) and what was wrong. The single place acceptance of events is
    decided.
    On the load-time path an incremental run checks again the rows staged since its last run and
    the rows whose outcome can change without a new load: future timestamps, rows of an unknown
    customer now in customers, accepted (or invalid) rows of a customer no longer there,
    attendances whose day has now come, and rows checked under another engagement_min_event_date.
    Nothing else the checks read changes between runs. -#}
{%- set event_sources = engagement_event_sources() -%}
{%- if event_sources | length == 0 -%}
    {{ exceptions.raise_compiler_error("customer_engagement: every engagement_using_<table> var is false; enable at least one raw event table.") }}
{%- endif -%}
{%- set checked_tables = [] -%}
{%- if is_incremental() -%}
    {%- set checked_tables = run_query('select distinct source_table from ' ~ this).columns[0].values() | list -%}
    {%- set enabled_tables = event_sources | map(attribute='table') | list -%}
    {%- for table in checked_tables if table not in enabled_tables -%}
        {#- Its rows cannot be taken out by replacing rows by key; a full refresh drops them. -#}
        {{ exceptions.raise_compiler_error("customer_engagement: " ~ this ~ " holds rows of " ~ table
            ~ ", which engagement_using_" ~ table ~ " now leaves out; rebuild it and what it feeds with"
            ~ " `dbt build --full-refresh --select int_engagement__validated_rows+`.") }}
    {%- endfor -%}
{%- endif -%}
{%- set future_cutoff = engagement_future_cutoff() -%}
{%- set min_date = engagement_date_literal(engagement_min_event_date()) -%}
{#- An attendance counts at midnight of its event day, so that day must be one that can have
    happened: not before the earliest event date, not after the day the run started. -#}
{%- set possible_days = 'between ' ~ min_date ~ ' and ' ~ engagement_date_literal(run_started_at.date()) -%}

-- Inlined: held, PostgreSQL plans its joins without statistics and hashed the rows held (9.8M at
-- 10M events) rather than the customers.
with customers as {{ engagement_inlined_cte() }} (
    select customer_id from {{ ref('int_engagement__customers') }}
),
{%- if is_incremental() %}

rechecked_rows as (
    select
        checked.source_table as rechecked_table,
        checked.source_row_key as rechecked_key
    from {{ this }} as checked
    left join customers
        on checked.customer_id = customers.customer_id
    where
        -- A future timestamp's detail names the run's cutoff, so it is written again every run.
        checked.rejection_reason = 'future_timestamp'
        or (checked.rejection_reason = 'unknown_customer' and customers.customer_id is not null)
        or (
            (checked.rejection_reason is null or checked.rejection_reason = 'invalid_value')
            and customers.customer_id is null
        )
        or (
            checked.attended_at is null
            and checked.attendance_date {{ possible_days }}
        )
        or checked.min_event_date <> {{ min_date }}
),

-- Read once for all the raw tables, not once per table.
load_watermark as (
    select {{ engagement_load_watermark(this) }} as watermark
),
{%- endif %}

source_rows as (
    {%- for event_source in event_sources %}
        select
            source_table,
            source_row_key,
            source_id,
            customer_id,
            channel,
            event_type,
            occurred_at,
            is_missing_timestamp,
            {#- Checks that depend on vars are made here, so staging depends on the raw rows
                alone and can be built incrementally; the first problem is named, in the order
                unreadable value, early timestamp, other content. #}
            coalesce(
                unreadable_detail,
                {{ engagement_early_timestamp_problem('occurred_at', event_source.timestamp_column) }},
                content_detail
            ) as invalid_value_detail,
            {%- if event_source.table == 'offline_registrations' %}
                attendance_date,
                case
                    when attendance_date {{ possible_days }}
                        then cast(attendance_date as {{ dbt.type_timestamp() }})
                end as attended_at,
            {%- else %}
                cast(null as date) as attendance_date,
                cast(null as {{ dbt.type_timestamp() }}) as attended_at,
            {%- endif %}
            {#- Sessions need the tracker's id; carried here so nothing joins back to staging. #}
            {{ 'session_id' if event_source.table == 'web_events' else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
                as session_id,
            loaded_at
        from {{ ref('stg_engagement__' ~ event_source.table) }}
        {%- if event_source.table in checked_tables %}
            cross join load_watermark
            left join rechecked_rows
                on
                    rechecked_rows.rechecked_table = '{{ event_source.table }}'
                    and source_row_key = rechecked_rows.rechecked_key
            where
                {{ engagement_is_newly_loaded('loaded_at', 'load_watermark.watermark') }}
                or rechecked_rows.rechecked_key is not null
        {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

{%- if is_incremental() %}

-- What each rewritten key's row counted for before this run, when it was accepted: the daily
-- points rebuild those customer-days too (a copy with another timestamp or customer can replace
-- the row kept for a key). Only the keys rewritten are looked up: joined to every row held, the
-- engine built a hash table of the whole table and ran out of memory at 100M rows.
previous_rows as (
    select
        held.source_table,
        held.source_row_key,
        held.customer_id as previous_customer_id,
        cast(held.occurred_at as date) as previous_event_date,
        cast(held.attended_at as date) as previous_attendance_date
    from {{ this }} as held
    where
        held.rejection_reason is null
        and exists (
            select 1
            from source_rows
            where
                source_rows.source_table = held.source_table
                and source_rows.source_row_key = held.source_row_key
        )
),
{%- endif %}

validated as (
    select
        source_rows.source_table,
        source_rows.source_row_key,
        source_rows.source_id,
        source_rows.customer_id,
        source_rows.channel,
        source_rows.event_type,
        source_rows.occurred_at,
        source_rows.attendance_date,
        source_rows.attended_at,
        source_rows.session_id,
        source_rows.loaded_at,
        source_rows.invalid_value_detail,
        -- First matching reason wins; web rows without a customer are anonymous traffic.
        case
            when source_rows.customer_id is null and source_rows.channel = 'web' then 'anonymous'
            when source_rows.customer_id is null then 'missing_customer_id'
            when source_rows.is_missing_timestamp then 'missing_timestamp'
            when source_rows.occurred_at > {{ engagement_timestamp_literal(future_cutoff) }}
                then 'future_timestamp'
            when customers.customer_id is null then 'unknown_customer'
            when source_rows.invalid_value_detail is not null then 'invalid_value'
        end as rejection_reason,
        {%- if is_incremental() %}
            previous_rows.previous_customer_id,
            previous_rows.previous_event_date,
            previous_rows.previous_attendance_date
        {%- else %}
            cast(null as {{ dbt.type_string() }}) as previous_customer_id,
            cast(null as date) as previous_event_date,
            cast(null as date) as previous_attendance_date
        {%- endif %}
    from source_rows
    left join customers
        on source_rows.customer_id = customers.customer_id
    {%- if is_incremental() %}
        left join previous_rows
            on
                source_rows.source_table = previous_rows.source_table
                and source_rows.source_row_key = previous_rows.source_row_key
    {%- endif %}
),

final as (
    select
        source_table,
        source_row_key,
        source_id,
        customer_id,
        channel,
        event_type,
        occurred_at,
        attendance_date,
        attended_at,
        session_id,
        rejection_reason,
        case rejection_reason
            when 'anonymous' then 'customer_id is missing (an anonymous visitor)'
            when 'missing_customer_id' then 'customer_id is missing'
            when 'missing_timestamp' then 'the timestamp is missing'
            when 'future_timestamp'
                then {{ dbt.concat([
                    "'the timestamp '",
                    'cast(occurred_at as ' ~ dbt.type_string() ~ ')',
                    engagement_string_literal(' is after ' ~ future_cutoff ~ ' (a day after the run started)'),
                ]) }}
            when 'unknown_customer'
                then {{ dbt.concat(["'customer_id '''", 'substring(customer_id, 1, 60)', "''' is not in customers'"]) }}
            when 'invalid_value' then invalid_value_detail
        end as rejection_detail,
        loaded_at,
        {{ min_date }} as min_event_date,
        {{ engagement_timestamp_literal(run_started_at) }} as validated_at,
        previous_customer_id,
        previous_event_date,
        previous_attendance_date
    from validated
)

select * from final
