{#- One row per backtest date: does the score on that date rank the customers who went on to have
    the outcome? auc is the Mann-Whitney statistic with average ranks (ties count half), from
    whole-number rank sums: 2 × the sum of the positives' average ranks is exact, so every engine
    divides the same two integers. -#}
with backtest_dates as (
    select
        score_date,
        horizon_days,
        outcome_name,
        outcome_is_bad
    from {{ ref('int_engagement__backtest_dates') }}
),

population as (
    select
        score_date,
        ranking_score,
        has_outcome
    from {{ ref('int_engagement__backtest_population') }}
),

backtest_tiers as (
    select
        score_date,
        tier_rank,
        customers,
        positives
    from {{ ref('engagement_backtest_tiers') }}
),

top_deciles as (
    select
        score_date,
        lift
    from {{ ref('engagement_backtest_deciles') }}
    where decile = 1
),

score_groups as (
    select
        score_date,
        ranking_score,
        count(*) as customers,
        sum(case when has_outcome then 1 else 0 end) as positives
    from population
    group by score_date, ranking_score
),

-- A tie group's members share the average of the ranks they span: customers below it + 1 to
-- customers below it + its size, i.e. (2 × below + size + 1) / 2.
ranked_groups as (
    select
        score_date,
        customers,
        positives,
        coalesce(
            sum(customers) over (
                partition by score_date order by ranking_score rows between unbounded preceding and 1 preceding
            ),
            0
        ) as customers_below
    from score_groups
),

rank_sums as (
    select
        score_date,
        sum(customers) as customers,
        sum(positives) as positives,
        sum(positives * (2 * customers_below + customers + 1)) as twice_positive_rank_sum
    from ranked_groups
    group by score_date
),

{{ engagement_backtest_monotonicity_ctes('backtest_tiers', ['score_date']) }},

final as (
    select
        backtest_dates.score_date,
        cast(backtest_dates.horizon_days as {{ dbt.type_bigint() }}) as horizon_days,
        cast(backtest_dates.outcome_name as {{ dbt.type_string() }}) as outcome_name,
        cast(coalesce(rank_sums.customers, 0) as {{ dbt.type_bigint() }}) as customers,
        cast(coalesce(rank_sums.positives, 0) as {{ dbt.type_bigint() }}) as positives,
        {{ engagement_ratio('rank_sums.positives', 'rank_sums.customers') }} as base_rate,
        -- U = positive rank sum - positives × (positives + 1) / 2; AUC = U / (positives × negatives).
        {{ engagement_ratio(
            'rank_sums.twice_positive_rank_sum - rank_sums.positives * (rank_sums.positives + 1)',
            '2 * rank_sums.positives * (rank_sums.customers - rank_sums.positives)'
        ) }} as auc,
        cast(top_deciles.lift as {{ engagement_type_double() }}) as top_decile_lift,
        cast(tier_monotonicity.tiers_monotone as {{ dbt.type_boolean() }}) as tiers_monotone,
        cast(backtest_dates.outcome_is_bad as {{ dbt.type_boolean() }}) as outcome_is_bad,
        cast(
            case
                when coalesce(rank_sums.customers, 0) = 0 then 'no_customers'
                when rank_sums.positives = 0 then 'no_positives'
                when rank_sums.positives = rank_sums.customers then 'no_negatives'
            end
            as {{ dbt.type_string() }}
        ) as auc_null_reason
    from backtest_dates
    left join rank_sums
        on backtest_dates.score_date = rank_sums.score_date
    left join top_deciles
        on backtest_dates.score_date = top_deciles.score_date
    left join tier_monotonicity
        on backtest_dates.score_date = tier_monotonicity.score_date
)

select * from final
