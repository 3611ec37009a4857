{#- Shared pieces of the staging models. -#}

{#- Text column as the package compares it: trimmed, blank = missing. -#}
{% macro engagement_clean_text(column) %}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Event types are matched to weights lower-cased and trimmed. -#}
{% macro engagement_clean_type(column) %}
    nullif(lower(trim(cast({{ column }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}

{#- Which raw rows are copies of each other: the same id; a row without an id is a copy only of
    a row equal in every column. Shared by staging (dedupe) and reconciliation (count). -#}
{% macro engagement_row_key(id_column, other_columns) %}
    {#- Each value is written as its length and text ('n' for null), so two different rows can
        never spell the same string: ('a|b', 'c') and ('a', 'b|c') stay apart. -#}
    {%- set parts = [] -%}
    {%- for column in other_columns -%}
        {%- set text = "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")" -%}
        {%- do parts.append(
            "coalesce(" ~ dbt.concat(["cast(" ~ dbt.length(text) ~ " as " ~ dbt.type_string() ~ ")", "':'", text])
            ~ ", 'n')"
        ) -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    coalesce(
        cast({{ id_column }} as {{ dbt.type_string() }}),
        {{ dbt.concat(["'no-id:'", dbt.hash(dbt.concat(parts))]) }}
    )
{%- endmacro %}

{#- Keeps one row per key: earliest timestamp, then the other columns, so the choice never
    depends on load order. -#}
{% macro engagement_deduplicate(relation, key_column, order_columns) %}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_column }}
                order by
                {%- for column in order_columns %}
                    {{ column }} asc nulls last{{ "," if not loop.last }}
                {%- endfor %}
            ) as copy_number
        from {{ relation }}
    ) as numbered
    where copy_number = 1
{%- endmacro %}

{#- Deduplicates one raw event table: keys each row (engagement_row_key) and keeps the copy with
    the earliest timestamp, ties broken by the id and then the other columns in contract order. -#}
{% macro engagement_deduplicate_rows(relation, id_column, timestamp_column, other_columns) %}
    {%- set row_columns = [timestamp_column, id_column] + other_columns -%}
    {%- set keyed -%}
        (
            select
                {{ engagement_row_key(id_column, [timestamp_column] + other_columns) }} as source_row_key,
                {{ row_columns | join(', ') }}
            from {{ relation }}
        ) as keyed
    {%- endset -%}
    {{ engagement_deduplicate(keyed, 'source_row_key', row_columns) }}
{%- endmacro %}
