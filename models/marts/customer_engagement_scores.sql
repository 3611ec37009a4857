{#- One statement from the deduplicated event stream to the score: `events` is read by the
    sessions, the window's daily points and the latest event, and the engine computes it once.
    Each step is the complete select the intermediate model of that step runs
    (macros/engagement_points.sql), kept to the scoring window here, so this table does not wait
    on the all-days tables (see docs/benchmarks.md).
    On the load-time path (var engagement_loaded_at_column) the daily points are kept current by
    runs that rebuild only the customer-days new rows reach, so the score sums the window's terms
    that int_engagement__event_type_points computes from them instead of sessionizing again. -#}
{%- set score_date = engagement_date_literal(engagement_score_date()) -%}
{%- set first_day = engagement_window_start() -%}
{%- set window_start = engagement_date_literal(first_day) -%}
{%- set session_cut = engagement_timestamp_literal(
    modules.datetime.datetime(first_day.year, first_day.month, first_day.day)
    - modules.datetime.timedelta(seconds=engagement_session_timeout_seconds())
) -%}

with customers as (
    select
        customer_id,
        account_id,
        plan,
        country,
        persona
    from {{ ref('int_engagement__customers') }}
),

events as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        session_id,
        quantity
    from {{ ref('int_engagement__events') }}
),

{% if engagement_loaded_at_column() is none %}
    -- Sessions only feed the derived event types. When every one of them weighs 0 or has no weight,
    -- they add no points (and never events), so the web events are not sessionized: sorting them is
    -- most of the score's cost, and a team that does not weight sessions should not pay for it.
    weighted_derived_types as (
        select count(*) as weighted_types
        from {{ ref('stg_engagement__event_weights') }}
        where
            channel = 'web'
            and event_type in {{ engagement_in_list(engagement_derived_event_types()) }}
            and weight <> 0
    ),

    -- Only sessions that start in the window add to the score (a session's day is the day it starts;
    -- a returning visit needs an earlier visit day inside the window), and whether an untracked event
    -- starts a session depends on the event before it alone: the web events from one session timeout
    -- before the window on settle every session that starts in it, however long the history before.
    -- Events after score_date do not count, so a session still going on at midnight ends there.
    web_events as (
        select
            customer_id,
            event_type,
            occurred_at,
            session_id
        from events
        where
            channel = 'web'
            and occurred_at >= {{ session_cut }}
            and event_date <= {{ score_date }}
            and (select weighted_derived_types.weighted_types from weighted_derived_types) > 0
    ),

    -- A tracker session is one id however far apart its events lie: an id also sent before the cut
    -- began before the window, and none of its derived events fall in it.
    window_tracker_sessions as (
        select distinct
            customer_id,
            session_id
        from web_events
        where session_id is not null
    ),

    earlier_tracker_sessions as (
        select distinct
            window_tracker_sessions.customer_id,
            window_tracker_sessions.session_id
        from window_tracker_sessions
        inner join events
            on
                window_tracker_sessions.customer_id = events.customer_id
                and window_tracker_sessions.session_id = events.session_id
        where events.channel = 'web' and events.occurred_at < {{ session_cut }}
    ),

    session_events as (
        select
            web_events.customer_id,
            web_events.event_type,
            web_events.occurred_at,
            web_events.session_id
        from web_events
        left join earlier_tracker_sessions
            on
                web_events.customer_id = earlier_tracker_sessions.customer_id
                and web_events.session_id = earlier_tracker_sessions.session_id
        where earlier_tracker_sessions.customer_id is null
    ),

    web_sessions as (
        {{ engagement_web_sessions('session_events') | indent(8) }}
    ),

    derived_events as (
        {{ engagement_derived_events('web_sessions') | indent(8) }}
    ),

    window_events as (
        select
            customer_id,
            channel,
            event_type,
            event_date,
            occurred_at,
            quantity
        from events
        where event_date >= {{ window_start }} and event_date <= {{ score_date }}
    ),

    window_derived_events as (
        select
            customer_id,
            channel,
            event_type,
            event_date,
            occurred_at,
            quantity
        from derived_events
        where event_date >= {{ window_start }} and event_date <= {{ score_date }}
    ),

    daily_points as (
        {{ engagement_daily_points('window_events', 'window_derived_events') | indent(8) }}
    ),

    event_type_points as (
        {{ engagement_event_type_points('daily_points') | indent(8) }}
    ),
{% else %}
    -- Kept current by the load-time path's incremental runs: the window's terms are those of
    -- int_engagement__event_type_points, and the window's daily points give the active days.
    daily_points as (
        select
            customer_id,
            event_date,
            event_count
        from {{ ref('int_engagement__daily_points') }}
        where event_date >= {{ window_start }} and event_date <= {{ score_date }}
    ),

    event_type_points as (
        select
            customer_id,
            channel,
            event_count,
            points
        from {{ ref('int_engagement__event_type_points') }}
    ),
{% endif %}

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

-- Days with derived events only (no raw event) are not active days.
active_days as (
    select
        customer_id,
        count(distinct event_date) as active_days
    from daily_points
    where event_count > 0
    group by customer_id
),

-- The latest event may lie long before the window.
last_events as (
    select
        customer_id,
        max(occurred_at) as last_event_at
    from events
    where event_date <= {{ score_date }}
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

select
    customer_id,
    account_id,
    plan,
    country,
    persona,
    score_date,
    engagement_score,
    {%- for channel in engagement_channels() %}
        {{ channel }}_score,
    {%- endfor %}
    event_count,
    active_days,
    last_event_at
from final
