with source as (
    select * from {{ ref('engagement_tiers') }}
),

final as (
    select
        cast(tier_rank as {{ dbt.type_int() }}) as tier_rank,
        {{ engagement_clean_type('engagement_tier') }} as engagement_tier,
        cast(tier_label as {{ dbt.type_string() }}) as tier_label,
        cast(min_score as {{ dbt.type_numeric() }}) as min_score,
        coalesce(cast(min_inclusive as {{ dbt.type_boolean() }}), false) as min_inclusive,
        cast(max_score as {{ dbt.type_numeric() }}) as max_score,
        coalesce(cast(max_inclusive as {{ dbt.type_boolean() }}), false) as max_inclusive
    from source
)

select * from final
