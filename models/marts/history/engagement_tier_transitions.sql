{#- Tier flows for a Sankey chart: per score_date, how many customers went from each tier the day
    before to each tier that day (staying put included). Customers whose history starts that day
    come from 'new'. -#}
with score_changes as (
    select
        customer_id,
        score_date,
        engagement_tier,
        tier_rank,
        previous_tier,
        previous_tier_rank
    from {{ ref('customer_engagement_score_changes') }}
),

final as (
    select
        score_date,
        coalesce(previous_tier, 'new') as from_tier,
        previous_tier_rank as from_tier_rank,
        engagement_tier as to_tier,
        tier_rank as to_tier_rank,
        cast(count(*) as {{ dbt.type_bigint() }}) as customers
    from score_changes
    group by score_date, previous_tier, previous_tier_rank, engagement_tier, tier_rank
)

select * from final
