{#- Scoring events derived from web sessions, weighted through the weights seed like raw events
    (channel web). They carry a quantity (minutes for minutes_on_site, else 1) and add points,
    never events: int_engagement__daily_points keeps them out of event counts.
    Every derived event is stamped at its session's start, so it lands on the session's day. -#}
{%- set minutes_cap = engagement_positive_number_var('engagement_session_minutes_cap', 60) -%}

with sessions as (
    select
        session_key,
        customer_id,
        session_start_at,
        session_date,
        duration_minutes,
        is_bounce
    from {{ ref('int_engagement__web_sessions') }}
),

visit_days as (
    select
        customer_id,
        session_date as visit_date
    from sessions
    group by customer_id, session_date
),

visit_days_with_previous as (
    select
        customer_id,
        visit_date,
        lag(visit_date) over (partition by customer_id order by visit_date) as previous_visit_date
    from visit_days
),

-- Returning = the customer visited on an earlier day that lies within one window length, so the
-- flag of a session never depends on which score_date is being computed.
returning_visit_days as (
    select
        customer_id,
        visit_date
    from visit_days_with_previous
    where
        previous_visit_date is not null
        and {{ dbt.datediff('previous_visit_date', 'visit_date', 'day') }}
        <= {{ engagement_window_days() - 1 }}
),

session_events as (
    select
        session_key,
        customer_id,
        'session' as event_type,
        session_start_at as occurred_at,
        session_date as event_date,
        cast(1 as {{ dbt.type_numeric() }}) as quantity
    from sessions
),

bounce_events as (
    select
        session_key,
        customer_id,
        'bounce' as event_type,
        session_start_at as occurred_at,
        session_date as event_date,
        cast(1 as {{ dbt.type_numeric() }}) as quantity
    from sessions
    where is_bounce
),

minutes_on_site_events as (
    select
        session_key,
        customer_id,
        'minutes_on_site' as event_type,
        session_start_at as occurred_at,
        session_date as event_date,
        -- An open tab is not attention: one session scores at most the cap.
        cast(
            case
                when duration_minutes > {{ minutes_cap }} then {{ minutes_cap }}
                else duration_minutes
            end
            as {{ dbt.type_numeric() }}
        ) as quantity
    from sessions
    where duration_minutes > 0
),

returning_visit_events as (
    select
        sessions.session_key,
        sessions.customer_id,
        'returning_visit' as event_type,
        sessions.session_start_at as occurred_at,
        sessions.session_date as event_date,
        cast(1 as {{ dbt.type_numeric() }}) as quantity
    from sessions
    inner join returning_visit_days
        on
            sessions.customer_id = returning_visit_days.customer_id
            and sessions.session_date = returning_visit_days.visit_date
),

unioned as (
    select * from session_events
    union all
    select * from bounce_events
    union all
    select * from minutes_on_site_events
    union all
    select * from returning_visit_events
),

final as (
    select
        {{ dbt.concat(['session_key', "':'", 'event_type']) }} as derived_event_key,
        session_key,
        customer_id,
        'web' as channel,
        event_type,
        occurred_at,
        event_date,
        quantity
    from unioned
)

select
    derived_event_key,
    session_key,
    customer_id,
    channel,
    event_type,
    occurred_at,
    event_date,
    quantity
from final
