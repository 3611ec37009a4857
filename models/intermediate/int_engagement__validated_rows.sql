{#- One row per deduplicated raw event row, from every enabled raw table, with the reason it is
    rejected (null when accepted) and what was wrong. The single place acceptance of events is
    decided. -#}
{%- set event_sources = engagement_event_sources() -%}
{%- if event_sources | length == 0 -%}
    {{ exceptions.raise_compiler_error("customer_engagement: every engagement_using_<table> var is false; enable at least one raw event table.") }}
{%- endif -%}
{%- set future_cutoff = engagement_future_cutoff() -%}
{%- set min_date = engagement_date_literal(engagement_min_event_date()) -%}
{#- An attendance counts at midnight of its event day, so that day must be one that can have
    happened: not before the earliest event date, not after the day the run started. -#}
{%- set last_event_day = engagement_date_literal(run_started_at.date()) -%}

with customers as (
    select customer_id from {{ ref('int_engagement__customers') }}
),

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
            case
                when attendance_date between {{ min_date }} and {{ last_event_day }}
                    then cast(attendance_date as {{ dbt.type_timestamp() }})
            end as attended_at,
            {#- Sessions need the tracker's id; carried here so nothing joins back to staging. #}
            {{ 'session_id' if event_source.table == 'web_events' else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
                as session_id
        from {{ ref('stg_engagement__' ~ event_source.table) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

validated as (
    select
        source_rows.source_table,
        source_rows.source_row_key,
        source_rows.source_id,
        source_rows.customer_id,
        source_rows.channel,
        source_rows.event_type,
        source_rows.occurred_at,
        source_rows.attended_at,
        source_rows.session_id,
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
        end as rejection_reason
    from source_rows
    left join customers
        on source_rows.customer_id = customers.customer_id
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
        end as rejection_detail
    from validated
)

select * from final
