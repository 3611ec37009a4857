{#- The raw event tables this run reads: a company without one switches it off with
    `engagement_using_<table>: false`, and every union and reconciliation skips it. -#}
{% macro engagement_event_sources() %}
    {%- set all_sources = [
        {'table': 'web_events', 'channel': 'web', 'timestamp_column': 'occurred_at'},
        {'table': 'app_events', 'channel': 'app', 'timestamp_column': 'occurred_at'},
        {'table': 'social_interactions', 'channel': 'social', 'timestamp_column': 'occurred_at'},
        {'table': 'offline_registrations', 'channel': 'offline', 'timestamp_column': 'registered_at'},
        {'table': 'survey_responses', 'channel': 'survey', 'timestamp_column': 'responded_at'},
        {'table': 'product_events', 'channel': 'product', 'timestamp_column': 'occurred_at'},
    ] -%}
    {%- set enabled = [] -%}
    {%- for item in all_sources if engagement_uses_table(item.table) -%}
        {%- do enabled.append(item) -%}
    {%- endfor -%}
    {{ return(enabled) }}
{% endmacro %}

{% macro engagement_channels() %}
    {{ return(['web', 'app', 'social', 'offline', 'survey', 'product']) }}
{% endmacro %}

{#- The canonical event stream is a view where the engine plans through views cheaply. Spark
    re-analyses a view's whole tree at every reference, and the score reads the stream about a
    dozen times, which ran the driver out of heap on a few hundred rows; there it is a table.
    PostgreSQL runs a view's query again for every model and test that reads it: eight models
    read the stream, and each of them deduplicated all raw rows again (docs/benchmarks.md). -#}
{% macro engagement_event_stream_materialization() %}
    {%- set materialized = adapter.dispatch('engagement_event_stream_materialization', 'customer_engagement')() -%}
    {#- Where the stream is a table and the validated rows are incremental, it follows them. -#}
    {%- if materialized == 'table' and engagement_validated_rows_materialization() == 'incremental' -%}
        {{ return('incremental') }}
    {%- endif -%}
    {{ return(materialized) }}
{% endmacro %}

{% macro default__engagement_event_stream_materialization() %}
    {{ return('view') }}
{% endmacro %}

{% macro spark__engagement_event_stream_materialization() %}
    {{ return('table') }}
{% endmacro %}

{% macro postgres__engagement_event_stream_materialization() %}
    {{ return('table') }}
{% endmacro %}

{#- The deduplicated raw tables (staging) are views where the engine runs them fast. PostgreSQL
    runs a view again at every read, and deduplicating a raw table is the most expensive step of a
    build: the validated rows, the reconciliation and the staging tests each read every staging
    model (docs/benchmarks.md). -#}
{% macro engagement_staging_materialization() %}
    {{ return(adapter.dispatch('engagement_staging_materialization', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_staging_materialization() %}
    {{ return('view') }}
{% endmacro %}

{% macro postgres__engagement_staging_materialization() %}
    {{ return('table') }}
{% endmacro %}

{#- The event tables' staging: with a load-time column (var engagement_loaded_at_column) an
    incremental table that reads only the rows loaded since its last run and replaces the rows of
    the keys they touch (unique_key source_row_key, dbt_project.yml), where the engine replaces
    rows by key; otherwise as above. -#}
{% macro engagement_event_staging_materialization() %}
    {%- if engagement_loaded_at_column() is not none and engagement_replaces_rows_by_key() -%}
        {{ return('incremental') }}
    {%- endif -%}
    {{ return(engagement_staging_materialization()) }}
{% endmacro %}

{#- Whether the package's incremental models can replace rows by key (delete+insert and the
    custom engagement_replace strategy): every engine but Spark. -#}
{% macro engagement_replaces_rows_by_key() %}
    {{ return(adapter.dispatch('engagement_replaces_rows_by_key', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_replaces_rows_by_key() %}
    {{ return(true) }}
{% endmacro %}

{#- dbt-spark replaces rows by key only in Delta, Iceberg and Hudi tables (merge) and accepts no
    custom strategy; the package writes plain tables there, so Spark rebuilds them from every raw
    row on every run. -#}
{% macro spark__engagement_replaces_rows_by_key() %}
    {{ return(false) }}
{% endmacro %}

{#- The validated rows: incremental wherever the event staging is (int_engagement__validated_rows
    checks again only the rows staged since its last run, and those whose outcome the run's time,
    the customers or a var can change); otherwise a view. -#}
{% macro engagement_validated_rows_materialization() %}
    {{ return('incremental' if engagement_event_staging_materialization() == 'incremental' else 'view') }}
{% endmacro %}

{#- The web sessions and the daily points: incremental where the validated rows are (an
    incremental run rebuilds what the rows checked since its last run can have changed, custom
    strategy engagement_replace); otherwise a table rebuilt from every event. -#}
{% macro engagement_replace_materialization() %}
    {{ return('incremental' if engagement_validated_rows_materialization() == 'incremental' else 'table') }}
{% endmacro %}
