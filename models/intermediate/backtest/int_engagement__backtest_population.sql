{#- Who the backtest scores on each backtest date D, and whether the outcome followed: every
    customer signed up by D (or without a sign-up date), with the score and tier of
    customer_engagement_daily at D (0 and its tier before their first event), and whether the
    outcome happened on a UTC day from D + 1 to D + horizon. The outcome is any accepted event, or
    an outcome_at of the model named by engagement_backtest_outcome_model. -#}
{{ config(materialized='table') }}

{%- set outcome_model = engagement_backtest_outcome_model() %}

with backtest_dates as (
    select
        score_date,
        horizon_days,
        outcome_end_date
    from {{ ref('int_engagement__backtest_dates') }}
),

customers as (
    select
        customer_id,
        signed_up_at
    from {{ ref('int_engagement__customers') }}
),

history as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank
    from {{ ref('customer_engagement_daily') }}
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

outcome_days as (
    {%- if outcome_model is none %}
        -- Days with an accepted raw event (derived events have no event_count), read from the
        -- daily points table rather than the event stream: the same days, far fewer rows.
        select
            customer_id,
            event_date as outcome_date
        from {{ ref('int_engagement__daily_points') }}
        where event_count > 0
    {%- else %}
        select
            {{ engagement_clean_text('cast(customer_id as ' ~ dbt.type_string() ~ ')') }} as customer_id,
            cast(outcome_at as date) as outcome_date
        from {{ ref(project_name, outcome_model) }}
        where outcome_at is not null
    {%- endif %}
),

outcomes as (
    select distinct
        backtest_dates.score_date,
        outcome_days.customer_id
    from outcome_days
    inner join backtest_dates
        on
            outcome_days.outcome_date > backtest_dates.score_date
            and outcome_days.outcome_date <= backtest_dates.outcome_end_date
),

-- The tier of a score of 0, for customers without a history row yet.
zero_score_tier as (
    select
        tiers.tier_rank,
        tiers.engagement_tier
    from tiers
    where {{ engagement_score_in_tier('cast(0 as ' ~ engagement_type_score() ~ ')', 'tiers') }}
),

scored as (
    select
        backtest_dates.score_date,
        backtest_dates.horizon_days,
        customers.customer_id,
        coalesce(history.engagement_score, cast(0 as {{ engagement_type_score() }})) as engagement_score,
        coalesce(history.engagement_tier, zero_score_tier.engagement_tier) as engagement_tier,
        coalesce(history.tier_rank, zero_score_tier.tier_rank) as tier_rank,
        outcomes.customer_id is not null as has_outcome
    from backtest_dates
    inner join customers
        on
            customers.signed_up_at is null
            or cast(customers.signed_up_at as date) <= backtest_dates.score_date
    cross join zero_score_tier
    left join history
        on
            customers.customer_id = history.customer_id
            and backtest_dates.score_date = history.score_date
    left join outcomes
        on
            customers.customer_id = outcomes.customer_id
            and backtest_dates.score_date = outcomes.score_date
),

final as (
    select
        score_date,
        cast(horizon_days as {{ dbt.type_bigint() }}) as horizon_days,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(engagement_score as {{ engagement_type_score() }}) as engagement_score,
        cast(engagement_tier as {{ dbt.type_string() }}) as engagement_tier,
        cast(tier_rank as {{ dbt.type_int() }}) as tier_rank,
        cast({{ engagement_backtest_ranking_score('engagement_score') }} as {{ engagement_type_score() }})
            as ranking_score,
        has_outcome
    from scored
)

select * from final
