{#- One row per web session of a known customer, built from accepted web events (the steps are in
    macros/engagement_points.sql, shared with the score mart). Materialized: the metrics mart and
    the derived events of the daily points both read it. -#}
{{ config(materialized='table') }}

with web_events as (
    select
        customer_id,
        event_type,
        occurred_at,
        session_id
    from {{ ref('int_engagement__events') }}
    where channel = 'web'
),

{{ engagement_web_session_ctes('web_events') }}

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
