{#- The explanation must add up: for every customer the components' points sum exactly to the
    published engagement_score (a customer without components scores 0). -#}
with scores as (
    select
        customer_id,
        engagement_score
    from {{ ref('customer_engagement_scores') }}
),

components as (
    select
        customer_id,
        points
    from {{ ref('customer_engagement_score_components') }}
),

component_totals as (
    select
        customer_id,
        sum(points) as total_points
    from components
    group by customer_id
),

mismatches as (
    select
        scores.engagement_score,
        component_totals.total_points,
        coalesce(scores.customer_id, component_totals.customer_id) as customer_id
    from scores
    full outer join component_totals
        on scores.customer_id = component_totals.customer_id
    where
        scores.customer_id is null
        or coalesce(component_totals.total_points, 0) <> scores.engagement_score
)

select
    customer_id,
    engagement_score,
    total_points
from mismatches
