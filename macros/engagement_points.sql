{#- The scoring steps, each one complete select over the relation or CTE it is given (as
    dbt_utils.deduplicate). Each intermediate model is one step over its ref; the score mart
    chains them over one `events` CTE, `web_sessions as ({{ engagement_web_sessions('web_events') }})`
    and so on, so the engine reads the event stream once for the score instead of waiting on the
    all-days tables (docs/benchmarks.md). The CTEs inside a step are its own: no name leaks. -#}

{#- Web events (customer_id, event_type, occurred_at, session_id) → one row per web session.
    The tracker's session_id is trusted as sent; events without one start a new session after
    engagement_session_timeout_minutes of inactivity (a gap exactly at the timeout stays in).
    `session_number_offsets` (customer_id, session_number_offset), when given, numbers a
    customer's untracked sessions on from the offset: an incremental run sessionizes only the
    events after the untracked sessions it keeps. -#}
{% macro engagement_web_sessions(web_events, session_number_offsets=none) -%}
with untracked_web_events as (
    select
        customer_id,
        event_type,
        occurred_at,
        lag(occurred_at) over (
            partition by customer_id
            order by occurred_at
        ) as previous_occurred_at
    from {{ web_events }}
    where session_id is null
),

untracked_session_starts as (
    select
        customer_id,
        event_type,
        occurred_at,
        case
            when previous_occurred_at is null then 1
            when {{ engagement_microseconds_between('previous_occurred_at', 'occurred_at') }}
                > {{ engagement_session_timeout_seconds() * 1000000 }} then 1
            else 0
        end as starts_session
    from untracked_web_events
),

-- Events at the same time are in no particular order, and only the first of them can start a
-- session; summing over the range (all rows up to this time, ties included) gives every one of
-- them the same session number whichever is first, so no tie-break column is needed.
untracked_session_numbers as (
    select
        untracked_session_starts.customer_id,
        untracked_session_starts.event_type,
        untracked_session_starts.occurred_at,
        {%- if session_number_offsets is not none %}
        coalesce(session_number_offsets.session_number_offset, 0) +
        {%- endif %}
        sum(untracked_session_starts.starts_session) over (
            partition by untracked_session_starts.customer_id
            order by untracked_session_starts.occurred_at
            range between unbounded preceding and current row
        ) as session_number
    from untracked_session_starts
    {%- if session_number_offsets is not none %}
        left join {{ session_number_offsets }} as session_number_offsets
            on untracked_session_starts.customer_id = session_number_offsets.customer_id
    {%- endif %}
),

sessionized_web_events as (
    select
        customer_id,
        session_id,
        cast(null as {{ dbt.type_bigint() }}) as session_number,
        event_type,
        occurred_at
    from {{ web_events }}
    where session_id is not null

    union all

    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        session_number,
        event_type,
        occurred_at
    from untracked_session_numbers
),

-- One group per tracker session id or per untracked session number (the other one is null).
session_totals as (
    select
        customer_id,
        session_id,
        session_number,
        min(occurred_at) as session_start_at,
        max(occurred_at) as session_end_at,
        count(*) as web_events,
        sum(case when event_type = 'page_view' then 1 else 0 end) as page_views,
        sum(case when event_type = 'click' then 1 else 0 end) as clicks
    from sessionized_web_events
    group by customer_id, session_id, session_number
)

select
    case
        when session_id is not null then {{ dbt.concat(['customer_id', "'|tracker|'", 'session_id']) }}
        else {{ dbt.concat(['customer_id', "'|inactivity|'", 'cast(session_number as ' ~ dbt.type_string() ~ ')']) }}
    end as session_key,
    customer_id,
    session_id,
    session_start_at,
    session_end_at,
    cast(session_start_at as date) as session_date,
    cast(web_events as {{ dbt.type_bigint() }}) as web_events,
    cast(page_views as {{ dbt.type_bigint() }}) as page_views,
    cast(clicks as {{ dbt.type_bigint() }}) as clicks,
    {{ engagement_integer_divide(engagement_microseconds_between('session_start_at', 'session_end_at'), '1000000') }}
        as duration_seconds,
    {{ engagement_session_minutes('session_start_at', 'session_end_at') }} as duration_minutes,
    {{ engagement_is_bounce('page_views', 'web_events') }} as is_bounce
from session_totals
{%- endmacro %}

{#- The event types engagement_derived_events derives from web sessions (channel web). -#}
{% macro engagement_derived_event_types() %}
    {{ return(['session', 'bounce', 'minutes_on_site', 'returning_visit']) }}
{% endmacro %}

{#- Web sessions → the derived events: scoring events weighted through the seed like raw events
    (channel web), each stamped at its session's start so it lands on the session's day. They
    carry a quantity (minutes for minutes_on_site, else 1) and add points, never events. -#}
{% macro engagement_derived_events(web_sessions) -%}
with visit_days as (
    select
        customer_id,
        session_date as visit_date
    from {{ web_sessions }}
    group by customer_id, session_date
),

visit_days_with_previous as (
    select
        customer_id,
        visit_date,
        lag(visit_date) over (partition by customer_id order by visit_date) as previous_visit_date
    from visit_days
),

-- Returning = the customer visited on an earlier day that lies within one window length: every
-- window that holds both days counts it. A window whose first visit day this is does not, as
-- the earlier visit lies before it (engagement_event_type_points and the history's
-- engagement_first_visit_exclusions take those out), so every window is a sum of days.
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
    from {{ web_sessions }}
),

bounce_events as (
    select
        session_key,
        customer_id,
        'bounce' as event_type,
        session_start_at as occurred_at,
        session_date as event_date,
        cast(1 as {{ dbt.type_numeric() }}) as quantity
    from {{ web_sessions }}
    where is_bounce
),

minutes_on_site_events as (
    select
        session_key,
        customer_id,
        'minutes_on_site' as event_type,
        session_start_at as occurred_at,
        session_date as event_date,
        {{ engagement_capped_session_minutes('duration_minutes') }} as quantity
    from {{ web_sessions }}
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
    from {{ web_sessions }} as sessions
    inner join returning_visit_days
        on
            sessions.customer_id = returning_visit_days.customer_id
            and sessions.session_date = returning_visit_days.visit_date
),

session_derived_events as (
    select * from session_events
    union all
    select * from bounce_events
    union all
    select * from minutes_on_site_events
    union all
    select * from returning_visit_events
)

select
    {{ dbt.concat(['session_key', "':'", 'event_type']) }} as derived_event_key,
    session_key,
    customer_id,
    'web' as channel,
    event_type,
    occurred_at,
    event_date,
    quantity
from session_derived_events
{%- endmacro %}

{#- Raw and derived events (customer_id, channel, event_type, event_date, occurred_at, quantity)
    → points per customer, event type and UTC day, the grain the daily cap applies at.
    Derived events add units and points but no event_count. -#}
{% macro engagement_daily_points(events, derived_events) -%}
with scoring_events as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        quantity,
        1 as is_raw_event
    from {{ events }}

    union all

    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        quantity,
        0 as is_raw_event
    from {{ derived_events }}
),

event_weights as (
    select
        channel,
        event_type,
        weight,
        daily_cap
    from {{ ref('stg_engagement__event_weights') }}
),

daily_counts as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        cast(sum(is_raw_event) as {{ dbt.type_bigint() }}) as event_count,
        cast(sum(1 - is_raw_event) as {{ dbt.type_bigint() }}) as derived_event_count,
        cast(sum(quantity) as {{ dbt.type_numeric() }}) as units,
        max(case when is_raw_event = 1 then occurred_at end) as last_occurred_at
    from scoring_events
    group by customer_id, channel, event_type, event_date
),

capped_daily_counts as (
    select
        daily_counts.customer_id,
        daily_counts.channel,
        daily_counts.event_type,
        daily_counts.event_date,
        daily_counts.event_count,
        daily_counts.derived_event_count,
        daily_counts.units,
        {{ engagement_capped_units('daily_counts.units', 'event_weights.daily_cap') }} as counted_units,
        event_weights.weight,
        daily_counts.last_occurred_at
    from daily_counts
    left join event_weights
        on
            daily_counts.channel = event_weights.channel
            and daily_counts.event_type = event_weights.event_type
)

select
    customer_id,
    channel,
    event_type,
    event_date,
    event_count,
    derived_event_count,
    units,
    counted_units,
    weight,
    last_occurred_at,
    {{ engagement_weighted_points('coalesce(weight, 0)', 'counted_units') }} as points
from capped_daily_counts
{%- endmacro %}

{#- Daily points → what each event type earned each customer in the scoring
    window (the score's terms). With time decay on, each day's points are decayed to the score
    date first. -#}
{% macro engagement_event_type_points(daily_points) -%}
    {%- set score_date = engagement_date_literal(engagement_score_date()) -%}
with window_daily_points as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        event_count,
        derived_event_count,
        counted_units,
        weight,
        points
    from {{ daily_points }}
    where
        event_date >= {{ engagement_date_literal(engagement_window_start()) }}
        and event_date <= {{ score_date }}
),

-- A returning visit needs an earlier visit day inside the window, so the window's first visit
-- day has none, whatever came before the window.
first_visit_dates as (
    select
        customer_id,
        min(event_date) as first_visit_date
    from window_daily_points
    where {{ engagement_is_visit_day_row() }}
    group by customer_id
),

counted_daily_points as (
    select
        window_daily_points.customer_id,
        window_daily_points.channel,
        window_daily_points.event_type,
        window_daily_points.event_date,
        window_daily_points.event_count,
        window_daily_points.derived_event_count,
        window_daily_points.counted_units,
        window_daily_points.weight,
        window_daily_points.points
    from window_daily_points
    left join first_visit_dates
        on
            window_daily_points.customer_id = first_visit_dates.customer_id
            and window_daily_points.event_date = first_visit_dates.first_visit_date
            and {{ engagement_is_returning_visit_row('window_daily_points') }}
    where first_visit_dates.customer_id is null
)

select
    customer_id,
    channel,
    event_type,
    {{ score_date }} as score_date,
    cast(sum(event_count) as {{ dbt.type_bigint() }}) as event_count,
    cast(sum(derived_event_count) as {{ dbt.type_bigint() }}) as derived_event_count,
    cast(sum(counted_units) as {{ dbt.type_numeric() }}) as counted_units,
    cast(max(weight) as {{ dbt.type_numeric() }}) as weight,
    cast(
        sum({{ engagement_decayed_points('points', 'event_date', score_date) }}) as {{ engagement_type_points() }}
    ) as points
from counted_daily_points
group by customer_id, channel, event_type
{%- endmacro %}

{#- Daily points → the first-visit exclusions: a returning visit needs an earlier visit day inside
    the window, so a day's returning_visit points do not count on the score dates whose window
    starts after the visit day before it (and still holds the day): from that visit day plus
    window_days (excluded_from) to the day before this day leaves the window (excluded_before).
    Reads the event dates from first_date to last_date, which must hold the visit days up to
    window_days − 1 before its returning-visit days (a returning visit never looks back further).
    Each CTE reads the daily points itself: PostgreSQL computes a CTE read twice on its own and
    guesses one row for every filter on it, and a nested loop over those guesses took hours. -#}
{% macro engagement_first_visit_exclusions(daily_points, first_date, last_date) -%}
    {%- set window_days = engagement_window_days() -%}
with visit_days as (
    select
        customer_id,
        event_date,
        lag(event_date) over (partition by customer_id order by event_date) as previous_visit_date
    from {{ daily_points }}
    where
        event_date >= {{ first_date }}
        and event_date <= {{ last_date }}
        and {{ engagement_is_visit_day_row() }}
),

returning_visit_points as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        points
    from {{ daily_points }}
    where
        event_date >= {{ first_date }}
        and event_date <= {{ last_date }}
        and {{ engagement_is_returning_visit_row() }}
)

select
    returning_visit_points.customer_id,
    returning_visit_points.channel,
    returning_visit_points.event_type,
    returning_visit_points.event_date,
    cast({{ dbt.dateadd('day', window_days, 'visit_days.previous_visit_date') }} as date) as excluded_from,
    cast({{ dbt.dateadd('day', window_days, 'returning_visit_points.event_date') }} as date) as excluded_before,
    returning_visit_points.points
from returning_visit_points
inner join visit_days
    on
        returning_visit_points.customer_id = visit_days.customer_id
        and returning_visit_points.event_date = visit_days.event_date
{%- endmacro %}

{#- A daily-points row that says the customer visited the site that day (a session started). -#}
{% macro engagement_is_visit_day_row() %}
    (channel = 'web' and event_type = 'session' and derived_event_count > 0)
{%- endmacro %}

{#- A daily-points row of derived returning visits. -#}
{% macro engagement_is_returning_visit_row(relation=none) %}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    ({{ prefix }}channel = 'web' and {{ prefix }}event_type = 'returning_visit' and {{ prefix }}derived_event_count > 0)
{%- endmacro %}

{#- Minutes from a session's first event to its last, exact to the microsecond and rounded half up
    to 6 decimals (whole micro-minutes). -#}
{% macro engagement_session_minutes(start_at, end_at) %}
    {%- set microseconds = engagement_microseconds_between(start_at, end_at) -%}
    cast(0.000001 * {{ engagement_integer_divide('2 * ' ~ microseconds ~ ' + 60', '120') }} as {{ dbt.type_numeric() }})
{%- endmacro %}

{#- A bounce is a session of exactly one page view and nothing else. -#}
{% macro engagement_is_bounce(page_views, web_events) %}
    ({{ page_views }} = 1 and {{ web_events }} = 1)
{%- endmacro %}

{#- What a session's minutes count for minutes_on_site: an open tab is not attention, so one
    session scores at most engagement_session_minutes_cap. -#}
{% macro engagement_capped_session_minutes(minutes) %}
    {%- set minutes_cap = engagement_session_minutes_cap() -%}
    cast(case when {{ minutes }} > {{ minutes_cap }} then {{ minutes_cap }} else {{ minutes }} end as {{ dbt.type_numeric() }})
{%- endmacro %}

{#- Units a customer scores for one event type on one day: at most its daily_cap (anti-gaming). -#}
{% macro engagement_capped_units(units, daily_cap) %}
    cast(
        case when {{ daily_cap }} is not null and {{ units }} > {{ daily_cap }} then {{ daily_cap }} else {{ units }} end
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
