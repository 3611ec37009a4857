{{ config(materialized='table') }}

{#- Points per customer, event type and UTC day, over all time: the daily cap applies at this
    grain, and every window (today's score, the daily history) is a sum of these rows.
    Derived events (sessions, minutes on site, ...) add units and points but no event_count. -#}
with events as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        quantity,
        1 as is_raw_event
    from {{ ref('int_engagement__events') }}
),

derived_events as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        quantity,
        0 as is_raw_event
    from {{ ref('int_engagement__derived_events') }}
),

scoring_events as (
    select * from events
    union all
    select * from derived_events
),

weights as (
    select
        channel,
        event_type,
        weight,
        daily_cap
    from {{ ref('stg_engagement__event_weights') }}
),

daily_counts as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        cast(sum(is_raw_event) as {{ dbt.type_bigint() }}) as event_count,
        cast(sum(1 - is_raw_event) as {{ dbt.type_bigint() }}) as derived_event_count,
        cast(sum(quantity) as {{ dbt.type_numeric() }}) as units,
        max(case when is_raw_event = 1 then occurred_at end) as last_occurred_at
    from scoring_events
    group by customer_id, channel, event_type, event_date
),

final as (
    select
        daily_counts.customer_id,
        daily_counts.channel,
        daily_counts.event_type,
        daily_counts.event_date,
        daily_counts.event_count,
        daily_counts.derived_event_count,
        daily_counts.units,
        cast(case
            when weights.daily_cap is not null and daily_counts.units > weights.daily_cap
                then weights.daily_cap
            else daily_counts.units
        end as {{ dbt.type_numeric() }}) as counted_units,
        weights.weight,
        daily_counts.last_occurred_at
    from daily_counts
    left join weights
        on
            daily_counts.channel = weights.channel
            and daily_counts.event_type = weights.event_type
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
    cast(coalesce(weight, 0) * counted_units as {{ dbt.type_numeric() }}) as points
from final
