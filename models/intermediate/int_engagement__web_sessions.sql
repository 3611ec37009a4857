{#- One row per web session of a known customer, built from accepted web events up to the end of
    score_date (the steps are in macros/engagement_points.sql, shared with the score mart): events
    after score_date do not count, so a session still going on at midnight ends there. The history
    scores earlier dates too: int_engagement__open_session_points holds what such sessions were
    worth on those. Materialized: the metrics mart and the derived events of the daily points both
    read it. -#}
{{ config(materialized='table') }}

with web_events as (
    select
        customer_id,
        event_type,
        occurred_at,
        session_id
    from {{ ref('int_engagement__events') }}
    where channel = 'web' and event_date <= {{ engagement_date_literal(engagement_score_date()) }}
),

web_sessions as (
    {{ engagement_web_sessions('web_events') | indent(4) }}
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
from web_sessions
