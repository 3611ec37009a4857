with validated_rows as (
    select
        source_table,
        source_id,
        customer_id,
        rejection_reason,
        occurred_at
    from {{ ref('int_engagement__validated_rows') }}
),

final as (
    select
        source_table,
        source_id,
        customer_id,
        rejection_reason as reason,
        occurred_at
    from validated_rows
    where rejection_reason is not null
)

select * from final
