{#- Daily, weekly and monthly active customers for every day of the scoring window. A customer is
    active on a UTC day with at least one accepted raw event; WAU and MAU count customers active in
    the 7 and 30 days ending that day. -#}
{%- set score_date = engagement_date_literal(engagement_score_date()) -%}
{%- set window_start = engagement_date_literal(engagement_window_start()) -%}

with customers as (
    select count(*) as customers
    from {{ ref('int_engagement__customers') }}
),

customer_active_days as (
    select
        customer_id,
        activity_date
    from {{ ref('int_engagement__customer_active_days') }}
),

window_days as (
    select
        cast({{ dbt.dateadd('day', 'cast(generated_number as ' ~ dbt.type_int() ~ ') - 1', window_start) }} as date)
            as activity_date
    from ({{ dbt.generate_series(engagement_window_days()) }}) as day_numbers
),

customer_active_days_in_sequence as (
    select
        customer_id,
        activity_date,
        min(activity_date) over (partition by customer_id) as first_activity_date,
        lead(activity_date) over (partition by customer_id order by activity_date) as next_activity_date
    from customer_active_days
),

-- An active day keeps its customer in WAU (MAU) until the next active day takes over or 7 (30)
-- days have passed: +1 on the day, -1 when that stretch ends. A running sum of these changes
-- counts distinct active customers without joining every day to every earlier day.
coverage_changes as (
    select
        activity_date as change_date,
        1 as wau_change,
        1 as mau_change
    from customer_active_days_in_sequence

    union all

    select
        case
            when next_activity_date < {{ dbt.dateadd('day', 7, 'activity_date') }} then next_activity_date
            else cast({{ dbt.dateadd('day', 7, 'activity_date') }} as date)
        end as change_date,
        -1 as wau_change,
        0 as mau_change
    from customer_active_days_in_sequence

    union all

    select
        case
            when next_activity_date < {{ dbt.dateadd('day', 30, 'activity_date') }} then next_activity_date
            else cast({{ dbt.dateadd('day', 30, 'activity_date') }} as date)
        end as change_date,
        0 as wau_change,
        -1 as mau_change
    from customer_active_days_in_sequence
),

-- Changes before the window all count on its first day; changes after score_date never do.
daily_coverage_changes as (
    select
        case when change_date < {{ window_start }} then {{ window_start }} else change_date end as activity_date,
        sum(wau_change) as wau_change,
        sum(mau_change) as mau_change
    from coverage_changes
    where change_date <= {{ score_date }}
    group by case when change_date < {{ window_start }} then {{ window_start }} else change_date end
),

daily_active_customers as (
    select
        activity_date,
        count(*) as dau,
        sum(case when activity_date = first_activity_date then 1 else 0 end) as new_active_customers
    from customer_active_days_in_sequence
    where activity_date >= {{ window_start }}
    group by activity_date
),

daily_activity as (
    select
        window_days.activity_date,
        coalesce(daily_active_customers.dau, 0) as dau,
        coalesce(daily_active_customers.new_active_customers, 0) as new_active_customers,
        sum(coalesce(daily_coverage_changes.wau_change, 0)) over (
            order by window_days.activity_date
            rows between unbounded preceding and current row
        ) as wau,
        sum(coalesce(daily_coverage_changes.mau_change, 0)) over (
            order by window_days.activity_date
            rows between unbounded preceding and current row
        ) as mau
    from window_days
    left join daily_active_customers
        on window_days.activity_date = daily_active_customers.activity_date
    left join daily_coverage_changes
        on window_days.activity_date = daily_coverage_changes.activity_date
),

final as (
    select
        daily_activity.activity_date,
        {{ score_date }} as score_date,
        cast(daily_activity.dau as {{ dbt.type_bigint() }}) as dau,
        cast(daily_activity.wau as {{ dbt.type_bigint() }}) as wau,
        cast(daily_activity.mau as {{ dbt.type_bigint() }}) as mau,
        {{ engagement_ratio('daily_activity.dau', 'daily_activity.mau') }} as stickiness,
        cast(daily_activity.new_active_customers as {{ dbt.type_bigint() }}) as new_active_customers,
        cast(daily_activity.dau - daily_activity.new_active_customers as {{ dbt.type_bigint() }})
            as returning_active_customers,
        {{ engagement_ratio('daily_activity.dau', 'customers.customers') }} as engagement_rate
    from daily_activity
    cross join customers
)

select
    activity_date,
    score_date,
    dau,
    wau,
    mau,
    stickiness,
    new_active_customers,
    returning_active_customers,
    engagement_rate
from final
