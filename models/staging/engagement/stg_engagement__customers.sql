{#- Every distinct raw customer row, with the reason it is not a customer (null when it is): a
    customer row's fate depends on that row alone, so it is decided here; int_engagement__customers
    holds the accepted ones. Segment columns beyond the contract (var engagement_segment_columns)
    pass through as text. -#}
{{ config(materialized=engagement_staging_materialization()) }}
{%- set extra_columns = engagement_extra_segment_columns() -%}

with deduplicated as (
    {{ engagement_deduplicate_rows(
        source('engagement', 'customers'),
        id_column='customer_id',
        timestamp_column='signed_up_at',
        other_columns=['account_id', 'plan', 'country', 'persona'] + extra_columns,
        typed_columns={'signed_up_at': 'timestamp'},
        trim_id=true,
        load_time=false,
    ) }}
),

final as (
    select
        source_row_key,
        {{ engagement_clean_text('customer_id') }} as customer_id,
        {{ engagement_clean_text('account_id') }} as account_id,
        signed_up_at_value as signed_up_at,
        {{ engagement_clean_text('plan') }} as plan,
        {{ engagement_clean_text('country') }} as country,
        {%- for column in extra_columns %}
            {{ engagement_clean_text(column) }} as {{ column }},
        {%- endfor %}
        {{ engagement_clean_text('persona') }} as persona,
        case
            when {{ engagement_clean_text('customer_id') }} is null then 'missing_customer_id'
            when signed_up_at_problem is not null then 'invalid_value'
        end as rejection_reason,
        case
            when {{ engagement_clean_text('customer_id') }} is null then 'customer_id is missing'
            else signed_up_at_problem
        end as rejection_detail
    from deduplicated
)

select * from final
