{#- Per backtest date, the customers cut into ten groups by score, highest first (lowest first when
    engagement_backtest_outcome_is_bad): a tie group stays whole, in the decile of its first
    member, so a decile may be larger than a tenth, or missing. Lift and capture answer "if we
    called the top x %, how many of those who did it would we reach?". -#}
{%- set captured_so_far -%}
    sum(positives) over (partition by score_date order by decile rows between unbounded preceding and current row)
{%- endset %}

with population as (
    select
        score_date,
        horizon_days,
        engagement_score,
        ranking_score,
        has_outcome
    from {{ ref('int_engagement__backtest_population') }}
),

ranked as (
    select
        score_date,
        horizon_days,
        engagement_score,
        has_outcome,
        rank() over (partition by score_date order by ranking_score desc) as score_position,
        count(*) over (partition by score_date) as date_customers,
        sum(case when has_outcome then 1 else 0 end) over (partition by score_date) as date_positives
    from population
),

customer_deciles as (
    select
        score_date,
        horizon_days,
        engagement_score,
        has_outcome,
        date_customers,
        date_positives,
        {{ engagement_integer_divide('10 * (score_position - 1)', 'date_customers') }} + 1 as decile
    from ranked
),

decile_totals as (
    select
        score_date,
        horizon_days,
        decile,
        date_customers,
        date_positives,
        count(*) as customers,
        sum(case when has_outcome then 1 else 0 end) as positives,
        min(engagement_score) as min_score,
        max(engagement_score) as max_score
    from customer_deciles
    group by score_date, horizon_days, decile, date_customers, date_positives
),

final as (
    select
        score_date,
        cast(horizon_days as {{ dbt.type_bigint() }}) as horizon_days,
        cast(decile as {{ dbt.type_int() }}) as decile,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(min_score as {{ engagement_type_score() }}) as min_score,
        cast(max_score as {{ engagement_type_score() }}) as max_score,
        {{ engagement_ratio('positives', 'customers') }} as outcome_rate,
        {{ engagement_ratio(captured_so_far, 'date_positives') }} as cumulative_capture,
        cast(positives as {{ dbt.type_bigint() }}) as positives,
        {{ engagement_ratio('positives * date_customers', 'customers * date_positives') }} as lift
    from decile_totals
)

select * from final
