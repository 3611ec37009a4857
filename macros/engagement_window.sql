{#- The scoring window is fixed when the run compiles: every model of one run scores the same
    dates, and the SQL carries plain date literals that any engine reads. -#}

{% macro engagement_window_start() %}
    {{ return(engagement_score_date() - modules.datetime.timedelta(days=engagement_window_days() - 1)) }}
{% endmacro %}

{#- Rows stamped more than a day after the run started are future_timestamp rejects. -#}
{% macro engagement_future_cutoff() %}
    {{ return(run_started_at.replace(tzinfo=none, microsecond=0) + modules.datetime.timedelta(days=1)) }}
{% endmacro %}

{% macro engagement_date_literal(value) %}
    cast('{{ value.strftime("%Y-%m-%d") }}' as date)
{%- endmacro %}

{% macro engagement_timestamp_literal(value) %}
    cast('{{ value.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- A Python value as a SQL string literal (quotes doubled; none as a null string). dbt's
    string_literal does not escape quotes. -#}
{% macro engagement_string_literal(value) %}
    {{ return(adapter.dispatch('engagement_string_literal', 'customer_engagement')(value)) }}
{% endmacro %}

{% macro default__engagement_string_literal(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{#- Spark reads a backslash in a literal as an escape. -#}
{% macro spark__engagement_string_literal(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

