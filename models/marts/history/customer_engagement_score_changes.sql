{{ config(
    materialized=engagement_score_changes_materialization(),
    incremental_strategy='engagement_replace',
    unique_key=['customer_id', 'score_date'],
    engagement_placeholder_column='engagement_tier',
    on_schema_change='fail',
) }}

{#- How each customer's score and tier moved: per customer and score_date, the score 1, 7 and 30
    days before, the change and percent change, the tier the day before and how long the customer
    has been in the current tier.
    Incremental (DuckDB, PostgreSQL): a row depends only on the history rows of its customer up to
    its date, so a run rebuilds each customer's rows from the first score date whose history row
    is not the one its row was built from (new, gone, another score or tier). -#}
{%- set periods = [1, 7, 30] -%}
{#- An incremental run's first stretch per customer goes on from the kept row it starts at. -#}
{%- set carried_days = 'case when tier_stretches.tier_stretch = 1'
    ~ ' then coalesce(carried_tier_days.carried_days, 0) else 0 end' -%}

with daily_scores as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank
    from {{ ref('customer_engagement_daily') }}
),
{%- if is_incremental() %}

held as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank,
        days_in_current_tier
    from {{ this }}
),

first_changes as (
    select
        coalesce(daily_scores.customer_id, held.customer_id) as customer_id,
        min(coalesce(daily_scores.score_date, held.score_date)) as first_changed_date
    from daily_scores
    full outer join held
        on
            daily_scores.customer_id = held.customer_id
            and daily_scores.score_date = held.score_date
    where
        daily_scores.customer_id is null
        or held.customer_id is null
        or daily_scores.engagement_score <> held.engagement_score
        or daily_scores.engagement_tier <> held.engagement_tier
        or daily_scores.tier_rank <> held.tier_rank
    group by coalesce(daily_scores.customer_id, held.customer_id)
),

-- The rows rebuilt, after the history of the {{ periods | max }} days before the first of them
-- (kept rows, read for the lags).
rebuilt_scores as (
    select
        daily_scores.customer_id,
        daily_scores.score_date,
        daily_scores.engagement_score,
        daily_scores.engagement_tier,
        daily_scores.tier_rank,
        first_changes.first_changed_date,
        min(daily_scores.score_date) over (partition by daily_scores.customer_id) as first_read_date
    from daily_scores
    inner join first_changes
        on daily_scores.customer_id = first_changes.customer_id
    where
        daily_scores.score_date
        >= {{ dbt.dateadd('day', -(periods | max), 'first_changes.first_changed_date') }}
),

-- The first row read, when it is kept, is already some days into its tier: those go on.
carried_tier_days as (
    select
        held.customer_id,
        held.days_in_current_tier - 1 as carried_days
    from held
    inner join rebuilt_scores
        on
            held.customer_id = rebuilt_scores.customer_id
            and held.score_date = rebuilt_scores.first_read_date
            and rebuilt_scores.score_date = rebuilt_scores.first_read_date
    where rebuilt_scores.first_read_date < rebuilt_scores.first_changed_date
),
{%- endif %}

-- A customer has a row for every date from their first, so the row n back is n days back; the
-- date check keeps that true should a date ever be missing.
earlier_scores as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank,
        {%- for days in periods %}
            cast(
                case
                    when lag(score_date, {{ days }}) over customer_dates = {{ dbt.dateadd('day', -days, 'score_date') }}
                        then lag(engagement_score, {{ days }}) over customer_dates
                end as {{ engagement_type_score() }}
            ) as score_{{ days }}d_before,
        {%- endfor %}
        case
            when lag(score_date) over customer_dates = {{ dbt.dateadd('day', -1, 'score_date') }}
                then lag(engagement_tier) over customer_dates
        end as previous_tier,
        case
            when lag(score_date) over customer_dates = {{ dbt.dateadd('day', -1, 'score_date') }}
                then lag(tier_rank) over customer_dates
        end as previous_tier_rank
    from {{ 'rebuilt_scores' if is_incremental() else 'daily_scores' }}
    window customer_dates as (partition by customer_id order by score_date)
),

-- Each change of tier starts a new stretch; days_in_current_tier counts the days of the stretch.
tier_stretches as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank,
        {%- for days in periods %}
            score_{{ days }}d_before,
        {%- endfor %}
        previous_tier,
        previous_tier_rank,
        sum(case when previous_tier = engagement_tier then 0 else 1 end) over (
            partition by customer_id
            order by score_date
            rows between unbounded preceding and current row
        ) as tier_stretch
    from earlier_scores
),

changes as (
    select
        tier_stretches.customer_id,
        tier_stretches.score_date,
        tier_stretches.engagement_score,
        tier_stretches.engagement_tier,
        tier_stretches.tier_rank,
        {%- for days in periods %}
            tier_stretches.score_{{ days }}d_before,
        {%- endfor %}
        {%- for days in periods %}
            cast(
                tier_stretches.engagement_score - tier_stretches.score_{{ days }}d_before
                as {{ engagement_type_score() }}
            ) as change_{{ days }}d,
        {%- endfor %}
        -- Relative to the size of the earlier score, so a fall is negative also below zero.
        {%- for days in periods %}
            {{ engagement_percent_change(
                'tier_stretches.engagement_score', 'tier_stretches.score_' ~ days ~ 'd_before'
            ) }} as pct_change_{{ days }}d,
        {%- endfor %}
        tier_stretches.previous_tier,
        tier_stretches.previous_tier_rank,
        coalesce(tier_stretches.previous_tier <> tier_stretches.engagement_tier, false) as tier_changed,
        cast(
            {{ carried_days ~ ' + ' if is_incremental() }}row_number() over (
                partition by tier_stretches.customer_id, tier_stretches.tier_stretch
                order by tier_stretches.score_date
            ) as {{ dbt.type_bigint() }}
        ) as days_in_current_tier
    from tier_stretches
    {%- if is_incremental() %}
        left join carried_tier_days
            on tier_stretches.customer_id = carried_tier_days.customer_id
    {%- endif %}
),

final as (
    select
        changes.customer_id,
        changes.score_date,
        changes.engagement_score,
        changes.engagement_tier,
        changes.tier_rank,
        {%- for days in periods %}
            changes.score_{{ days }}d_before,
        {%- endfor %}
        {%- for days in periods %}
            changes.change_{{ days }}d,
        {%- endfor %}
        {%- for days in periods %}
            changes.pct_change_{{ days }}d,
        {%- endfor %}
        changes.previous_tier,
        changes.previous_tier_rank,
        changes.tier_changed,
        changes.days_in_current_tier
    from changes
    {%- if is_incremental() %}
        inner join first_changes
            on changes.customer_id = first_changes.customer_id
        where changes.score_date >= first_changes.first_changed_date

        -- One key-only row per row held from the first change on: engagement_replace deletes
        -- it, also when the history has no such row any more, and does not insert this row.
        union all
        select
            held.customer_id,
            held.score_date,
            cast(null as {{ engagement_type_score() }}) as engagement_score,
            cast(null as {{ dbt.type_string() }}) as engagement_tier,
            cast(null as {{ dbt.type_int() }}) as tier_rank,
            {%- for days in periods %}
                cast(null as {{ engagement_type_score() }}) as score_{{ days }}d_before,
            {%- endfor %}
            {%- for days in periods %}
                cast(null as {{ engagement_type_score() }}) as change_{{ days }}d,
            {%- endfor %}
            {%- for days in periods %}
                cast(null as {{ engagement_type_double() }}) as pct_change_{{ days }}d,
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as previous_tier,
            cast(null as {{ dbt.type_int() }}) as previous_tier_rank,
            cast(null as {{ dbt.type_boolean() }}) as tier_changed,
            cast(null as {{ dbt.type_bigint() }}) as days_in_current_tier
        from held
        inner join first_changes
            on held.customer_id = first_changes.customer_id
        where held.score_date >= first_changes.first_changed_date
    {%- endif %}
)

select
    customer_id,
    score_date,
    engagement_score,
    engagement_tier,
    tier_rank,
    {%- for days in periods %}
        score_{{ days }}d_before,
    {%- endfor %}
    {%- for days in periods %}
        change_{{ days }}d,
    {%- endfor %}
    {%- for days in periods %}
        pct_change_{{ days }}d,
    {%- endfor %}
    previous_tier,
    previous_tier_rank,
    tier_changed,
    days_in_current_tier
from final
