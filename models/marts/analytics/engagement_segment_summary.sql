{#- Scores and tiers compared across customer segments: one row per segment column (var
    engagement_segment_columns) and value, plus one row for all customers to compare against.
    Shares are fractions of the segment's customers (0 to 1). -#}
{%- set tier_names = ['churn_risk', 'disengaged', 'somewhat_engaged', 'highly_engaged', 'power_user'] -%}

with customers as (
    select
        customer_id,
        {{ engagement_segment_columns() | join(',\n        ') }}
    from {{ ref('int_engagement__customers') }}
),

customer_tiers as (
    select
        customer_id,
        score_date,
        engagement_score,
        engagement_tier
    from {{ ref('customer_engagement_tiers') }}
),

-- One row per customer and segment it belongs to; the 'all' segment holds every customer.
segment_members as (
    {%- for column in ['all'] + engagement_segment_columns() %}
        select
            customer_tiers.customer_id,
            customer_tiers.score_date,
            customer_tiers.engagement_score,
            customer_tiers.engagement_tier,
            '{{ column }}' as segment_column,
            {{ "'all'" if loop.first else 'cast(customers.' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' }}
                as segment_value
        from customer_tiers
        inner join customers
            on customer_tiers.customer_id = customers.customer_id
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

segment_totals as (
    select
        score_date,
        segment_column,
        segment_value,
        count(*) as customers,
        avg(engagement_score) as avg_engagement_score,
        {{ engagement_median('engagement_score') }} as median_engagement_score,
        {%- for tier in tier_names %}
            sum(case when engagement_tier = '{{ tier }}' then 1 else 0 end) as {{ tier }}_customers,
        {%- endfor %}
        sum(case when {{ engagement_is_engaged('engagement_tier') }} then 1 else 0 end) as engaged_customers
    from segment_members
    group by score_date, segment_column, segment_value
),

final as (
    select
        score_date,
        segment_column,
        segment_value,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        {{ engagement_round_average('avg_engagement_score') }} as avg_engagement_score,
        {{ engagement_round_average('median_engagement_score') }} as median_engagement_score,
        {%- for tier in tier_names %}
            {{ engagement_ratio(tier ~ '_customers', 'customers') }} as share_{{ tier }},
        {%- endfor %}
        -- The engagement index is in percent (0 to 100), the shares are fractions.
        {{ engagement_ratio('100 * engaged_customers', 'customers') }} as pct_engaged,
        {{ engagement_ratio('100 * disengaged_customers', 'customers') }} as pct_disengaged,
        {{ engagement_ratio('100 * churn_risk_customers', 'customers') }} as pct_churn_risk
    from segment_totals
)

select
    score_date,
    segment_column,
    segment_value,
    customers,
    avg_engagement_score,
    median_engagement_score,
    {%- for tier in tier_names %}
        share_{{ tier }},
    {%- endfor %}
    pct_engaged,
    pct_disengaged,
    pct_churn_risk
from final
