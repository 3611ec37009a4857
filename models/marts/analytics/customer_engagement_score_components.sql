{#- Why a score is what it is: one row per customer, channel and event type with events in the
    scoring window. Points are published in cents that add up exactly to engagement_score: each
    term is floored to the cent and the cents left by rounding the total go to the terms with the
    largest remainders (largest remainder method), so a BI sum never disagrees with the score. -#}
with scores as (
    select
        customer_id,
        score_date,
        engagement_score
    from {{ ref('customer_engagement_scores') }}
),

event_type_points as (
    select
        customer_id,
        channel,
        event_type,
        event_count,
        derived_event_count,
        counted_units,
        weight,
        points
    from {{ ref('int_engagement__event_type_points') }}
),

term_cents as (
    select
        event_type_points.customer_id,
        scores.score_date,
        event_type_points.channel,
        event_type_points.event_type,
        event_type_points.counted_units,
        event_type_points.weight,
        scores.engagement_score,
        event_type_points.event_count + event_type_points.derived_event_count as raw_count,
        floor(event_type_points.points * 100) as floor_cents,
        event_type_points.points * 100 - floor(event_type_points.points * 100) as remainder_cents
    from event_type_points
    inner join scores
        on event_type_points.customer_id = scores.customer_id
),

term_cents_ranked as (
    select
        customer_id,
        score_date,
        channel,
        event_type,
        raw_count,
        counted_units,
        weight,
        engagement_score,
        floor_cents,
        engagement_score * 100 - sum(floor_cents) over (partition by customer_id) as leftover_cents,
        row_number() over (
            partition by customer_id
            order by remainder_cents desc, channel asc, event_type asc
        ) as remainder_rank
    from term_cents
),

term_points as (
    select
        customer_id,
        score_date,
        channel,
        event_type,
        raw_count,
        counted_units,
        weight,
        engagement_score,
        cast(
            cast(floor_cents + case when remainder_rank <= leftover_cents then 1 else 0 end as {{ dbt.type_numeric() }})
            / 100
            as {{ engagement_type_score() }}
        ) as points
    from term_cents_ranked
),

final as (
    select
        customer_id,
        score_date,
        channel,
        event_type,
        cast(raw_count as {{ dbt.type_bigint() }}) as raw_count,
        cast(counted_units as {{ dbt.type_numeric() }}) as counted_units,
        cast(weight as {{ dbt.type_numeric() }}) as weight,
        points,
        {{ engagement_ratio('points', 'engagement_score') }} as share_of_score
    from term_points
)

select
    customer_id,
    score_date,
    channel,
    event_type,
    raw_count,
    counted_units,
    weight,
    points,
    share_of_score
from final
