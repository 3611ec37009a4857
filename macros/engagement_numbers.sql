{#- A number read from text, or null when the text is not one. dbt.safe_cast is a plain cast on
    some engines, so a bad weight would abort the build instead of being reported. -#}
{% macro engagement_try_cast_numeric(expression) %}
    {{ return(adapter.dispatch('engagement_try_cast_numeric', 'customer_engagement')(expression)) }}
{% endmacro %}

{% macro default__engagement_try_cast_numeric(expression) %}
    try_cast(trim({{ expression }}) as {{ dbt.type_numeric() }})
{%- endmacro %}

{% macro postgres__engagement_try_cast_numeric(expression) %}
    case
        when trim({{ expression }}) ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'
            then cast(trim({{ expression }}) as {{ dbt.type_numeric() }})
    end
{%- endmacro %}

{% macro bigquery__engagement_try_cast_numeric(expression) %}
    safe_cast(trim({{ expression }}) as {{ dbt.type_numeric() }})
{%- endmacro %}
