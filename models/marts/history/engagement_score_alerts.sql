{#- The rows a team acts on, one per customer, score_date and alert_type:
    - score_drop: the score fell by at least engagement_alert_drop_points, or by at least
      engagement_alert_drop_pct percent of a positive score, over 7 days (a percentage of a score
      at or below zero says nothing);
    - tier_drop: the customer moved down at least one tier since the day before;
    - churn_risk_entry: the first day the customer is in the lowest tier (churn_risk).
    The reason lists the event types whose points fell the most over the same span (decayed, when
    decay is on: a fall can then come from age alone). -#}
{%- set drop_points = engagement_alert_drop_points() -%}
{%- set drop_pct = engagement_alert_drop_pct() -%}
{%- set window_days = engagement_window_days() -%}
{%- set decayed = engagement_decay_half_life_days() is not none -%}

with score_changes as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier,
        tier_rank,
        score_1d_before,
        score_7d_before,
        change_1d,
        change_7d,
        pct_change_1d,
        pct_change_7d,
        previous_tier,
        previous_tier_rank
    from {{ ref('customer_engagement_score_changes') }}
),

daily_scores as (
    select
        customer_id,
        score_date,
        engagement_tier,
        tier_rank
    from {{ ref('customer_engagement_daily') }}
),

daily_points as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        points
    from {{ ref('int_engagement__daily_points') }}
),

open_session_points as (
    select
        customer_id,
        channel,
        event_type,
        score_date,
        {{ engagement_decayed_points('points', 'event_date', 'score_date') }}
        - {{ engagement_decayed_points('final_points', 'event_date', 'score_date') }} as points_change
    from {{ ref('int_engagement__open_session_points') }}
),

lowest_tier as (
    select min(tier_rank) as tier_rank
    from {{ ref('stg_engagement__tiers') }}
),

score_drops as (
    select
        score_changes.customer_id,
        score_changes.score_date,
        'score_drop' as alert_type,
        -- Percentages are compared exactly (pct_change is rounded): 29.998 % is not 30 %.
        case
            when
                -score_changes.change_7d >= 2 * {{ drop_points }}
                or (
                    score_changes.score_7d_before > 0
                    and -100 * score_changes.change_7d >= 2 * {{ drop_pct }} * score_changes.score_7d_before
                )
                then 'high'
            else 'medium'
        end as severity,
        7 as days_compared,
        score_changes.score_7d_before as score_before,
        score_changes.engagement_score as score_after,
        score_changes.change_7d as score_change,
        score_changes.pct_change_7d as pct_change,
        week_before.engagement_tier as tier_before,
        score_changes.engagement_tier as tier_after
    from score_changes
    left join daily_scores as week_before
        on
            score_changes.customer_id = week_before.customer_id
            and week_before.score_date = {{ dbt.dateadd('day', -7, 'score_changes.score_date') }}
    where
        score_changes.change_7d <= -{{ drop_points }}
        or (
            score_changes.score_7d_before > 0
            and -100 * score_changes.change_7d >= {{ drop_pct }} * score_changes.score_7d_before
        )
),

tier_drops as (
    select
        customer_id,
        score_date,
        'tier_drop' as alert_type,
        case when previous_tier_rank - tier_rank >= 2 then 'high' else 'medium' end as severity,
        1 as days_compared,
        score_1d_before as score_before,
        engagement_score as score_after,
        change_1d as score_change,
        pct_change_1d as pct_change,
        previous_tier as tier_before,
        engagement_tier as tier_after
    from score_changes
    where tier_rank < previous_tier_rank
),

churn_risk_days as (
    select
        score_changes.customer_id,
        score_changes.score_date,
        row_number() over (
            partition by score_changes.customer_id
            order by score_changes.score_date
        ) as churn_risk_day
    from score_changes
    inner join lowest_tier
        on score_changes.tier_rank = lowest_tier.tier_rank
),

churn_risk_entries as (
    select
        score_changes.customer_id,
        score_changes.score_date,
        'churn_risk_entry' as alert_type,
        'high' as severity,
        1 as days_compared,
        score_changes.score_1d_before as score_before,
        score_changes.engagement_score as score_after,
        score_changes.change_1d as score_change,
        score_changes.pct_change_1d as pct_change,
        score_changes.previous_tier as tier_before,
        score_changes.engagement_tier as tier_after
    from score_changes
    inner join churn_risk_days
        on
            score_changes.customer_id = churn_risk_days.customer_id
            and score_changes.score_date = churn_risk_days.score_date
    where churn_risk_days.churn_risk_day = 1
),

alerts as (
    select * from score_drops
    union all
    select * from tier_drops
    union all
    select * from churn_risk_entries
),

-- Over days_compared, an event type's window points change by what it earns in the window of the
-- alert's date less what it earned in the window days_compared before. Undecayed, a day in both
-- windows counts the same in each, so only the days that entered or left are read; with decay
-- every day of either window counts at its age on each date.
day_offsets as (
    select generated_number - 1 as days_back
    from ({{ dbt.generate_series(window_days + 7) }}) as series
),

alert_days as (
    select
        alerts.customer_id,
        alerts.score_date,
        alerts.alert_type,
        cast({{ dbt.dateadd('day', '-alerts.days_compared', 'alerts.score_date') }} as date) as compared_date,
        cast({{ dbt.dateadd('day', '-day_offsets.days_back', 'alerts.score_date') }} as date) as event_date,
        day_offsets.days_back < {{ window_days }} as in_window_after,
        day_offsets.days_back >= alerts.days_compared as in_window_before
    from alerts
    inner join day_offsets
        on
            alerts.days_compared + {{ window_days }} > day_offsets.days_back
            {%- if not decayed %}
                and (alerts.days_compared > day_offsets.days_back or day_offsets.days_back >= {{ window_days }})
            {%- endif %}
),

window_day_moves as (
    select
        alert_days.customer_id,
        alert_days.score_date,
        alert_days.alert_type,
        daily_points.channel,
        daily_points.event_type,
        {%- set points_after = engagement_decayed_points(
            'daily_points.points', 'daily_points.event_date', 'alert_days.score_date'
        ) %}
        {%- set points_before = engagement_decayed_points(
            'daily_points.points', 'daily_points.event_date', 'alert_days.compared_date'
        ) %}
        case when alert_days.in_window_after then {{ points_after }} else 0 end
        - case when alert_days.in_window_before then {{ points_before }} else 0 end as points
    from alert_days
    inner join daily_points
        on
            alert_days.customer_id = daily_points.customer_id
            and alert_days.event_date = daily_points.event_date
    -- Sessions still going on at the end of either date counted as they were then: what they
    -- changed on the alert's date, less what they changed days_compared before.
    union all
    select
        alerts.customer_id,
        alerts.score_date,
        alerts.alert_type,
        open_session_points.channel,
        open_session_points.event_type,
        case
            when open_session_points.score_date = alerts.score_date then open_session_points.points_change
            else -open_session_points.points_change
        end as points
    from alerts
    inner join open_session_points
        on
            alerts.customer_id = open_session_points.customer_id
            and (
                alerts.score_date = open_session_points.score_date
                or {{ dbt.dateadd('day', '-alerts.days_compared', 'alerts.score_date') }}
                = open_session_points.score_date
            )
),

event_type_changes as (
    select
        customer_id,
        score_date,
        alert_type,
        {{ dbt.concat(['channel', "'.'", 'event_type']) }} as event_type,
        sum(points) as points_change
    from window_day_moves
    group by customer_id, score_date, alert_type, channel, event_type
),

ranked_event_type_changes as (
    select
        customer_id,
        score_date,
        alert_type,
        {%- set points_as_score = 'cast(points_change as ' ~ engagement_type_score() ~ ')' %}
        {%- set points_text = 'cast(' ~ points_as_score ~ ' as ' ~ dbt.type_string() ~ ')' %}
        {{ dbt.concat(['event_type', "' '", points_text]) }} as event_type_change,
        row_number() over (
            partition by customer_id, score_date, alert_type
            order by points_change, event_type
        ) as fall_rank
    from event_type_changes
    where points_change < 0
),

reasons as (
    select
        customer_id,
        score_date,
        alert_type,
        max(case when fall_rank = 1 then event_type_change end) as first_reason,
        max(case when fall_rank = 2 then event_type_change end) as second_reason,
        max(case when fall_rank = 3 then event_type_change end) as third_reason
    from ranked_event_type_changes
    where fall_rank <= 3
    group by customer_id, score_date, alert_type
),

final as (
    select
        alerts.customer_id,
        alerts.score_date,
        alerts.alert_type,
        alerts.severity,
        cast(alerts.days_compared as {{ dbt.type_bigint() }}) as days_compared,
        alerts.score_before,
        alerts.score_after,
        alerts.score_change,
        alerts.pct_change,
        alerts.tier_before,
        alerts.tier_after,
        {%- set two_reasons = ['reasons.first_reason', "', '", 'reasons.second_reason'] %}
        case
            when reasons.third_reason is not null
                then {{ dbt.concat(two_reasons + ["', '", 'reasons.third_reason']) }}
            when reasons.second_reason is not null
                then {{ dbt.concat(two_reasons) }}
            else reasons.first_reason
        end as reason
    from alerts
    left join reasons
        on
            alerts.customer_id = reasons.customer_id
            and alerts.score_date = reasons.score_date
            and alerts.alert_type = reasons.alert_type
)

select * from final
