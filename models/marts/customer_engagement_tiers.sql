with scores as (
    select
        customer_id,
        score_date,
        engagement_score
    from {{ ref('customer_engagement_scores') }}
),

tiers as (
    select
        tier_rank,
        engagement_tier,
        tier_label,
        min_score,
        min_inclusive,
        max_score,
        max_inclusive
    from {{ ref('stg_engagement__tiers') }}
),

final as (
    select
        scores.customer_id,
        scores.score_date,
        scores.engagement_score,
        tiers.engagement_tier,
        tiers.tier_rank,
        tiers.tier_label
    from scores
    -- A score outside every tier would keep its row with a null tier, which the not_null test
    -- reports (the seed's own test makes it impossible).
    left join tiers
        on {{ engagement_score_in_tier('scores.engagement_score', 'tiers') }}
)

select * from final
