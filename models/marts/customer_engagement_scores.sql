{%- set score_date = engagement_date_literal(engagement_score_date()) -%}

with customers as (
    select
        customer_id,
        account_id,
        plan,
        country,
        persona
    from {{ ref('stg_engagement__customers') }}
),

event_type_points as (
    select
        customer_id,
        channel,
        event_count,
        points
    from {{ ref('int_engagement__event_type_points') }}
),

daily_points as (
    select
        customer_id,
        event_date,
        last_occurred_at
    from {{ ref('int_engagement__daily_points') }}
    -- Days with derived events only (no raw event) are not active days.
    where event_date <= {{ score_date }} and event_count > 0
),

customer_points as (
    select
        customer_id,
        sum(points) as total_points,
        {%- for channel in engagement_channels() %}
            sum(case when channel = '{{ channel }}' then points else 0 end) as {{ channel }}_points,
        {%- endfor %}
        sum(event_count) as event_count
    from event_type_points
    group by customer_id
),

-- The latest event may lie long before the window; active days count only inside it.
last_events as (
    select
        customer_id,
        max(last_occurred_at) as last_event_at
    from daily_points
    group by customer_id
),

active_days as (
    select
        customer_id,
        count(distinct event_date) as active_days
    from daily_points
    where event_date >= {{ engagement_date_literal(engagement_window_start()) }}
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.account_id,
        customers.plan,
        customers.country,
        customers.persona,
        {{ score_date }} as score_date,
        -- The score rounds the exact sum once; each channel part is rounded on its own.
        {{ engagement_round_points('customer_points.total_points') }} as engagement_score,
        {%- for channel in engagement_channels() %}
            {{ engagement_round_points('customer_points.' ~ channel ~ '_points') }} as {{ channel }}_score,
        {%- endfor %}
        cast(coalesce(customer_points.event_count, 0) as {{ dbt.type_bigint() }}) as event_count,
        cast(coalesce(active_days.active_days, 0) as {{ dbt.type_bigint() }}) as active_days,
        last_events.last_event_at
    from customers
    left join customer_points
        on customers.customer_id = customer_points.customer_id
    left join active_days
        on customers.customer_id = active_days.customer_id
    left join last_events
        on customers.customer_id = last_events.customer_id
)

select * from final
