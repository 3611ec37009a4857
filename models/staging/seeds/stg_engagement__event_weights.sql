{#- The weights, typed: the package's seed with the project's overrides in place of the rows
    they replace. A seed with a bad row stops this model (macros/engagement_weights.sql), so the
    casts below only ever see numbers in the syntax every engine reads. -#}
{%- do engagement_raise_on_bad_weights() -%}

with weight_rows as (
    {{ engagement_weight_rows() }}
),

ranked as (
    select
        {{ engagement_clean_type('channel') }} as channel,
        {{ engagement_clean_type('event_type') }} as event_type,
        weight,
        daily_cap,
        description,
        weight_source,
        -- A project's override replaces the package default for the same event type.
        row_number() over (
            partition by {{ engagement_clean_type('channel') }}, {{ engagement_clean_type('event_type') }}
            order by case when weight_source = 'override' then 0 else 1 end
        ) as preference
    from weight_rows
),

final as (
    select
        channel,
        event_type,
        cast(trim(weight) as {{ dbt.type_numeric() }}) as weight,
        cast(cast(nullif(trim(daily_cap), '') as {{ dbt.type_numeric() }}) as {{ dbt.type_bigint() }}) as daily_cap,
        description,
        weight_source
    from ranked
    where preference = 1
)

select * from final
