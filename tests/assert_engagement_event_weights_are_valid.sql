{#- Fails the build on a bad edit of the weights seed, one row per bad seed row with the problem
    and its line in the CSV file. Because it tests the seed itself, dbt build skips everything
    downstream of the seed when it fails, so the score tables keep their last good state. The
    rows are checked in macros/engagement_weights.sql, which also stops the weights' staging model
    when a run has no tests. -#}
{{ config(store_failures=true) }}

{%- set problems = engagement_weight_problems() -%}
{%- for problem in problems -%}
    {{ log(engagement_weight_problem_message(problem), info=True) }}
{%- endfor %}

with problems as (
    {%- for problem in problems %}
        select
            {{ engagement_string_literal(problem.weight_source) }} as weight_source,
            {{ problem.line }} as line_number,
            {{ engagement_string_literal(problem.channel) }} as channel,
            {{ engagement_string_literal(problem.event_type) }} as event_type,
            {{ engagement_string_literal(problem.weight) }} as weight,
            {{ engagement_string_literal(problem.daily_cap) }} as daily_cap,
            {{ engagement_string_literal(problem.problem) }} as problem
        union all
    {%- endfor %}
    -- The empty shape, so the test compiles the same with or without bad rows.
    select
        cast(null as {{ dbt.type_string() }}) as weight_source,
        cast(null as {{ dbt.type_int() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as event_type,
        cast(null as {{ dbt.type_string() }}) as weight,
        cast(null as {{ dbt.type_string() }}) as daily_cap,
        cast(null as {{ dbt.type_string() }}) as problem
    from {{ ref('engagement_event_weights') }}
    where 1 = 0
)

select
    weight_source,
    line_number,
    channel,
    event_type,
    weight,
    daily_cap,
    problem
from problems
