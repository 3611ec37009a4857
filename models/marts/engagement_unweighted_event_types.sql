{#- Event types that arrive but have no row in the weights seed: they score 0 until an analyst
    weights them. Counts cover all accepted events, not only the scoring window. -#}
with daily_points as (
    select
        customer_id,
        channel,
        event_type,
        event_count
    from {{ ref('int_engagement__daily_points') }}
    -- Only event types that arrive: derived events without a weight were left out on purpose.
    where weight is null and event_count > 0
),

final as (
    select
        channel,
        event_type,
        cast(sum(event_count) as {{ dbt.type_bigint() }}) as events,
        count(distinct customer_id) as customers
    from daily_points
    group by channel, event_type
)

select * from final
