{#- Per backtest date and tier: how many customers the tier held on that date and how many of
    them had the outcome in the horizon after it. Every tier of the seed gets a row, also an empty
    one, so a chart keeps its axis. -#}
{#- Ratios are doubles (engagement_ratio); lift = (positives / customers) / (all positives / all customers). -#}
{%- set tier_lift_numerator = 'tier_totals.positives * date_totals.customers' -%}
{%- set tier_lift_denominator = 'tier_totals.customers * date_totals.positives' %}

with backtest_dates as (
    select
        score_date,
        horizon_days
    from {{ ref('int_engagement__backtest_dates') }}
),

population as (
    select
        score_date,
        tier_rank,
        has_outcome
    from {{ ref('int_engagement__backtest_population') }}
),

tiers as (
    select
        tier_rank,
        engagement_tier
    from {{ ref('stg_engagement__tiers') }}
),

date_totals as (
    select
        score_date,
        count(*) as customers,
        sum(case when has_outcome then 1 else 0 end) as positives
    from population
    group by score_date
),

tier_totals as (
    select
        score_date,
        tier_rank,
        count(*) as customers,
        sum(case when has_outcome then 1 else 0 end) as positives
    from population
    group by score_date, tier_rank
),

final as (
    select
        backtest_dates.score_date,
        cast(backtest_dates.horizon_days as {{ dbt.type_bigint() }}) as horizon_days,
        cast(tiers.engagement_tier as {{ dbt.type_string() }}) as engagement_tier,
        cast(tiers.tier_rank as {{ dbt.type_int() }}) as tier_rank,
        cast(coalesce(tier_totals.customers, 0) as {{ dbt.type_bigint() }}) as customers,
        {{ engagement_ratio('coalesce(tier_totals.customers, 0)', 'date_totals.customers') }} as share_of_customers,
        cast(coalesce(tier_totals.positives, 0) as {{ dbt.type_bigint() }}) as positives,
        {{ engagement_ratio('tier_totals.positives', 'tier_totals.customers') }} as outcome_rate,
        {{ engagement_ratio(tier_lift_numerator, tier_lift_denominator) }} as lift
    from backtest_dates
    cross join tiers
    left join date_totals
        on backtest_dates.score_date = date_totals.score_date
    left join tier_totals
        on
            backtest_dates.score_date = tier_totals.score_date
            and tiers.tier_rank = tier_totals.tier_rank
)

select * from final
