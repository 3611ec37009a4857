{{ config(
    materialized=engagement_replace_materialization(),
    incremental_strategy='engagement_replace',
    unique_key=['customer_id', 'event_date'],
    engagement_placeholder_column='event_type',
    on_schema_change='fail',
) }}

{#- Points per customer, event type and UTC day, over all time: the daily cap applies at this
    grain, and every window of the daily history is a sum of these rows. The steps are in
    macros/engagement_points.sql; the score mart runs the same steps over its window only.
    On the load-time path an incremental run rebuilds only the customer-days that can have
    changed since its last run: those of the validated rows checked since then (where each row
    counts now, and where it counted before), those whose derived events differ from the ones
    held (sessions move when events arrive, the score date moves, a session var changes), and
    those whose weight or daily cap was edited. -#}
{%- set validated_rows = ref('int_engagement__validated_rows') %}

with events as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        quantity
    from {{ ref('int_engagement__events') }}
),

derived as (
    select
        customer_id,
        channel,
        event_type,
        event_date,
        occurred_at,
        quantity
    from {{ ref('int_engagement__derived_events') }}
),
{%- if is_incremental() %}

checked_rows as (
    select
        customer_id,
        occurred_at,
        attended_at,
        rejection_reason,
        previous_customer_id,
        previous_event_date,
        previous_attendance_date
    from {{ validated_rows }}
    where {{ engagement_checked_since_last_run(this) }}
),

checked_days as (
    select
        customer_id,
        cast(occurred_at as date) as event_date
    from checked_rows
    where rejection_reason is null
    union
    select
        customer_id,
        cast(attended_at as date) as event_date
    from checked_rows
    where rejection_reason is null and attended_at is not null
    union
    select
        previous_customer_id as customer_id,
        previous_event_date as event_date
    from checked_rows
    where previous_customer_id is not null
    union
    select
        previous_customer_id as customer_id,
        previous_attendance_date as event_date
    from checked_rows
    where previous_attendance_date is not null
),

derived_now as (
    select
        customer_id,
        event_type,
        event_date,
        count(*) as derived_event_count,
        sum(quantity) as units
    from derived
    group by customer_id, event_type, event_date
),

derived_held as (
    select
        customer_id,
        event_type,
        event_date,
        derived_event_count,
        units
    from {{ this }}
    where derived_event_count > 0
),

derived_days as (
    select
        coalesce(derived_now.customer_id, derived_held.customer_id) as customer_id,
        coalesce(derived_now.event_date, derived_held.event_date) as event_date
    from derived_now
    full outer join derived_held
        on
            derived_now.customer_id = derived_held.customer_id
            and derived_now.event_type = derived_held.event_type
            and derived_now.event_date = derived_held.event_date
    where
        derived_now.customer_id is null
        or derived_held.customer_id is null
        or derived_now.derived_event_count <> derived_held.derived_event_count
        or derived_now.units <> derived_held.units
),

event_weights as (
    select
        channel,
        event_type,
        weight,
        daily_cap
    from {{ ref('stg_engagement__event_weights') }}
),

reweighted_days as (
    select
        held.customer_id,
        held.event_date
    from {{ this }} as held
    left join event_weights
        on
            held.channel = event_weights.channel
            and held.event_type = event_weights.event_type
    where
        coalesce(held.weight <> event_weights.weight, held.weight is not null or event_weights.weight is not null)
        or held.counted_units <> {{ engagement_capped_units('held.units', 'event_weights.daily_cap') }}
),

touched_days as (
    select
        customer_id,
        event_date
    from checked_days
    union
    select
        customer_id,
        event_date
    from derived_days
    union
    select
        customer_id,
        event_date
    from reweighted_days
),

touched_events as (
    select
        events.customer_id,
        events.channel,
        events.event_type,
        events.event_date,
        events.occurred_at,
        events.quantity
    from events
    inner join touched_days
        on
            events.customer_id = touched_days.customer_id
            and events.event_date = touched_days.event_date
),

touched_derived as (
    select
        derived.customer_id,
        derived.channel,
        derived.event_type,
        derived.event_date,
        derived.occurred_at,
        derived.quantity
    from derived
    inner join touched_days
        on
            derived.customer_id = touched_days.customer_id
            and derived.event_date = touched_days.event_date
),

{%- endif %}

daily_points as (
    {{ engagement_daily_points(
        'touched_events' if is_incremental() else 'events',
        'touched_derived' if is_incremental() else 'derived',
    ) | indent(4) }}
),

final as (
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
        points
    from daily_points
    {%- if is_incremental() %}
        -- One key-only row per customer-day rebuilt: engagement_replace deletes the day's rows
        -- held, also when none are left, and does not insert this row.
        union all
        select
            customer_id,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as {{ dbt.type_string() }}) as event_type,
            event_date,
            cast(null as {{ dbt.type_bigint() }}) as event_count,
            cast(null as {{ dbt.type_bigint() }}) as derived_event_count,
            cast(null as {{ dbt.type_numeric() }}) as units,
            cast(null as {{ dbt.type_numeric() }}) as counted_units,
            cast(null as {{ dbt.type_numeric() }}) as weight,
            cast(null as {{ dbt.type_timestamp() }}) as last_occurred_at,
            cast(null as {{ engagement_type_points() }}) as points
        from touched_days
    {%- endif %}
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
    points,
    {{ engagement_timestamp_literal(run_started_at) }} as computed_at
from final
