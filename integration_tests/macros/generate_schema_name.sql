{#- The raw tables go to a schema named exactly `crm`, like a company's own raw schema would be;
    everything else (the package's internal `stg_engagement` schema included) is named as dbt's
    default does. -#}
{% macro generate_schema_name(custom_schema_name, node) %}
    {%- if custom_schema_name == 'crm' -%}
        {{ custom_schema_name }}
    {%- else -%}
        {{ default__generate_schema_name(custom_schema_name, node) }}
    {%- endif -%}
{% endmacro %}
