{#- How each customer's score and tier moved: per customer and score_date, the score 1, 7 and 30
    days before, the change and percent change, the tier the day before and how long the customer
    has been in the current tier. -#}
{%- set periods = [1, 7, 30] -%}

with daily_scores as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank
    from {{ ref('customer_engagement_daily') }}
),

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
            case
                when lag(score_date, {{ days }}) over customer_dates = {{ dbt.dateadd('day', -days, 'score_date') }}
                    then lag(engagement_score, {{ days }}) over customer_dates
            end as score_{{ days }}d_before,
        {%- endfor %}
        case
            when lag(score_date) over customer_dates = {{ dbt.dateadd('day', -1, 'score_date') }}
                then lag(engagement_tier) over customer_dates
        end as previous_tier,
        case
            when lag(score_date) over customer_dates = {{ dbt.dateadd('day', -1, 'score_date') }}
                then lag(tier_rank) over customer_dates
        end as previous_tier_rank
    from daily_scores
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

final as (
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
            cast(engagement_score - score_{{ days }}d_before as {{ engagement_type_score() }}) as change_{{ days }}d,
        {%- endfor %}
        -- Relative to the size of the earlier score, so a fall is negative also below zero.
        {%- for days in periods %}
            {{ engagement_percent_change('engagement_score', 'score_' ~ days ~ 'd_before') }} as pct_change_{{ days }}d,
        {%- endfor %}
        previous_tier,
        previous_tier_rank,
        coalesce(previous_tier <> engagement_tier, false) as tier_changed,
        cast(row_number() over (
            partition by customer_id, tier_stretch
            order by score_date
        ) as {{ dbt.type_bigint() }}) as days_in_current_tier
    from tier_stretches
)

select * from final
