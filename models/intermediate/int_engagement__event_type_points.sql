{#- What each event type earned each customer in the scoring window (the score's terms). With
    time decay on, each day's points are decayed to the score date first.
    A table: small (customers × event types) and read by the score and by every analytics mart. -#}
{{ config(materialized='table') }}
{%- set score_date = engagement_date_literal(engagement_score_date()) -%}

with daily_points as (
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
    where
        event_date >= {{ engagement_date_literal(engagement_window_start()) }}
        and event_date <= {{ score_date }}
),

final as (
    select
        customer_id,
        channel,
        event_type,
        {{ score_date }} as score_date,
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as event_count,
        cast(sum(derived_event_count) as {{ dbt.type_bigint() }}) as derived_event_count,
        cast(sum(counted_units) as {{ dbt.type_numeric() }}) as counted_units,
        cast(max(weight) as {{ dbt.type_numeric() }}) as weight,
        cast(
            sum({{ engagement_decayed_points('points', 'event_date', score_date) }}) as {{ dbt.type_numeric() }}
        ) as points
    from daily_points
    group by customer_id, channel, event_type
)

select * from final
