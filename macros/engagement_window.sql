{#- The scoring window is fixed when the run compiles: every model of one run scores the same
    dates, and the SQL carries plain date literals that any engine reads. -#}

{% macro engagement_score_date() %}
    {%- set configured = engagement_date_var('engagement_score_date') -%}
    {{ return(run_started_at.date() if configured is none else configured) }}
{% endmacro %}

{#- A var holding a date as YYYY-MM-DD, as a date; none when unset or empty. -#}
{% macro engagement_date_var(name) %}
    {%- set configured = var(name, none) -%}
    {%- if configured is none or configured == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = configured | string -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error(name ~ " must be a date as YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return(modules.datetime.date.fromisoformat(text)) }}
{% endmacro %}

{% macro engagement_window_days() %}
    {%- set days = var('engagement_window_days', 30) -%}
    {%- if days is not number or days | int != days or days < 1 -%}
        {{ exceptions.raise_compiler_error("engagement_window_days must be a whole number of days >= 1, got '" ~ days ~ "'") }}
    {%- endif -%}
    {{ return(days | int) }}
{% endmacro %}

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

{#- Timestamps before this date are not events but loaders' zero times (0001-01-01, 1900-01-01):
    such rows are invalid_value rejects, and attendance needs an event date from it on. -#}
{% macro engagement_min_event_date() %}
    {%- set configured = engagement_date_var('engagement_min_event_date') -%}
    {{ return(modules.datetime.date(1970, 1, 1) if configured is none else configured) }}
{% endmacro %}
