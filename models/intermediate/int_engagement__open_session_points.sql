{#- What a day's session-derived events are worth on an earlier score date than the one the
    sessions were built for. A session still going on at the end of a score date (its events reach
    into a later day) ends there for that date: its later events do not count yet, so it may still
    be a bounce and has fewer minutes. int_engagement__daily_points holds the sessions as they are
    by engagement_score_date; the history adds, on each earlier score date, `points` instead of
    `final_points` for these rows. Only rows that differ are kept: sessions that cross midnight. -#}
{{ config(materialized='table') }}
{%- set window_days = engagement_window_days() -%}
{%- set open_days = dbt.datediff('open_sessions.session_date', 'cast(open_sessions.session_end_at as date)', 'day') -%}
{%- set cut_minutes = engagement_session_minutes('cut_sessions.session_start_at', 'cut_sessions.session_end_at') -%}

with open_sessions as (
    select
        session_key,
        customer_id,
        session_id,
        session_start_at,
        session_end_at,
        session_date,
        duration_minutes,
        is_bounce
    from {{ ref('int_engagement__web_sessions') }}
    where cast(session_end_at as date) > session_date
),

web_events as (
    select
        customer_id,
        session_id,
        event_type,
        event_date,
        occurred_at
    from {{ ref('int_engagement__events') }}
    where channel = 'web'
),

event_weights as (
    select
        event_type,
        weight,
        daily_cap
    from {{ ref('stg_engagement__event_weights') }}
    where channel = 'web'
),

daily_points as (
    select
        customer_id,
        event_type,
        event_date,
        units,
        points
    from {{ ref('int_engagement__daily_points') }}
    where channel = 'web'
),

day_offsets as (
    select generated_number - 1 as days_after
    from ({{ dbt.generate_series(window_days) }}) as series
),

-- The days whose events a session's cut versions read: from its first day to its last, at most
-- window_days (a later version's first day is out of the window).
open_session_days as (
    select
        open_sessions.session_key,
        open_sessions.customer_id,
        open_sessions.session_id,
        open_sessions.session_start_at,
        open_sessions.session_end_at,
        cast({{ dbt.dateadd('day', 'day_offsets.days_after', 'open_sessions.session_date') }} as date) as event_date
    from open_sessions
    inner join day_offsets
        on {{ open_days }} >= day_offsets.days_after
),

-- A tracker session holds the events with its id; an untracked one the customer's untracked
-- events from its first to its last (untracked sessions never overlap). Joined day by day, so a
-- customer's other days are never compared.
open_session_events as (
    select
        open_session_days.session_key,
        web_events.event_type,
        web_events.event_date,
        web_events.occurred_at
    from open_session_days
    inner join web_events
        on
            open_session_days.customer_id = web_events.customer_id
            and open_session_days.event_date = web_events.event_date
            and coalesce(open_session_days.session_id, '') = coalesce(web_events.session_id, '')
            and open_session_days.session_start_at <= web_events.occurred_at
            and open_session_days.session_end_at >= web_events.occurred_at
),

-- The score dates at whose end a session is still going on: from its first day to the day before
-- its last, while its first day is in the date's window.
session_cutoffs as (
    select
        open_sessions.session_key,
        cast({{ dbt.dateadd('day', 'day_offsets.days_after', 'open_sessions.session_date') }} as date) as score_date
    from open_sessions
    inner join day_offsets
        on {{ open_days }} > day_offsets.days_after
),

cut_sessions as (
    select
        session_cutoffs.session_key,
        session_cutoffs.score_date,
        min(open_session_events.occurred_at) as session_start_at,
        max(open_session_events.occurred_at) as session_end_at,
        count(*) as web_events,
        sum(case when open_session_events.event_type = 'page_view' then 1 else 0 end) as page_views
    from session_cutoffs
    inner join open_session_events
        on
            session_cutoffs.session_key = open_session_events.session_key
            and session_cutoffs.score_date >= open_session_events.event_date
    group by session_cutoffs.session_key, session_cutoffs.score_date
),

-- How many units of bounce and minutes_on_site each session gives on the date, less than it gives
-- once over (the session itself and its returning visit do not change).
unit_changes as (
    select
        open_sessions.customer_id,
        open_sessions.session_date,
        cut_sessions.score_date,
        case
            when {{ engagement_is_bounce('cut_sessions.page_views', 'cut_sessions.web_events') }} then 1 else 0
        end
        - case when open_sessions.is_bounce then 1 else 0 end as bounce_units,
        {{ engagement_capped_session_minutes(cut_minutes) }}
        - {{ engagement_capped_session_minutes('open_sessions.duration_minutes') }} as minutes_units
    from cut_sessions
    inner join open_sessions
        on cut_sessions.session_key = open_sessions.session_key
),

day_unit_changes as (
    select
        customer_id,
        session_date as event_date,
        score_date,
        'bounce' as event_type,
        sum(bounce_units) as unit_change
    from unit_changes
    group by customer_id, session_date, score_date
    union all
    select
        customer_id,
        session_date as event_date,
        score_date,
        'minutes_on_site' as event_type,
        sum(minutes_units) as unit_change
    from unit_changes
    group by customer_id, session_date, score_date
),

-- The day's cap applies to all its sessions together, so the day's points are worked out again.
open_session_points as (
    select
        day_unit_changes.customer_id,
        'web' as channel,
        day_unit_changes.event_type,
        day_unit_changes.event_date,
        day_unit_changes.score_date,
        {{ engagement_weighted_points('event_weights.weight', engagement_capped_units(
            'coalesce(daily_points.units, 0) + day_unit_changes.unit_change', 'event_weights.daily_cap'
        )) }} as points,
        cast(coalesce(daily_points.points, 0) as {{ engagement_type_points() }}) as final_points
    from day_unit_changes
    inner join event_weights
        on day_unit_changes.event_type = event_weights.event_type
    left join daily_points
        on
            day_unit_changes.customer_id = daily_points.customer_id
            and day_unit_changes.event_type = daily_points.event_type
            and day_unit_changes.event_date = daily_points.event_date
)

select
    customer_id,
    channel,
    event_type,
    event_date,
    score_date,
    points,
    final_points
from open_session_points
where points <> final_points
