{#- One row per customer and UTC day with at least one accepted raw event, up to score_date.
    A table: the daily activity and churn watch marts both read it, and it is far smaller than the
    daily points it comes from. -#}
{{ config(materialized='table') }}

with daily_points as (
    select
        customer_id,
        event_date,
        event_count
    from {{ ref('int_engagement__daily_points') }}
    where event_count > 0 and event_date <= {{ engagement_date_literal(engagement_score_date()) }}
),

final as (
    select
        customer_id,
        event_date as activity_date,
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as events
    from daily_points
    group by customer_id, event_date
)

select
    customer_id,
    activity_date,
    events
from final
