{#- dbt-spark's `session` method binds a missing CSV value as the text 'None', so an empty
    daily_cap would load as 'None' and fail the weights check. This version writes a real null,
    and writes each batch as one file, in the file's order.
    dbt looks for it in the root project; a project that installs this package and builds on a
    Spark session adds the dispatch search order shown in the README. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set bindings = [] -%}
        {%- set sql -%}
            {#- One partition, so that a plain read returns the rows in file order (the weights
                check names rows by their line). -#}
            insert into {{ this.render() }} select /*+ REPARTITION(1) */ * from values
            {% for row in chunk -%}
                (
                {%- for value in row -%}
                    {%- set column_type = column_override.get(
                        agate_table.column_names[loop.index0],
                        adapter.convert_type(agate_table, loop.index0)
                    ) -%}
                    {%- if value is none -%}
                        cast(null as {{ column_type }})
                    {%- else -%}
                        {%- do bindings.append(value) -%}
                        cast({{ get_binding_char() }} as {{ column_type }})
                    {%- endif -%}
                    {{- ", " if not loop.last -}}
                {%- endfor -%}
                ){{ "," if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
