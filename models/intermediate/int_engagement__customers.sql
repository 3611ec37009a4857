{#- The customers who count: one row per customer_id, from the raw customer rows staging accepted.
    Every model that needs a customer's attributes or the list of customers reads this. -#}
{%- set extra_columns = engagement_extra_segment_columns() -%}

with staged_customers as (
    select
        customer_id,
        account_id,
        signed_up_at,
        plan,
        country,
        {%- for column in extra_columns %}
            {{ column }},
        {%- endfor %}
        persona
    from {{ ref('stg_engagement__customers') }}
    where rejection_reason is null
)

select
    customer_id,
    account_id,
    signed_up_at,
    plan,
    country,
    {%- for column in extra_columns %}
        {{ column }},
    {%- endfor %}
    persona
from staged_customers
