{#- Each customer's app devices as of the end of score_date: a device has the app while its latest
    accepted app event is not an uninstall. All history counts, not only the window: an install
    from last year still holds until an uninstall.
    A table: ranking every app event ever is far more work than the few rows per customer it
    leaves, and a view would do it again for its data tests as well as for the metrics mart. -#}
{{ config(materialized='table') }}

with app_events as (
    select
        event_key,
        source_row_key,
        customer_id,
        event_type,
        occurred_at
    from {{ ref('int_engagement__events') }}
    where
        source_table = 'app_events'
        and event_date <= {{ engagement_date_literal(engagement_score_date()) }}
),

app_event_devices as (
    {{ engagement_staged_columns('app_events', {
        'source_row_key': dbt.type_string(),
        'device_id': dbt.type_string(),
    }) }}
),

device_events_ranked as (
    select
        app_events.customer_id,
        app_event_devices.device_id,
        app_events.event_type,
        app_events.occurred_at,
        row_number() over (
            partition by app_events.customer_id, app_event_devices.device_id
            -- At the same instant an uninstall is taken as the later event.
            order by
                app_events.occurred_at desc,
                case when app_events.event_type = 'app_uninstall' then 0 else 1 end,
                app_events.event_key desc
        ) as recency
    from app_events
    left join app_event_devices
        on app_events.source_row_key = app_event_devices.source_row_key
),

final as (
    select
        customer_id,
        device_id,
        event_type as last_app_event_type,
        occurred_at as last_app_event_at,
        event_type <> 'app_uninstall' as has_app_installed
    from device_events_ranked
    where recency = 1
)

select
    customer_id,
    device_id,
    last_app_event_type,
    last_app_event_at,
    has_app_installed
from final
