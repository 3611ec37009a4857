{#- The tiers seed must put every possible score in exactly one tier: ranks in order, the lowest
    tier open below, the highest open above, and each tier starting where the one below ends with
    the shared bound in exactly one of them. -#}
{{ config(store_failures=true) }}

with tiers as (
    select
        tier_rank,
        engagement_tier,
        min_score,
        max_score,
        coalesce(min_inclusive, false) as min_inclusive,
        coalesce(max_inclusive, false) as max_inclusive,
        row_number() over (order by tier_rank) as tier_position,
        count(*) over () as tier_count,
        count(*) over (partition by engagement_tier) as tier_name_copies,
        count(*) over (partition by tier_rank) as tier_rank_copies,
        lag(max_score) over (order by tier_rank) as previous_max_score,
        lag(max_inclusive) over (order by tier_rank) as previous_max_inclusive
    from {{ ref('engagement_tiers') }}
),

problems as (
    select
        tier_rank,
        engagement_tier,
        case
            when tier_rank is null or engagement_tier is null then 'missing tier_rank or engagement_tier'
            when tier_name_copies > 1 then 'duplicate engagement_tier'
            when tier_rank_copies > 1 then 'duplicate tier_rank'
            when tier_position = 1 and min_score is not null then 'lowest tier must have no min_score'
            when tier_position = tier_count and max_score is not null then 'highest tier must have no max_score'
            when tier_position > 1 and min_score is null then 'min_score missing'
            when tier_position < tier_count and max_score is null then 'max_score missing'
            when min_score is not null and max_score is not null and min_score >= max_score
                then 'min_score must be below max_score'
            when tier_position > 1 and min_score != previous_max_score then 'gap or overlap with the tier below'
            when tier_position > 1 and min_inclusive = coalesce(previous_max_inclusive, false)
                then 'bound shared with the tier below must be inclusive on exactly one side'
        end as problem
    from tiers
)

select
    tier_rank,
    engagement_tier,
    problem
from problems
where problem is not null
