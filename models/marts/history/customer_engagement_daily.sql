{#- Every customer's score for every day: one row per customer and score_date, each equal to what
    customer_engagement_scores (and its tier) gives for that score_date. Built incrementally; which
    dates a run (re)builds is decided in macros/engagement_incremental.sql.

    The window rolls: a day's points enter the window sum on their own date and leave it
    window_days later, so each score date adds what enters and subtracts what leaves, and a
    running sum over the dates gives every window at once. Sums are exact decimals, so the
    subtraction loses nothing. With time decay a day is worth something else on every score date,
    so its decayed points are summed per score date instead. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=engagement_history_incremental_strategy(),
    unique_key='score_date',
    partition_by=engagement_history_partition_by(),
    on_schema_change='fail',
    pre_hook="{{ engagement_history_stale_rows_delete() }}",
    post_hook="{{ engagement_record_history_inputs() }}",
) }}

{%- set score_dates = engagement_history_score_dates(
    ref('int_engagement__daily_points'), ref('int_engagement__history_manifest')
) -%}
{%- set window_days = engagement_window_days() -%}
{%- set decayed = engagement_decay_half_life_days() is not none -%}
{%- set channels = engagement_channels() -%}
{%- set first_date = engagement_date_literal(score_dates.first) -%}
{%- set last_date = engagement_date_literal(score_dates.last) -%}
{#- Days before the first date built still count in its window. -#}
{%- set context_date = engagement_date_literal(score_dates.first - modules.datetime.timedelta(days=window_days - 1)) -%}
{#- A returning visit of those days looks back at most one more window. -#}
{%- set visit_lookback = modules.datetime.timedelta(days=2 * window_days - 2) -%}
{%- set visit_context_date = engagement_date_literal(score_dates.first - visit_lookback) -%}
{%- set date_count = (score_dates.last - score_dates.first).days + 1 -%}
{%- set history_start = engagement_history_start_date() -%}
{%- set measures = ['total_points'] -%}
{%- for channel in channels -%}
    {%- do measures.append(channel ~ '_points') -%}
{%- endfor -%}
{%- do measures.append('event_count') -%}

with window_points as (
    select
        customer_id,
        channel,
        event_date,
        event_count,
        points,
        last_occurred_at
    from {{ ref('int_engagement__daily_points') }}
    where
        event_date >= {{ context_date }}
        and event_date <= {{ last_date }}
),

first_visit_exclusions as (
    {{ engagement_first_visit_exclusions(
        ref('int_engagement__daily_points'), visit_context_date, last_date
    ) | indent(4) }}
),

open_session_points as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        score_date,
        points,
        final_points
    from {{ ref('int_engagement__open_session_points') }}
    where
        score_date >= {{ first_date }}
        and score_date <= {{ last_date }}
),

{% if score_dates.continues %}
    -- The dates before the first one built stay as they are: each customer's row of the day before
    -- says that their history has started and when they last had an event.
    rows_before as (
        select
            customer_id,
            last_event_at
        from {{ this }}
        where score_date = {{ engagement_date_literal(score_dates.first - modules.datetime.timedelta(days=1)) }}
    ),
{% else %}
    earlier_points as (
        select
            customer_id,
            event_date,
            last_occurred_at
        from {{ ref('int_engagement__daily_points') }}
        -- The history starts at the first raw event (derived events come from raw ones).
        where event_date <= {{ last_date }} and event_count > 0
    ),
{% endif %}

customers as (
    select
        customer_id,
        account_id,
        plan,
        country,
        persona
    from {{ ref('int_engagement__customers') }}
),

tiers as (
    select
        tier_rank,
        engagement_tier,
        min_score,
        min_inclusive,
        max_score,
        max_inclusive
    from {{ ref('stg_engagement__tiers') }}
),

score_dates as (
    select
        cast({{ dbt.dateadd('day', 'generated_number - 1', first_date) }} as date) as score_date
    from ({{ dbt.generate_series([date_count, 1] | max) }}) as series
    -- Nothing to build gives no dates.
    where generated_number <= {{ date_count }}
),

customer_days as (
    select
        customer_id,
        event_date,
        sum(points) as total_points,
        {%- for channel in channels %}
            sum(case when channel = '{{ channel }}' then points else 0 end) as {{ channel }}_points,
        {%- endfor %}
        sum(event_count) as event_count,
        -- A day with derived events only (no raw event) is not an active day.
        case when sum(event_count) > 0 then 1 else 0 end as active_day,
        max(last_occurred_at) as last_occurred_at
    from window_points
    group by customer_id, event_date
),

window_directions as (
    select 1 as direction
    union all
    select -1 as direction
),

-- What each day adds to the running sums on the date it enters the window (days before the
-- first date built all enter on that date) and takes away window_days later.
window_moves as (
    select
        customer_days.customer_id,
        case
            when window_directions.direction = -1
                then cast({{ dbt.dateadd('day', window_days, 'customer_days.event_date') }} as date)
            when customer_days.event_date < {{ first_date }} then {{ first_date }}
            else customer_days.event_date
        end as score_date,
        {%- for measure in measures %}
            {{ engagement_signed('customer_days.' ~ measure, 'window_directions.direction') }} as {{ measure }},
        {%- endfor %}
        {{ engagement_signed('customer_days.active_day', 'window_directions.direction') }} as active_days,
        case when window_directions.direction = 1 then customer_days.last_occurred_at end as last_occurred_at
    from customer_days
    cross join window_directions
    where
        window_directions.direction = 1
        or customer_days.event_date
        <= {{ engagement_date_literal(score_dates.last - modules.datetime.timedelta(days=window_days)) }}
),

-- Amounts that count from one score date until a later one, on top of the window sums: a session
-- still going on at the end of a score date counts on that date as it was then, and a returning
-- visit stops counting while its day is the window's first visit day. The points added and removed
-- stay apart next to their net amount, so that decay treats them as it treats the rows they stand for.
counted_intervals as (
    select
        customer_id,
        channel,
        event_date,
        score_date as counts_from,
        cast({{ dbt.dateadd('day', 1, 'score_date') }} as date) as counts_until,
        points as added_points,
        final_points as removed_points,
        points - final_points as net_points
    from open_session_points
    union all
    select
        customer_id,
        channel,
        event_date,
        excluded_from as counts_from,
        excluded_before as counts_until,
        cast(0 as {{ engagement_type_points() }}) as added_points,
        points as removed_points,
        -points as net_points
    from first_visit_exclusions
),

-- An interval adds its amount from its first date (the first date built, when that is later) and
-- takes it away on the date it ends.
interval_moves as (
    select
        counted_intervals.customer_id,
        case
            when window_directions.direction = -1 then counted_intervals.counts_until
            when counted_intervals.counts_from < {{ first_date }} then {{ first_date }}
            else counted_intervals.counts_from
        end as score_date,
        {%- set signed_net_points = engagement_signed('counted_intervals.net_points', 'window_directions.direction') %}
        {{ signed_net_points }} as total_points,
        {%- for channel in channels %}
            case
                when counted_intervals.channel = '{{ channel }}' then {{ signed_net_points }}
                else 0
            end as {{ channel }}_points,
        {%- endfor %}
        0 as event_count,
        0 as active_days,
        cast(null as {{ dbt.type_timestamp() }}) as last_occurred_at
    from counted_intervals
    cross join window_directions
    where
        counted_intervals.counts_until > {{ first_date }}
        and counted_intervals.counts_from <= {{ last_date }}
        and (window_directions.direction = 1 or counted_intervals.counts_until <= {{ last_date }})
),

score_date_moves as (
    select
        customer_id,
        score_date,
        {%- for measure in measures %}
            sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        sum(active_days) as active_days,
        max(last_occurred_at) as last_occurred_at
    from (
        select * from window_moves
        union all
        select * from interval_moves
    ) as moves
    group by customer_id, score_date
),

-- Where each customer's history starts (their first event, not before the history start date)
-- and their latest event before the first date built.
customer_spans as (
    {%- if score_dates.continues %}
        select
            customer_id,
            {{ first_date }} as first_score_date,
            last_event_at as last_event_before
        from rows_before
        union all
        -- Customers without a row the day before have no event before the first date built.
        select
            score_date_moves.customer_id,
            min(score_date_moves.score_date) as first_score_date,
            cast(null as {{ dbt.type_timestamp() }}) as last_event_before
        from score_date_moves
        left join rows_before
            on score_date_moves.customer_id = rows_before.customer_id
        where rows_before.customer_id is null
        group by score_date_moves.customer_id
    {%- else %}
        select
            customer_id,
            {%- if history_start is none %}
                min(event_date) as first_score_date,
            {%- else %}
                case
                    when min(event_date) < {{ engagement_date_literal(history_start) }}
                        then {{ engagement_date_literal(history_start) }}
                    else min(event_date)
                end as first_score_date,
            {%- endif %}
            max(case when event_date < {{ first_date }} then last_occurred_at end) as last_event_before
        from earlier_points
        group by customer_id
    {%- endif %}
),

{%- if decayed %}

-- With decay a day's points are worth less on every later score date: each daily_points row is
-- decayed to every score date whose window holds it, then summed per score date.
decayed_daily_points as (
    select
        window_points.customer_id,
        window_points.channel,
        score_dates.score_date,
        {{ engagement_decayed_points('window_points.points', 'window_points.event_date', 'score_dates.score_date') }}
            as points
    from window_points
    inner join score_dates
        on
            window_points.event_date <= score_dates.score_date
            and window_points.event_date > {{ dbt.dateadd('day', -window_days, 'score_dates.score_date') }}
    union all
    select
        counted_intervals.customer_id,
        counted_intervals.channel,
        score_dates.score_date,
        {{ engagement_decayed_points('counted_intervals.added_points', 'counted_intervals.event_date', 'score_dates.score_date') }}
        - {{ engagement_decayed_points('counted_intervals.removed_points', 'counted_intervals.event_date', 'score_dates.score_date') }}
            as points
    from counted_intervals
    inner join score_dates
        on
            counted_intervals.counts_from <= score_dates.score_date
            and counted_intervals.counts_until > score_dates.score_date
),

decayed_window_points as (
    select
        customer_id,
        score_date,
        {%- for channel in channels %}
            sum(case when channel = '{{ channel }}' then points else 0 end) as {{ channel }}_points,
        {%- endfor %}
        sum(points) as total_points
    from decayed_daily_points
    group by customer_id, score_date
),
{%- endif %}

customer_score_dates as (
    select
        customer_spans.customer_id,
        score_dates.score_date,
        customer_spans.last_event_before
    from customer_spans
    inner join score_dates
        on customer_spans.first_score_date <= score_dates.score_date
),

rolled as (
    select
        customer_score_dates.customer_id,
        customer_score_dates.score_date,
        {%- for measure in measures %}
            {%- if decayed and measure.endswith('_points') %}
                coalesce(decayed_window_points.{{ measure }}, 0) as {{ measure }},
            {%- else %}
                sum(coalesce(score_date_moves.{{ measure }}, 0)) over running_dates as {{ measure }},
            {%- endif %}
        {%- endfor %}
        sum(coalesce(score_date_moves.active_days, 0)) over running_dates as active_days,
        coalesce(
            max(score_date_moves.last_occurred_at) over running_dates,
            customer_score_dates.last_event_before
        ) as last_event_at
    from customer_score_dates
    left join score_date_moves
        on
            customer_score_dates.customer_id = score_date_moves.customer_id
            and customer_score_dates.score_date = score_date_moves.score_date
    {%- if decayed %}
        left join decayed_window_points
            on
                customer_score_dates.customer_id = decayed_window_points.customer_id
                and customer_score_dates.score_date = decayed_window_points.score_date
    {%- endif %}
    window running_dates as (
        partition by customer_score_dates.customer_id
        order by customer_score_dates.score_date
        rows between unbounded preceding and current row
    )
),

scored as (
    select
        customer_id,
        score_date,
        {{ engagement_round_points('total_points') }} as engagement_score,
        {%- for channel in channels %}
            {{ engagement_round_points(channel ~ '_points') }} as {{ channel }}_score,
        {%- endfor %}
        cast(event_count as {{ dbt.type_bigint() }}) as event_count,
        cast(active_days as {{ dbt.type_bigint() }}) as active_days,
        last_event_at
    from rolled
),

final as (
    select
        customers.customer_id,
        customers.account_id,
        customers.plan,
        customers.country,
        customers.persona,
        scored.score_date,
        scored.engagement_score,
        {%- for channel in channels %}
            scored.{{ channel }}_score,
        {%- endfor %}
        scored.event_count,
        scored.active_days,
        scored.last_event_at,
        tiers.engagement_tier,
        tiers.tier_rank
    from scored
    inner join customers
        on scored.customer_id = customers.customer_id
    inner join tiers
        on {{ engagement_score_in_tier('scored.engagement_score', 'tiers') }}
)

select * from final
