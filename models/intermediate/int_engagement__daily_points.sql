{{ config(materialized='table') }}

{#- Points per customer, event type and UTC day, over all time: the daily cap applies at this
    grain, and every window of the daily history is a sum of these rows. The steps are in
    macros/engagement_points.sql; the score mart runs the same steps over its window only. -#}
with events as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        quantity
    from {{ ref('int_engagement__events') }}
),

derived as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        quantity
    from {{ ref('int_engagement__derived_events') }}
),

daily_points as (
    {{ engagement_daily_points('events', 'derived') | indent(4) }}
)

select
    customer_id,
    channel,
    event_type,
    event_date,
    event_count,
    derived_event_count,
    units,
    counted_units,
    weight,
    last_occurred_at,
    points
from daily_points
