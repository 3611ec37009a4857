{#- A custom incremental strategy (incremental_strategy='engagement_replace'): dbt's
    delete+insert on a unique_key list, except that the batch can name a key with nothing left
    under it. Every key in the batch has its rows deleted; the batch's rows whose
    `engagement_placeholder_column` is null only carry a key, and are not inserted. The daily
    points use it to replace the customer-days a run touched, including those that lost every
    event. DuckDB and PostgreSQL (dbt-spark accepts only its own strategies). -#}
{% macro get_incremental_engagement_replace_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set keys = arg_dict['unique_key'] -%}
    {%- set placeholder_column = config.require('engagement_placeholder_column') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    using {{ batch }}
    where
        {%- for key in keys %}
            {{ batch }}.{{ key }} = {{ target }}.{{ key }}{{ ' and' if not loop.last }}
        {%- endfor %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ batch }}
    where {{ placeholder_column }} is not null
{% endmacro %}

{#- Whether a validated row was checked after the newest run of `relation` (a model with a
    `computed_at` column, the run that wrote each row): what an incremental run of the event
    stream, the web sessions or the daily points reads again. Everything, when the table holds
    no row. -#}
{% macro engagement_checked_since_last_run(relation) %}
    {{- return('coalesce(validated_at > (select max(computed_at) from ' ~ relation ~ '), true)') -}}
{% endmacro %}
