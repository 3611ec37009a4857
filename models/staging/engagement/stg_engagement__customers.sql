{#- Segment columns beyond the contract (var engagement_segment_columns) pass through as text. -#}
with source as (
    select * from {{ source('engagement', 'customers') }}
),

cleaned as (
    select
        {{ engagement_clean_text('customer_id') }} as customer_id,
        {{ engagement_clean_text('account_id') }} as account_id,
        cast(signed_up_at as {{ dbt.type_timestamp() }}) as signed_up_at,
        {{ engagement_clean_text('plan') }} as plan,
        {{ engagement_clean_text('country') }} as country,
        {%- for column in engagement_extra_segment_columns() %}
            {{ engagement_clean_text(column) }} as {{ column }},
        {%- endfor %}
        {{ engagement_clean_text('persona') }} as persona
    from source
),

deduplicated as (
    {{ engagement_deduplicate('cleaned', 'customer_id', ['signed_up_at', 'account_id', 'plan', 'country', 'persona']) }}
),

final as (
    select
        customer_id,
        account_id,
        signed_up_at,
        plan,
        country,
        {%- for column in engagement_extra_segment_columns() %}
            {{ column }},
        {%- endfor %}
        persona
    from deduplicated
    where customer_id is not null
)

select * from final
