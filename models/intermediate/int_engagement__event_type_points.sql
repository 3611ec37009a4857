{#- What each event type earned each customer in the scoring window (the score's terms), from the
    daily points. Without load times the score mart computes the same terms with the same macro
    from its window alone; with them (var engagement_loaded_at_column) it adds up these. Either
    way the score components add up to the score.
    A table: small (customers × event types) and read by every analytics mart. -#}
{{ config(materialized='table') }}

with all_daily_points as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        event_count,
        derived_event_count,
        counted_units,
        weight,
        points
    from {{ ref('int_engagement__daily_points') }}
),

event_type_points as (
    {{ engagement_event_type_points('all_daily_points') | indent(4) }}
)

select
    customer_id,
    channel,
    event_type,
    score_date,
    event_count,
    derived_event_count,
    counted_units,
    weight,
    points
from event_type_points
