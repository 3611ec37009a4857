{#- Tier bounds cut from the score distribution of the latest backtest date, next to the current
    ones. The lowest tier (churn_risk: a score below 0, more negative events than positive ones)
    keeps its bounds; the customers above it are shared out over the other tiers by
    engagement_tier_suggestion_shares, lowest scores first. A tier's upper bound is the lowest
    score that reaches its cumulative target share, so a tie group stays in one tier; bounds rise
    by at least 0.01 from tier to tier, so the rows are a valid tiers seed. With no customer above
    the lowest tier there is nothing to cut and the current bounds are repeated. -#}
{%- set shares = engagement_tier_suggestion_shares() -%}
{%- if execute and model.resource_type == 'model' and load_relation(ref('stg_engagement__tiers')) is not none -%}
    {#- The shares must name exactly the tiers above the lowest one (read from the seed when the
        model runs; a unit test brings its own tiers; `dbt compile` or a linter on an empty
        database has no tiers to read yet). -#}
    {%- set seed_tiers = run_query("select engagement_tier from " ~ ref('stg_engagement__tiers')
        ~ " where tier_rank > (select min(tier_rank) from " ~ ref('stg_engagement__tiers') ~ ")").columns[0].values() | map('string') | list -%}
    {%- set named = shares | map(attribute=0) | list -%}
    {%- if named | sort != seed_tiers | sort -%}
        {{ exceptions.raise_compiler_error("engagement_tier_suggestion_shares must give a share to each tier above the lowest one ("
            ~ seed_tiers | sort | join(', ') ~ "), got " ~ named | sort | join(', ')) }}
    {%- endif -%}
{%- endif -%}

{#- The lowest tier keeps its bounds, the highest stays open above, and with nothing to cut every
    tier keeps its own. -#}
{%- set keeps_bounds -%}
    tiers.tier_rank in (scale_ends.lowest_rank, scale_ends.highest_rank) or cut_totals.cut_score_values = 0
{%- endset %}

with backtest_dates as (
    select
        score_date,
        horizon_days
    from {{ ref('int_engagement__backtest_dates') }}
),

population as (
    select
        score_date,
        engagement_score,
        tier_rank,
        has_outcome
    from {{ ref('int_engagement__backtest_population') }}
),

-- The current tiers' customers and outcome rates on each date.
backtest_tiers as (
    select
        score_date,
        tier_rank,
        customers,
        share_of_customers,
        positives,
        outcome_rate,
        lift
    from {{ ref('engagement_backtest_tiers') }}
),

tiers as (
    select
        tier_rank,
        engagement_tier,
        tier_label,
        min_score,
        min_inclusive,
        max_score,
        max_inclusive
    from {{ ref('stg_engagement__tiers') }}
),

-- Shares in millionths, so cumulative targets are whole numbers and compare exactly.
target_shares as (
    {%- for tier, share in shares %}
        select
            '{{ tier | replace("'", "''") }}' as engagement_tier,
            cast({{ (share * 1000000) | round | int }} as {{ dbt.type_bigint() }}) as share_millionths
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

newest_date as (
    select max(score_date) as score_date from backtest_dates
),

latest_date as (
    select
        backtest_dates.score_date,
        backtest_dates.horizon_days
    from backtest_dates
    inner join newest_date
        on backtest_dates.score_date = newest_date.score_date
),

current_rates as (
    select
        backtest_tiers.tier_rank,
        backtest_tiers.customers,
        backtest_tiers.share_of_customers,
        backtest_tiers.positives,
        backtest_tiers.outcome_rate,
        backtest_tiers.lift
    from backtest_tiers
    inner join latest_date
        on backtest_tiers.score_date = latest_date.score_date
),

latest_population as (
    select
        population.engagement_score,
        population.tier_rank,
        population.has_outcome
    from population
    inner join latest_date
        on population.score_date = latest_date.score_date
),

scale_ends as (
    select
        min(tier_rank) as lowest_rank,
        max(tier_rank) as highest_rank
    from tiers
),

-- The scores to cut: everyone above the lowest tier.
cut_scores as (
    select
        latest_population.engagement_score,
        count(*) as customers
    from latest_population
    cross join scale_ends
    where latest_population.tier_rank <> scale_ends.lowest_rank
    group by latest_population.engagement_score
),

cumulative_scores as (
    select
        engagement_score,
        sum(customers) over (order by engagement_score rows between unbounded preceding and current row)
            as customers_up_to_score,
        sum(customers) over () as cut_customers
    from cut_scores
),

tier_targets as (
    select
        tiers.tier_rank,
        target_shares.share_millionths,
        sum(target_shares.share_millionths) over (
            order by tiers.tier_rank rows between unbounded preceding and current row
        ) as cumulative_millionths
    from tiers
    inner join target_shares
        on tiers.engagement_tier = target_shares.engagement_tier
),

-- The lowest score at which the share of cut customers at or below it reaches the target.
quantile_bounds as (
    select
        tier_targets.tier_rank,
        min(cumulative_scores.engagement_score) as quantile_score
    from tier_targets
    cross join scale_ends
    inner join cumulative_scores
        on
            cumulative_scores.customers_up_to_score * 1000000
            >= tier_targets.cumulative_millionths * cumulative_scores.cut_customers
    where tier_targets.tier_rank < scale_ends.highest_rank
    group by tier_targets.tier_rank
),

-- Upper bounds in rank order, starting from the lowest tier's: each at least 0.01 above the one
-- before (b'(k) = 0.01 k + max over j <= k of (b(j) - 0.01 j)).
bound_steps as (
    select
        tiers.tier_rank,
        tiers.max_score as bound
    from tiers
    inner join scale_ends
        on tiers.tier_rank = scale_ends.lowest_rank
    union all
    select
        tier_rank,
        quantile_score as bound
    from quantile_bounds
),

numbered_bounds as (
    select
        tier_rank,
        bound,
        row_number() over (order by tier_rank) as step
    from bound_steps
),

strict_bounds as (
    select
        tier_rank,
        cast(
            0.01 * step + max(bound - 0.01 * step) over (order by step rows between unbounded preceding and current row)
            as {{ engagement_type_score() }}
        ) as max_score
    from numbered_bounds
),

cut_totals as (
    select count(*) as cut_score_values from cumulative_scores
),

suggested_upper_bounds as (
    select
        tiers.tier_rank,
        tiers.engagement_tier,
        tiers.tier_label,
        case
            when {{ keeps_bounds }} then tiers.max_score
            else strict_bounds.max_score
        end as max_score,
        case
            when {{ keeps_bounds }} then tiers.max_inclusive
            else true
        end as max_inclusive,
        tiers.min_score as current_min_score,
        tiers.min_inclusive as current_min_inclusive,
        row_number() over (order by tiers.tier_rank) as tier_position
    from tiers
    cross join scale_ends
    cross join cut_totals
    left join strict_bounds
        on tiers.tier_rank = strict_bounds.tier_rank
),

-- Each tier starts where the one below ends; the lowest tier and the one above it keep their
-- shared bound as the seed has it.
suggested_tiers as (
    select
        tier_rank,
        engagement_tier,
        tier_label,
        max_score,
        max_inclusive,
        case
            when tier_position <= 2 then current_min_score
            else lag(max_score) over (order by tier_rank)
        end as min_score,
        case
            when tier_position <= 2 then current_min_inclusive
            else not lag(max_inclusive) over (order by tier_rank)
        end as min_inclusive
    from suggested_upper_bounds
),

suggested_members as (
    select
        suggested_tiers.tier_rank,
        latest_population.has_outcome
    from latest_population
    inner join suggested_tiers
        on {{ engagement_score_in_tier('latest_population.engagement_score', 'suggested_tiers') }}
),

scale_rates as (
    select
        'current' as tier_scale,
        tier_rank,
        customers,
        positives
    from current_rates
    union all
    select
        'suggested' as tier_scale,
        tier_rank,
        count(*) as customers,
        sum(case when has_outcome then 1 else 0 end) as positives
    from suggested_members
    group by tier_rank
),

{{ engagement_backtest_monotonicity_ctes('scale_rates', ['tier_scale']) }},

latest_totals as (
    select
        count(*) as customers,
        sum(case when has_outcome then 1 else 0 end) as positives
    from latest_population
),

tier_scales as (
    select
        latest_date.score_date,
        latest_date.horizon_days,
        suggested_tiers.tier_rank,
        suggested_tiers.engagement_tier,
        suggested_tiers.tier_label,
        {{ engagement_ratio('target_shares.share_millionths', '1000000') }} as target_share,
        suggested_tiers.min_score as suggested_min_score,
        suggested_tiers.min_inclusive as suggested_min_inclusive,
        suggested_tiers.max_score as suggested_max_score,
        suggested_tiers.max_inclusive as suggested_max_inclusive,
        coalesce(suggested_rates.customers, 0) as suggested_customers,
        suggested_rates.positives as suggested_positives,
        suggested_monotonicity.tiers_monotone as suggested_tiers_monotone,
        tiers.min_score as current_min_score,
        tiers.min_inclusive as current_min_inclusive,
        tiers.max_score as current_max_score,
        tiers.max_inclusive as current_max_inclusive,
        coalesce(current_rates.customers, 0) as current_customers,
        current_rates.share_of_customers as current_share_of_customers,
        current_rates.outcome_rate as current_outcome_rate,
        current_rates.lift as current_lift,
        current_monotonicity.tiers_monotone as current_tiers_monotone,
        latest_totals.customers as all_customers,
        latest_totals.positives as all_positives
    from latest_date
    cross join suggested_tiers
    cross join latest_totals
    inner join tiers
        on suggested_tiers.tier_rank = tiers.tier_rank
    left join target_shares
        on suggested_tiers.engagement_tier = target_shares.engagement_tier
    left join scale_rates as suggested_rates
        on
            suggested_rates.tier_scale = 'suggested'
            and suggested_tiers.tier_rank = suggested_rates.tier_rank
    left join current_rates
        on suggested_tiers.tier_rank = current_rates.tier_rank
    left join tier_monotonicity as suggested_monotonicity
        on suggested_monotonicity.tier_scale = 'suggested'
    left join tier_monotonicity as current_monotonicity
        on current_monotonicity.tier_scale = 'current'
),

final as (
    select
        score_date,
        cast(horizon_days as {{ dbt.type_bigint() }}) as horizon_days,
        cast(tier_rank as {{ dbt.type_int() }}) as tier_rank,
        cast(engagement_tier as {{ dbt.type_string() }}) as engagement_tier,
        cast(tier_label as {{ dbt.type_string() }}) as tier_label,
        cast(target_share as {{ engagement_type_double() }}) as target_share,
        cast(suggested_min_score as {{ engagement_type_score() }}) as suggested_min_score,
        cast(suggested_min_inclusive as {{ dbt.type_boolean() }}) as suggested_min_inclusive,
        cast(suggested_max_score as {{ engagement_type_score() }}) as suggested_max_score,
        cast(suggested_max_inclusive as {{ dbt.type_boolean() }}) as suggested_max_inclusive,
        cast(suggested_customers as {{ dbt.type_bigint() }}) as suggested_customers,
        {{ engagement_ratio('suggested_customers', 'all_customers') }} as suggested_share_of_customers,
        {{ engagement_ratio('suggested_positives', 'suggested_customers') }} as suggested_outcome_rate,
        {{ engagement_ratio('suggested_positives * all_customers', 'suggested_customers * all_positives') }}
            as suggested_lift,
        cast(suggested_tiers_monotone as {{ dbt.type_boolean() }}) as suggested_tiers_monotone,
        cast(current_min_score as {{ engagement_type_score() }}) as current_min_score,
        cast(current_min_inclusive as {{ dbt.type_boolean() }}) as current_min_inclusive,
        cast(current_max_score as {{ engagement_type_score() }}) as current_max_score,
        cast(current_max_inclusive as {{ dbt.type_boolean() }}) as current_max_inclusive,
        cast(current_customers as {{ dbt.type_bigint() }}) as current_customers,
        current_share_of_customers,
        current_outcome_rate,
        current_lift,
        cast(current_tiers_monotone as {{ dbt.type_boolean() }}) as current_tiers_monotone
    from tier_scales
)

select * from final
