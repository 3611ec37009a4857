{#- The measures teams watch beside the score, per customer on score_date. Counts and session
    measures cover the scoring window; app, NPS and CSAT state is as of the end of score_date,
    however old. Ratios with a zero denominator are null. -#}
{%- set score_date = engagement_date_literal(engagement_score_date()) -%}
{%- set window_start = engagement_date_literal(engagement_window_start()) -%}

with customers as (
    select customer_id
    from {{ ref('int_engagement__customers') }}
),

event_type_points as (
    select
        customer_id,
        channel,
        event_type,
        event_count
    from {{ ref('int_engagement__event_type_points') }}
),

sessions as (
    select
        customer_id,
        session_date,
        page_views,
        duration_minutes,
        is_bounce
    from {{ ref('int_engagement__web_sessions') }}
    where session_date >= {{ window_start }} and session_date <= {{ score_date }}
),

offline_events as (
    select
        source_row_key,
        customer_id,
        event_type,
        event_date
    from {{ ref('int_engagement__events') }}
    where source_table = 'offline_registrations'
),

app_devices as (
    select
        customer_id,
        has_app_installed
    from {{ ref('int_engagement__app_device_status') }}
),

latest_survey_answers as (
    select
        customer_id,
        survey_type,
        score,
        answer_category
    from {{ ref('int_engagement__latest_survey_answers') }}
),

customer_event_counts as (
    select
        customer_id,
        sum(case when channel = 'web' and event_type = 'page_view' then event_count else 0 end) as page_views,
        sum(case when channel = 'web' and event_type = 'click' then event_count else 0 end) as clicks,
        sum(case when channel = 'social' and event_type = 'like' then event_count else 0 end) as social_likes,
        sum(case when channel = 'social' and event_type = 'comment' then event_count else 0 end) as social_comments,
        sum(case when channel = 'social' and event_type = 'share' then event_count else 0 end) as social_shares,
        sum(case when channel = 'app' and event_type = 'app_install' then event_count else 0 end) as app_installs,
        sum(case when channel = 'app' and event_type = 'app_open' then event_count else 0 end) as app_opens,
        sum(case when channel = 'app' and event_type = 'app_uninstall' then event_count else 0 end) as app_uninstalls,
        sum(
            case when channel = 'offline' and event_type = 'registration' then event_count else 0 end
        ) as offline_registrations,
        sum(
            case when channel = 'offline' and event_type = 'attendance' then event_count else 0 end
        ) as offline_attendances,
        sum(case when channel = 'product' then event_count else 0 end) as product_actions
    from event_type_points
    group by customer_id
),

customer_sessions as (
    select
        customer_id,
        count(*) as sessions,
        sum(page_views) as session_page_views,
        sum(duration_minutes) as session_minutes,
        sum(case when is_bounce then 1 else 0 end) as bounced_sessions,
        count(distinct session_date) as visit_days,
        {{ engagement_days_between('min(session_date)', 'max(session_date)') }} as first_to_last_visit_days
    from sessions
    group by customer_id
),

-- A registration and its attendance share the raw row they come from.
registrations as (
    select
        source_row_key,
        customer_id,
        min(case when event_type = 'registration' then event_date end) as registered_on,
        max(
            case when event_type = 'attendance' and event_date <= {{ score_date }} then 1 else 0 end
        ) as is_attended
    from offline_events
    group by source_row_key, customer_id
),

customer_registrations as (
    select
        customer_id,
        count(*) as registrations,
        sum(is_attended) as attended_registrations
    from registrations
    where registered_on >= {{ window_start }} and registered_on <= {{ score_date }}
    group by customer_id
),

customer_app_state as (
    select
        customer_id,
        max(case when has_app_installed then 1 else 0 end) as has_app_installed
    from app_devices
    group by customer_id
),

customer_surveys as (
    select
        customer_id,
        max(case when survey_type = 'nps' then score end) as latest_nps,
        max(case when survey_type = 'nps' then answer_category end) as nps_category,
        max(case when survey_type = 'csat' then score end) as latest_csat
    from latest_survey_answers
    group by customer_id
),

final as (
    select
        customers.customer_id,
        {{ score_date }} as score_date,
        cast(coalesce(customer_event_counts.page_views, 0) as {{ dbt.type_bigint() }}) as page_views,
        cast(coalesce(customer_event_counts.clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(customer_sessions.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        {{ engagement_ratio('customer_sessions.session_page_views', 'customer_sessions.sessions') }}
            as pages_per_session,
        {{ engagement_ratio('customer_sessions.session_minutes', 'customer_sessions.sessions') }}
            as avg_session_minutes,
        cast(coalesce(customer_sessions.session_minutes, 0) as {{ dbt.type_numeric() }}) as minutes_on_site,
        {{ engagement_ratio('customer_sessions.bounced_sessions', 'customer_sessions.sessions') }}
            as bounce_rate,
        cast(coalesce(customer_sessions.visit_days, 0) as {{ dbt.type_bigint() }}) as visit_days,
        {{ engagement_ratio('customer_sessions.first_to_last_visit_days', 'customer_sessions.visit_days - 1') }}
            as avg_days_between_visits,
        cast(coalesce(customer_event_counts.social_likes, 0) as {{ dbt.type_bigint() }}) as social_likes,
        cast(coalesce(customer_event_counts.social_comments, 0) as {{ dbt.type_bigint() }}) as social_comments,
        cast(coalesce(customer_event_counts.social_shares, 0) as {{ dbt.type_bigint() }}) as social_shares,
        cast(coalesce(customer_event_counts.app_installs, 0) as {{ dbt.type_bigint() }}) as app_installs,
        cast(coalesce(customer_event_counts.app_opens, 0) as {{ dbt.type_bigint() }}) as app_opens,
        cast(coalesce(customer_event_counts.app_uninstalls, 0) as {{ dbt.type_bigint() }}) as app_uninstalls,
        {%- if engagement_uses_table('app_events') %}
            coalesce(customer_app_state.has_app_installed, 0) = 1 as has_app_installed,
        {%- else %}
            -- Without app events nobody knows.
            cast(null as {{ dbt.type_boolean() }}) as has_app_installed,
        {%- endif %}
        cast(coalesce(customer_event_counts.offline_registrations, 0) as {{ dbt.type_bigint() }})
            as offline_registrations,
        cast(coalesce(customer_event_counts.offline_attendances, 0) as {{ dbt.type_bigint() }})
            as offline_attendances,
        {{ engagement_ratio('customer_registrations.attended_registrations', 'customer_registrations.registrations') }}
            as attendance_rate,
        cast(customer_surveys.latest_nps as {{ dbt.type_int() }}) as latest_nps,
        customer_surveys.nps_category,
        cast(customer_surveys.latest_csat as {{ dbt.type_int() }}) as latest_csat,
        cast(coalesce(customer_event_counts.product_actions, 0) as {{ dbt.type_bigint() }}) as product_actions
    from customers
    left join customer_event_counts
        on customers.customer_id = customer_event_counts.customer_id
    left join customer_sessions
        on customers.customer_id = customer_sessions.customer_id
    left join customer_registrations
        on customers.customer_id = customer_registrations.customer_id
    left join customer_app_state
        on customers.customer_id = customer_app_state.customer_id
    left join customer_surveys
        on customers.customer_id = customer_surveys.customer_id
)

select
    customer_id,
    score_date,
    page_views,
    clicks,
    sessions,
    pages_per_session,
    avg_session_minutes,
    minutes_on_site,
    bounce_rate,
    visit_days,
    avg_days_between_visits,
    social_likes,
    social_comments,
    social_shares,
    app_installs,
    app_opens,
    app_uninstalls,
    has_app_installed,
    offline_registrations,
    offline_attendances,
    attendance_rate,
    latest_nps,
    nps_category,
    latest_csat,
    product_actions
from final
