{#- Product-qualified leads: customers on a plan listed in engagement_upgrade_plans whose tier is
    listed in engagement_upgrade_tiers, with what earned them their score. -#}
{%- set score_date = engagement_date_literal(engagement_score_date()) -%}

with customers as (
    select
        customer_id,
        account_id,
        plan,
        signed_up_at
    from {{ ref('int_engagement__customers') }}
    -- Plans are names people type: 'Free' is free.
    where lower(plan) in {{ engagement_in_list(engagement_upgrade_plans(), lower_case=true) }}
),

customer_tiers as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank
    from {{ ref('customer_engagement_tiers') }}
    where engagement_tier in {{ engagement_in_list(engagement_upgrade_tiers()) }}
),

event_type_points as (
    select
        customer_id,
        channel,
        event_type,
        points
    from {{ ref('int_engagement__event_type_points') }}
    where points > 0
),

event_types_ranked as (
    select
        customer_id,
        {{ dbt.concat(['channel', "'.'", 'event_type']) }} as channel_event_type,
        row_number() over (
            partition by customer_id
            order by points desc, channel asc, event_type asc
        ) as contribution_rank
    from event_type_points
),

top_event_types as (
    select
        customer_id,
        max(case when contribution_rank = 1 then channel_event_type end) as top_event_type_1,
        max(case when contribution_rank = 2 then channel_event_type end) as top_event_type_2,
        max(case when contribution_rank = 3 then channel_event_type end) as top_event_type_3
    from event_types_ranked
    where contribution_rank <= 3
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.account_id,
        customers.plan,
        customer_tiers.score_date,
        customer_tiers.engagement_score,
        customer_tiers.engagement_tier,
        customer_tiers.tier_rank,
        {{ engagement_days_between('customers.signed_up_at', score_date) }} as days_since_signup,
        top_event_types.top_event_type_1,
        top_event_types.top_event_type_2,
        top_event_types.top_event_type_3
    from customers
    inner join customer_tiers
        on customers.customer_id = customer_tiers.customer_id
    left join top_event_types
        on customers.customer_id = top_event_types.customer_id
)

select
    customer_id,
    account_id,
    plan,
    score_date,
    engagement_score,
    engagement_tier,
    tier_rank,
    days_since_signup,
    top_event_type_1,
    top_event_type_2,
    top_event_type_3
from final
