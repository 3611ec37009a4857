{#- What each engine's planner needs to plan the package's models well. -#}

{#- Post-hook of every model (dbt_project.yml): PostgreSQL plans a query from a table's statistics,
    and a table dbt has just built has none until autovacuum gets to it; the next model's plan is
    then guessed (1 row for a filtered scan, nested loops over millions of rows). -#}
{% macro engagement_refresh_statistics() %}
    {{ return(adapter.dispatch('engagement_refresh_statistics', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_refresh_statistics() %}
    {{ return('') }}
{% endmacro %}

{% macro postgres__engagement_refresh_statistics() %}
    {%- if model.config.materialized in ['table', 'incremental', 'seed'] -%}
        {{ return('analyze ' ~ this) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- Pre-hook of every model (dbt_project.yml): settings for the model's own transaction, from var
    engagement_postgres_settings (default: jit off). PostgreSQL's JIT compiles each big statement
    before running it, and the package's statements are wide: compiling took longer than running
    them (docs/benchmarks.md). `set local` ends with the model's transaction. -#}
{% macro engagement_session_settings() %}
    {{ return(adapter.dispatch('engagement_session_settings', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_session_settings() %}
    {{ return('') }}
{% endmacro %}

{% macro postgres__engagement_session_settings() %}
    {%- set settings = var('engagement_postgres_settings', {'jit': 'off'}) or {} -%}
    {%- if settings is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "customer_engagement: var engagement_postgres_settings must map setting names to values, e.g. {jit: 'off'}; got " ~ settings
        ) }}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for name, value in settings.items() -%}
        {%- if not modules.re.fullmatch('[a-z_][a-z0-9_.]*', name | string) -%}
            {{ exceptions.raise_compiler_error("customer_engagement: engagement_postgres_settings: '" ~ name ~ "' is not a setting name") }}
        {%- endif -%}
        {%- do statements.append("set local " ~ name ~ " = '" ~ (value | string).replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}

{#- Written after `as` of a CTE that several later CTEs read, each with its own filter or join:
    DuckDB and PostgreSQL compute a CTE read more than once in full and hold it, so no reader's
    filter reaches the table scan. In the web sessions' incremental run at 100M events that was
    50M web events held (spilled to disk) and read three times: 20.5 s inlined to 9.5 s
    (docs/benchmarks.md). Engines without the syntax inline or not on their own. -#}
{% macro engagement_inlined_cte() %}
    {{ return(adapter.dispatch('engagement_inlined_cte', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_inlined_cte() %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__engagement_inlined_cte() %}
    {{ return('not materialized') }}
{% endmacro %}

{% macro postgres__engagement_inlined_cte() %}
    {{ return('not materialized') }}
{% endmacro %}
