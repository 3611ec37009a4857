{#- Runs the report's queries (tools/report.py) in one dbt invocation and hands their rows back as
    one JSON log line that starts with `marker`: a run-operation has no other way to return data.
    A query names marts as {mart_name}; each becomes the relation dbt resolves for ref(mart_name)
    on this target (schema, alias and latest version included). A query whose marts are not in the
    project or not built yet is not run; its entry says which, so the report can leave it out. -#}
{% macro engagement_report_data(queries, marker) %}
    {%- set results = {} -%}
    {%- for name, sql in queries.items() -%}
        {%- set query = namespace(sql=sql, missing=[]) -%}
        {%- for mart in modules.re.findall('{([a-z0-9_]+)}', sql) | unique -%}
            {%- set relation = customer_engagement.engagement_report_relation(mart) -%}
            {%- if relation is string -%}
                {%- do query.missing.append(mart ~ ': ' ~ relation) -%}
            {%- else -%}
                {%- set query.sql = query.sql.replace('{' ~ mart ~ '}', relation | string) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if query.missing -%}
            {%- do results.update({name: {'missing': query.missing}}) -%}
        {%- else -%}
            {%- set table = run_query(query.sql) -%}
            {%- set rows = [] -%}
            {%- for row in table.rows -%}
                {%- set values = [] -%}
                {%- for value in row.values() -%}
                    {%- do values.append(customer_engagement.engagement_report_value(value)) -%}
                {%- endfor -%}
                {%- do rows.append(values) -%}
            {%- endfor -%}
            {%- do results.update({name: {'columns': table.column_names | list, 'rows': rows}}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do log(marker ~ tojson({'target': {'name': target.name, 'type': target.type}, 'results': results})) -%}
{% endmacro %}

{#- The built relation of a mart, or why there is none (a string). -#}
{% macro engagement_report_relation(mart) %}
    {%- set models = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', mart) | list -%}
    {%- if not models -%}
        {{ return('not a model of this project') }}
    {%- endif -%}
    {%- set relation = load_relation(ref(mart)) -%}
    {{ return(relation if relation is not none else 'not built on target ' ~ target.name) }}
{% endmacro %}

{#- A query value as JSON: numbers of any SQL type as numbers, dates and timestamps as ISO text. -#}
{% macro engagement_report_value(value) %}
    {%- if value is none or value is boolean or value is string or value is integer -%}
        {{ return(value) }}
    {%- elif value is number -%}
        {{ return(value | float) }}
    {%- endif -%}
    {{ return(value.isoformat() if value.isoformat is defined else value | string) }}
{% endmacro %}
