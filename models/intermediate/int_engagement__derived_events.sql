{#- Scoring events derived from web sessions (session, bounce, minutes_on_site, returning_visit),
    weighted through the weights seed like raw events; the steps are in
    macros/engagement_points.sql, shared with the score mart. -#}
with sessions as (
    select
        session_key,
        customer_id,
        session_start_at,
        session_date,
        duration_minutes,
        is_bounce
    from {{ ref('int_engagement__web_sessions') }}
),

derived_events as (
    {{ engagement_derived_events('sessions') | indent(4) }}
)

select
    derived_event_key,
    session_key,
    customer_id,
    channel,
    event_type,
    occurred_at,
    event_date,
    quantity
from derived_events
