{#- B2B roll-up: the engagement of each account's customers on score_date. The account tier puts
    the account's average score (rounded like a customer score) on the same tier scale. -#}
with customers as (
    select
        customer_id,
        account_id
    from {{ ref('int_engagement__customers') }}
    where account_id is not null
),

scores as (
    select
        customer_id,
        score_date,
        engagement_score,
        active_days
    from {{ ref('customer_engagement_scores') }}
),

customer_tiers as (
    select
        customer_id,
        engagement_tier
    from {{ ref('customer_engagement_tiers') }}
),

tiers as (
    select
        tier_rank,
        engagement_tier,
        min_score,
        min_inclusive,
        max_score,
        max_inclusive
    from {{ ref('stg_engagement__tiers') }}
),

account_totals as (
    select
        customers.account_id,
        scores.score_date,
        count(*) as customers,
        sum(case when scores.active_days > 0 then 1 else 0 end) as active_customers,
        sum(case when {{ engagement_is_engaged('customer_tiers.engagement_tier') }} then 1 else 0 end)
            as engaged_customers,
        avg(scores.engagement_score) as avg_engagement_score,
        max(scores.engagement_score) as max_engagement_score,
        sum(scores.engagement_score) as total_engagement_score
    from customers
    inner join scores
        on customers.customer_id = scores.customer_id
    inner join customer_tiers
        on customers.customer_id = customer_tiers.customer_id
    group by customers.account_id, scores.score_date
),

account_scores as (
    select
        account_id,
        score_date,
        customers,
        active_customers,
        engaged_customers,
        {{ engagement_round_average('avg_engagement_score') }} as avg_engagement_score,
        {{ engagement_round_points('max_engagement_score') }} as max_engagement_score,
        {{ engagement_round_points('total_engagement_score') }} as total_engagement_score
    from account_totals
),

final as (
    select
        account_scores.account_id,
        account_scores.score_date,
        cast(account_scores.customers as {{ dbt.type_bigint() }}) as customers,
        cast(account_scores.active_customers as {{ dbt.type_bigint() }}) as active_customers,
        account_scores.avg_engagement_score,
        account_scores.max_engagement_score,
        account_scores.total_engagement_score,
        {{ engagement_ratio('account_scores.engaged_customers', 'account_scores.customers') }} as share_engaged,
        tiers.engagement_tier as account_tier,
        tiers.tier_rank as account_tier_rank
    from account_scores
    inner join tiers
        on {{ engagement_score_in_tier('account_scores.avg_engagement_score', 'tiers') }}
)

select
    account_id,
    score_date,
    customers,
    active_customers,
    avg_engagement_score,
    max_engagement_score,
    total_engagement_score,
    share_engaged,
    account_tier,
    account_tier_rank
from final
