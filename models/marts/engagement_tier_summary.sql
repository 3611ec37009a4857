with customer_tiers as (
    select
        score_date,
        engagement_tier,
        engagement_score
    from {{ ref('customer_engagement_tiers') }}
),

tiers as (
    select
        tier_rank,
        engagement_tier
    from {{ ref('stg_engagement__tiers') }}
),

tier_totals as (
    select
        engagement_tier,
        count(*) as customers,
        avg(engagement_score) as avg_engagement_score
    from customer_tiers
    group by engagement_tier
),

all_customers as (
    select count(*) as customers from customer_tiers
),

final as (
    -- Every tier gets a row, also when no customer is in it, so charts keep a stable axis.
    select
        {{ engagement_date_literal(engagement_score_date()) }} as score_date,
        tiers.engagement_tier,
        tiers.tier_rank,
        coalesce(tier_totals.customers, 0) as customers,
        case
            when all_customers.customers > 0
                then
                    cast(coalesce(tier_totals.customers, 0) as {{ engagement_type_double() }})
                    / all_customers.customers
        end as share_of_customers,
        case
            when tier_totals.customers > 0 then {{ engagement_round_average('tier_totals.avg_engagement_score') }}
        end as avg_engagement_score
    from tiers
    cross join all_customers
    left join tier_totals
        on tiers.engagement_tier = tier_totals.engagement_tier
)

select * from final
