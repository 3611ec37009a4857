{#- One row per web session of a known customer, built from accepted web events. The tracker's
    session_id is trusted as sent; events without one are split into sessions after
    engagement_session_timeout_minutes of inactivity (a gap exactly at the timeout stays in the
    session). Materialized: the derived scoring events and the metrics mart both read it. -#}
{{ config(materialized='table') }}
{%- set session_seconds = dbt.datediff('session_start_at', 'session_end_at', 'second') -%}

with web_events as (
    select
        event_key,
        source_row_key,
        customer_id,
        event_type,
        occurred_at
    from {{ ref('int_engagement__events') }}
    where source_table = 'web_events'
),

tracker_session_ids as (
    {{ engagement_staged_columns('web_events', {
        'source_row_key': dbt.type_string(),
        'session_id': dbt.type_string(),
    }) }}
),

web_events_with_session_id as (
    select
        web_events.event_key,
        web_events.customer_id,
        web_events.event_type,
        web_events.occurred_at,
        tracker_session_ids.session_id
    from web_events
    left join tracker_session_ids
        on web_events.source_row_key = tracker_session_ids.source_row_key
),

untracked_events_with_previous as (
    select
        event_key,
        customer_id,
        event_type,
        occurred_at,
        lag(occurred_at) over (
            partition by customer_id
            order by occurred_at, event_key
        ) as previous_occurred_at
    from web_events_with_session_id
    where session_id is null
),

untracked_events_flagged as (
    select
        event_key,
        customer_id,
        event_type,
        occurred_at,
        case
            when previous_occurred_at is null then 1
            when {{ dbt.datediff('previous_occurred_at', 'occurred_at', 'second') }}
                > {{ engagement_session_timeout_seconds() }} then 1
            else 0
        end as starts_session
    from untracked_events_with_previous
),

untracked_events_numbered as (
    select
        customer_id,
        event_type,
        occurred_at,
        sum(starts_session) over (
            partition by customer_id
            order by occurred_at, event_key
            rows between unbounded preceding and current row
        ) as session_number
    from untracked_events_flagged
),

sessionized_events as (
    select
        {{ dbt.concat(['customer_id', "'|tracker|'", 'session_id']) }} as session_key,
        customer_id,
        session_id,
        event_type,
        occurred_at
    from web_events_with_session_id
    where session_id is not null

    union all

    select
        {{ dbt.concat(['customer_id', "'|inactivity|'", 'cast(session_number as ' ~ dbt.type_string() ~ ')']) }}
            as session_key,
        customer_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        event_type,
        occurred_at
    from untracked_events_numbered
),

sessions as (
    select
        session_key,
        customer_id,
        max(session_id) as session_id,
        min(occurred_at) as session_start_at,
        max(occurred_at) as session_end_at,
        count(*) as web_events,
        sum(case when event_type = 'page_view' then 1 else 0 end) as page_views,
        sum(case when event_type = 'click' then 1 else 0 end) as clicks
    from sessionized_events
    group by session_key, customer_id
),

final as (
    select
        session_key,
        customer_id,
        session_id,
        session_start_at,
        session_end_at,
        cast(session_start_at as date) as session_date,
        cast(web_events as {{ dbt.type_bigint() }}) as web_events,
        cast(page_views as {{ dbt.type_bigint() }}) as page_views,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast({{ session_seconds }} as {{ dbt.type_bigint() }}) as duration_seconds,
        {{ engagement_ratio(session_seconds, '60') }} as duration_minutes,
        page_views = 1 and web_events = 1 as is_bounce
    from sessions
)

select
    session_key,
    customer_id,
    session_id,
    session_start_at,
    session_end_at,
    session_date,
    web_events,
    page_views,
    clicks,
    duration_seconds,
    duration_minutes,
    is_bounce
from final
