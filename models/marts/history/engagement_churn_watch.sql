{#- Customers to step in for: in a tier listed in engagement_churn_watch_tiers now, yet active
    before (an accepted event in the engagement_churn_lookback_days days before the window). -#}
{%- set score_date = engagement_date_literal(engagement_score_date()) -%}
{%- set window_start = engagement_window_start() -%}
{%- set lookback_start = window_start - modules.datetime.timedelta(
    days=engagement_churn_lookback_days()
) -%}

with customers as (
    select
        customer_id,
        account_id,
        plan
    from {{ ref('int_engagement__customers') }}
),

scores as (
    select
        customer_id,
        last_event_at
    from {{ ref('customer_engagement_scores') }}
),

customer_tiers as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank
    from {{ ref('customer_engagement_tiers') }}
    where engagement_tier in {{ engagement_in_list(engagement_churn_watch_tiers()) }}
),

lookback_active_days as (
    select customer_id
    from {{ ref('int_engagement__customer_active_days') }}
    where
        activity_date >= {{ engagement_date_literal(lookback_start) }}
        and activity_date < {{ engagement_date_literal(window_start) }}
),

-- Derived events carry no event_count, so a bounce never reads as a complaint.
negative_event_types as (
    select
        customer_id,
        event_count
    from {{ ref('int_engagement__event_type_points') }}
    where weight < 0 and event_count > 0
),

previously_active_customers as (
    select customer_id
    from lookback_active_days
    group by customer_id
),

customer_negative_events as (
    select
        customer_id,
        sum(event_count) as negative_events
    from negative_event_types
    group by customer_id
),

-- The tier they fell from: the latest tier above today's in the daily history over the look-back
-- (null where the history does not reach back, e.g. a customer new to it).
history_tiers as (
    select
        customer_id,
        score_date,
        engagement_tier,
        tier_rank
    from {{ ref('customer_engagement_daily') }}
    where
        score_date >= {{ engagement_date_literal(lookback_start) }}
        and score_date < {{ score_date }}
),

higher_history_tiers as (
    select
        history_tiers.customer_id,
        history_tiers.engagement_tier,
        row_number() over (
            partition by history_tiers.customer_id
            order by history_tiers.score_date desc
        ) as recency
    from history_tiers
    inner join customer_tiers
        on history_tiers.customer_id = customer_tiers.customer_id
    where history_tiers.tier_rank > customer_tiers.tier_rank
),

fallen_from_tiers as (
    select
        customer_id,
        engagement_tier as fell_from_tier
    from higher_history_tiers
    where recency = 1
),

final as (
    select
        customer_tiers.customer_id,
        customers.account_id,
        customers.plan,
        customer_tiers.score_date,
        customer_tiers.engagement_score,
        customer_tiers.engagement_tier,
        customer_tiers.tier_rank,
        scores.last_event_at,
        {{ engagement_days_between('scores.last_event_at', score_date) }} as days_since_last_event,
        cast(coalesce(customer_negative_events.negative_events, 0) as {{ dbt.type_bigint() }}) as negative_events,
        fallen_from_tiers.fell_from_tier
    from customer_tiers
    inner join previously_active_customers
        on customer_tiers.customer_id = previously_active_customers.customer_id
    inner join customers
        on customer_tiers.customer_id = customers.customer_id
    inner join scores
        on customer_tiers.customer_id = scores.customer_id
    left join customer_negative_events
        on customer_tiers.customer_id = customer_negative_events.customer_id
    left join fallen_from_tiers
        on customer_tiers.customer_id = fallen_from_tiers.customer_id
)

select
    customer_id,
    account_id,
    plan,
    score_date,
    engagement_score,
    engagement_tier,
    tier_rank,
    last_event_at,
    days_since_last_event,
    negative_events,
    fell_from_tier
from final
