{#- Every raw row that does not count, events and customers alike, with the first reason that
    applies and what was wrong with it. -#}
with rejected_events as (
    select
        source_table,
        source_id,
        customer_id,
        rejection_reason,
        rejection_detail,
        occurred_at
    from {{ ref('int_engagement__validated_rows') }}
    where rejection_reason is not null
),

rejected_customers as (
    select
        'customers' as source_table,
        customer_id as source_id,
        customer_id,
        rejection_reason,
        rejection_detail,
        signed_up_at as occurred_at
    from {{ ref('stg_engagement__customers') }}
    where rejection_reason is not null
),

final as (
    select
        source_table,
        source_id,
        customer_id,
        rejection_reason,
        rejection_detail,
        occurred_at
    from rejected_events
    union all
    select
        source_table,
        source_id,
        customer_id,
        rejection_reason,
        rejection_detail,
        occurred_at
    from rejected_customers
)

select
    source_table,
    source_id,
    customer_id,
    rejection_reason as reason,
    occurred_at,
    rejection_detail
from final
