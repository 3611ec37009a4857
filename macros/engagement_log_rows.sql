{#- Prints the rows a data check finds, so a failing build names them in its own output. Runs
    only when the relation it reads exists (not during parse or a compile of a fresh target). -#}
{% macro engagement_log_rows(relation, query, prefix) %}
    {%- if execute and load_relation(relation) is not none -%}
        {%- for row in run_query(query).rows -%}
            {{ log(prefix ~ ': ' ~ (row.values() | join(' | ')), info=True) }}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
