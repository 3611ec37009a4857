{{ config(
    materialized=engagement_replace_materialization(),
    incremental_strategy='engagement_replace',
    unique_key=['session_key'],
    engagement_placeholder_column='session_start_at',
    on_schema_change='fail',
) }}

{#- One row per web session of a known customer, built from accepted web events up to the end of
    score_date (the steps are in macros/engagement_points.sql, shared with the score mart): events
    after score_date do not count, so a session still going on at midnight ends there. The history
    scores earlier dates too: int_engagement__open_session_points holds what such sessions were
    worth on those. Materialized: the metrics mart and the derived events of the daily points both
    read it.
    On the load-time path an incremental run rebuilds, per customer, only the sessions that can
    have changed since its last run: from the first time a change touches (a validated row checked
    since then, where it counts now and where it counted before; an event the last run's score
    date left out; a session past this run's score date; another session timeout). -#}
{%- set validated_rows = ref('int_engagement__validated_rows') -%}
{%- set score_date = engagement_score_date() -%}
{%- set timeout_seconds = engagement_session_timeout_seconds() -%}
{%- set day_after_score_date = modules.datetime.datetime(score_date.year, score_date.month, score_date.day)
    + modules.datetime.timedelta(days=1) %}

-- Inlined: each reader filters or joins the event stream its own way, and held whole it was 50M
-- rows at 100M events.
with web_events as {{ engagement_inlined_cte() }} (
    select
        customer_id,
        event_type,
        event_date,
        occurred_at,
        session_id
    from {{ ref('int_engagement__events') }}
    where channel = 'web' and event_date <= {{ engagement_date_literal(score_date) }}
),
{%- if is_incremental() %}

held as (
    select
        session_key,
        customer_id,
        session_id,
        session_start_at,
        session_end_at,
        session_timeout_seconds
    from {{ this }}
),

checked_rows as (
    select
        customer_id,
        occurred_at,
        session_id,
        rejection_reason,
        previous_customer_id,
        previous_event_date
    from {{ validated_rows }}
    where channel = 'web' and {{ engagement_checked_since_last_run(this) }}
),

-- Each customer's sessions can change from the earliest of these times on.
changes as (
    select
        customer_id,
        occurred_at as changed_at,
        session_id
    from checked_rows
    where
        rejection_reason is null
        and cast(occurred_at as date) <= {{ engagement_date_literal(score_date) }}
    union all
    -- The row a rewritten key had before: its day is all that is kept of it.
    select
        previous_customer_id as customer_id,
        cast(previous_event_date as {{ dbt.type_timestamp() }}) as changed_at,
        cast(null as {{ dbt.type_string() }}) as session_id
    from checked_rows
    where previous_customer_id is not null
    union all
    -- Events the last run's score date left out: every event it counted lies in a session, so
    -- none lies after the last day a held session reaches (every event, when none is held).
    select
        customer_id,
        occurred_at as changed_at,
        session_id
    from web_events
    where coalesce(event_date > (select max(cast(session_end_at as date)) from held), true)
    union all
    -- Sessions reaching past this run's score date (it moved back) lose those events.
    select
        customer_id,
        session_start_at as changed_at,
        cast(null as {{ dbt.type_string() }}) as session_id
    from held
    where session_end_at >= {{ engagement_timestamp_literal(day_after_score_date) }}
    union all
    -- Sessions split after another timeout: the customer's sessions are all built again, from
    -- the first one held (every event counted lies in one).
    select
        customer_id,
        session_start_at as changed_at,
        cast(null as {{ dbt.type_string() }}) as session_id
    from held
    where session_timeout_seconds <> {{ timeout_seconds }}
),

changed_customers as (
    select
        customer_id,
        min(changed_at) as changed_at
    from changes
    group by customer_id
),

held_untracked as (
    select
        session_key,
        customer_id,
        session_start_at,
        session_end_at
    from held
    where session_id is null
),

-- An untracked session that ends more than one timeout before the customer's first change keeps
-- its events, and the gap after it stays longer than the timeout: the sessions are built again
-- from the first one that ends later, or from the change itself.
untracked_cuts as (
    select
        changed_customers.customer_id,
        min(
            case
                when held_untracked.session_start_at < changed_customers.changed_at
                    then held_untracked.session_start_at
                else changed_customers.changed_at
            end
        ) as cut_at
    from changed_customers
    left join held_untracked
        on
            changed_customers.customer_id = held_untracked.customer_id
            and held_untracked.session_end_at
            >= {{ dbt.dateadd('second', -timeout_seconds, 'changed_customers.changed_at') }}
    group by changed_customers.customer_id
),

-- The untracked sessions kept are numbered 1..n: the rebuilt ones go on from n.
session_number_offsets as (
    select
        untracked_cuts.customer_id,
        count(held_untracked.session_key) as session_number_offset
    from untracked_cuts
    left join held_untracked
        on
            untracked_cuts.customer_id = held_untracked.customer_id
            and held_untracked.session_start_at < untracked_cuts.cut_at
    group by untracked_cuts.customer_id
),

-- A tracker session is one id however far apart its events lie: one that reaches the first
-- change, or whose id a change carries, is built again from all its events.
rebuilt_tracker_sessions as (
    select
        held.customer_id,
        held.session_id
    from held
    inner join changed_customers
        on held.customer_id = changed_customers.customer_id
    where held.session_id is not null and held.session_end_at >= changed_customers.changed_at
    union
    select
        customer_id,
        session_id
    from changes
    where session_id is not null
),

replaced_sessions as (
    select held_untracked.session_key
    from held_untracked
    inner join untracked_cuts
        on held_untracked.customer_id = untracked_cuts.customer_id
    where held_untracked.session_start_at >= untracked_cuts.cut_at
    union all
    select held.session_key
    from held
    inner join rebuilt_tracker_sessions
        on
            held.customer_id = rebuilt_tracker_sessions.customer_id
            and held.session_id = rebuilt_tracker_sessions.session_id
),

rebuilt_web_events as (
    select
        web_events.customer_id,
        web_events.event_type,
        web_events.occurred_at,
        web_events.session_id
    from web_events
    inner join untracked_cuts
        on web_events.customer_id = untracked_cuts.customer_id
    where web_events.session_id is null and web_events.occurred_at >= untracked_cuts.cut_at
    union all
    select
        web_events.customer_id,
        web_events.event_type,
        web_events.occurred_at,
        web_events.session_id
    from web_events
    inner join rebuilt_tracker_sessions
        on
            web_events.customer_id = rebuilt_tracker_sessions.customer_id
            and web_events.session_id = rebuilt_tracker_sessions.session_id
),
{%- endif %}

web_sessions as (
    {%- if is_incremental() %}
        {{ engagement_web_sessions('rebuilt_web_events', 'session_number_offsets') | indent(4) }}
    {%- else %}
        {{ engagement_web_sessions('web_events') | indent(4) }}
    {%- endif %}
),

final as (
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
    from web_sessions
    {%- if is_incremental() %}
        -- One key-only row per session held that is built again: engagement_replace deletes it,
        -- also when it is gone now, and does not insert this row.
        union all
        select
            session_key,
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as {{ dbt.type_string() }}) as session_id,
            cast(null as {{ dbt.type_timestamp() }}) as session_start_at,
            cast(null as {{ dbt.type_timestamp() }}) as session_end_at,
            cast(null as date) as session_date,
            cast(null as {{ dbt.type_bigint() }}) as web_events,
            cast(null as {{ dbt.type_bigint() }}) as page_views,
            cast(null as {{ dbt.type_bigint() }}) as clicks,
            cast(null as {{ dbt.type_bigint() }}) as duration_seconds,
            cast(null as {{ dbt.type_numeric() }}) as duration_minutes,
            cast(null as {{ dbt.type_boolean() }}) as is_bounce
        from replaced_sessions
    {%- endif %}
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
    is_bounce,
    cast({{ timeout_seconds }} as {{ dbt.type_bigint() }}) as session_timeout_seconds,
    {{ engagement_timestamp_literal(run_started_at) }} as computed_at
from final
