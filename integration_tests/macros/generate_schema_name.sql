{#- The raw tables go to a schema named exactly `crm`, like a company's own raw schema would be. -#}
{% macro generate_schema_name(custom_schema_name, node) %}
    {{- custom_schema_name if custom_schema_name else target.schema -}}
{% endmacro %}
