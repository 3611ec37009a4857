{#- dbt's `grants` config gives privileges on a relation, but a role also needs usage on its
    schema to reach it. After a run, every schema holding a model that granted select (the marts,
    through var engagement_bi_grants) gets usage for the same roles; the internal schema and the
    raw schema get nothing. -#}
{% macro engagement_grant_schema_usage(results) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set grants = {} -%}
    {%- for result in results
        if result.node.resource_type == 'model' and result.status == 'success'
        and (result.node.config.grants or {}).get('select') -%}
        {%- set schema = (result.node.database, result.node.schema) -%}
        {%- set grantees = result.node.config.grants['select'] -%}
        {%- for grantee in ([grantees] if grantees is string else grantees)
            if grantee not in grants.get(schema, []) -%}
            {%- do grants.setdefault(schema, []).append(grantee) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for schema, grantees in grants.items() -%}
        {%- do statements.append(engagement_grant_usage_sql(schema[0], schema[1], grantees)) -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}

{% macro engagement_grant_usage_sql(database, schema, grantees) %}
    {{ return(adapter.dispatch('engagement_grant_usage_sql', 'customer_engagement')(database, schema, grantees)) }}
{% endmacro %}

{#- PostgreSQL and Redshift; an engine with other syntax (Snowflake's `to role`) adds its own. -#}
{% macro default__engagement_grant_usage_sql(database, schema, grantees) -%}
    grant usage on schema {{ adapter.quote_as_configured(schema, 'schema') }} to {{ grantees | join(', ') }}
{%- endmacro %}

