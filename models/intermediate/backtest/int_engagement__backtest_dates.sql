{#- The backtest dates this run answers, one row each. Ephemeral: its rows are compile-time
    literals of the vars, so `dbt show --select int_engagement__backtest_population --vars ...`
    (tools/suggest_weights.py) sees other dates without a build. Skipped dates are logged. -#}
{{ config(materialized='ephemeral') }}

{%- set backtest = engagement_backtest_score_dates() -%}
{%- set horizon = engagement_backtest_horizon_days() -%}
{%- if execute -%}
    {%- for skipped_date, why in backtest.skipped -%}
        {{ log("engagement backtest: skipping score date " ~ skipped_date ~ ": " ~ why, info=True) }}
    {%- endfor -%}
{%- endif %}

with listed_dates as (
    {%- for backtest_date in backtest.kept %}
        select {{ engagement_date_literal(backtest_date) }} as score_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- else %}
        -- Every listed date was skipped: no rows, same columns.
        select cast(null as date) as score_date
        from (select 1 as one) as nothing
        where 1 = 0
    {%- endfor %}
),

final as (
    select
        score_date,
        cast({{ horizon }} as {{ dbt.type_bigint() }}) as horizon_days,
        cast({{ dbt.dateadd('day', horizon, 'score_date') }} as date) as outcome_end_date,
        cast('{{ engagement_backtest_outcome_name() }}' as {{ dbt.type_string() }}) as outcome_name,
        {{ 'true' if engagement_backtest_outcome_is_bad() else 'false' }} as outcome_is_bad
    from listed_dates
)

select * from final
