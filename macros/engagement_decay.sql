{#- Optional time decay: with `engagement_decay_half_life_days` set, a day's points count
    0.5 ^ (age_in_days / half_life) at the score date, age 0 being the score date itself. -#}

{#- Points of one daily_points row as they count on score_date. Each decayed row is kept to 12
    decimals (the points type, as undecayed points are) before it is summed, so every model that
    sums the same rows (today's score, the daily history) gets exactly the same total, whatever the
    order of the sum. -#}
{% macro engagement_decayed_points(points, event_date, score_date) %}
    {%- set half_life = engagement_decay_half_life_days() -%}
    {%- if half_life is none -%}
        {{ points }}
    {%- else -%}
        {{ engagement_decay_product(points, dbt.datediff(event_date, score_date, 'day'), half_life) }}
    {%- endif -%}
{%- endmacro %}

{#- points x 0.5 ^ (age / half_life), kept to 12 decimals. In floating point where the engine
    converts a double to a decimal exactly (DuckDB, Spark); in PostgreSQL's numeric arithmetic,
    whose cast of a double to numeric keeps only 15 significant digits and then rounds twice
    (-14.859942891369485 became -14.859942891370). -#}
{% macro engagement_decay_product(points, age_days, half_life) %}
    {{ return(adapter.dispatch('engagement_decay_product', 'customer_engagement')(points, age_days, half_life)) }}
{% endmacro %}

{% macro default__engagement_decay_product(points, age_days, half_life) -%}
    cast(
        cast({{ points }} as {{ engagement_type_double() }})
        * power(
            cast(0.5 as {{ engagement_type_double() }}),
            cast({{ age_days }} as {{ engagement_type_double() }}) / {{ half_life }}
        )
        as {{ engagement_type_points() }}
    )
{%- endmacro %}

{% macro postgres__engagement_decay_product(points, age_days, half_life) -%}
    cast(
        {{ points }} * power(cast(0.5 as numeric), cast({{ age_days }} as numeric) / {{ half_life }})
        as {{ engagement_type_points() }}
    )
{%- endmacro %}

{#- Double precision. dbt.type_float() renders `float`, which is single precision on DuckDB and
    Spark. -#}
{% macro engagement_type_double() %}
    {{ return(adapter.dispatch('engagement_type_double', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_type_double() %}double precision{% endmacro %}

{% macro duckdb__engagement_type_double() %}double{% endmacro %}

{% macro spark__engagement_type_double() %}double{% endmacro %}
