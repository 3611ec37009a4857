{#- The calendar MetricFlow joins metrics to: one row per day from 2000-01-01 to a year after the
    score date. A table, so a query does not generate the days again. -#}
{{ config(materialized='table') }}

{%- set first_day = modules.datetime.date(2000, 1, 1) -%}
{%- set last_day = engagement_score_date() + modules.datetime.timedelta(days=365) -%}
{%- set day_number = 'cast(generated_number as ' ~ dbt.type_int() ~ ') - 1' -%}

with day_numbers as (
    {{ dbt.generate_series([(last_day - first_day).days + 1, 1] | max) }}
),

final as (
    select cast({{ dbt.dateadd('day', day_number, engagement_date_literal(first_day)) }} as date) as date_day
    from day_numbers
)

select date_day from final
