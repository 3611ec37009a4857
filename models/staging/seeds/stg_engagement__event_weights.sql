{#- Reached only after assert_engagement_event_weights_are_valid passed, so plain casts are safe. -#}
with source as (
    select * from {{ ref('engagement_event_weights') }}
),

final as (
    select
        {{ engagement_clean_type('channel') }} as channel,
        {{ engagement_clean_type('event_type') }} as event_type,
        cast(trim(weight) as {{ dbt.type_numeric() }}) as weight,
        cast(cast(nullif(trim(daily_cap), '') as {{ dbt.type_numeric() }}) as {{ dbt.type_bigint() }}) as daily_cap,
        cast(description as {{ dbt.type_string() }}) as description
    from source
)

select * from final
