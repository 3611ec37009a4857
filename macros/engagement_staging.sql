{#- Shared pieces of the staging models. -#}

{#- Text column as the package compares it: trimmed, blank = missing. -#}
{% macro engagement_clean_text(column) %}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- A raw row's id: blank (empty or spaces) is no id, like a blank customer_id; any other id is
    kept as sent. Only ids that start with a space are trimmed: trimming every id made DuckDB's
    web staging about 50 % slower (docs/benchmarks.md), and a blank id always starts with one. -#}
{% macro engagement_clean_id(column) %}
    {%- set id = "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")" -%}
    case
        when {{ id }} = '' or ({{ id }} like ' %' and trim({{ id }}) = '') then null
        else {{ id }}
    end
{%- endmacro %}

{#- Event types are matched to weights lower-cased and trimmed. -#}
{% macro engagement_clean_type(column) %}
    nullif(lower(trim(cast({{ column }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}

{#- Which raw rows are copies of each other: the same id; a row without an id (or a blank one) is
    a copy only of a row equal in every other column. Shared by staging (dedupe) and reconciliation (count). -#}
{% macro engagement_row_key(id_column, other_columns) %}
    {#- Each value is written as 'v' and its text with '~' and '|' escaped ('n' for null), so two
        different rows can never spell the same string: ('a|b', 'c') and ('a', 'b|c') stay apart.
        Each column's text appears once: repeating it (as a length prefix did) made DuckDB compute
        it for every row, also for the rows that have an id (docs/benchmarks.md). -#}
    {%- set parts = [] -%}
    {%- for column in other_columns -%}
        {%- set text = "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")" -%}
        {%- set escaped = "replace(replace(" ~ text ~ ", '~', '~~'), '|', '~p')" -%}
        {%- do parts.append("coalesce(" ~ dbt.concat(["'v'", escaped]) ~ ", 'n')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    coalesce(
        {{ engagement_clean_id(id_column) }},
        {{ dbt.concat(["'no-id:'", dbt.hash(dbt.concat(parts))]) }}
    )
{%- endmacro %}

{#- Keeps one row per key: earliest timestamp, then the other columns, so the choice never
    depends on load order. `relation` is a relation, a CTE name or a parenthesised subquery
    without alias.
    Nearly every key occurs once, so only keys that have copies go through the sort: sorting all
    rows by every column was the most expensive step of a build (docs/benchmarks.md). Copies are
    found on a hash of the key where the engine has a cheap one; two keys sharing a hash only
    send both to the sort, which still partitions by the key itself. -#}
{% macro engagement_deduplicate(relation, key_column, order_columns) %}
    {%- set copied_keys -%}
        (
            select {{ engagement_key_hash(key_column) }} as copied_key
            from {{ relation }} as all_rows
            group by {{ engagement_key_hash(key_column) }}
            having count(*) > 1
        )
    {%- endset %}
    select
        single_rows.*,
        1 as copy_number
    from {{ relation }} as single_rows
    left join {{ copied_keys }} as copied
        on {{ engagement_key_hash('single_rows.' ~ key_column) }} = copied.copied_key
    where copied.copied_key is null
    union all
    select *
    from (
        select
            copied_rows.*,
            row_number() over (
                partition by copied_rows.{{ key_column }}
                order by
                {%- for column in order_columns %}
                    copied_rows.{{ column }} asc nulls last{{ "," if not loop.last }}
                {%- endfor %}
            ) as copy_number
        from {{ relation }} as copied_rows
        inner join {{ copied_keys }} as copied
            on {{ engagement_key_hash('copied_rows.' ~ key_column) }} = copied.copied_key
    ) as numbered
    where copy_number = 1
{%- endmacro %}

{#- A small, fast stand-in for a key when looking for copies (collisions are harmless, see
    engagement_deduplicate); the key itself where the engine has no cheap 64-bit hash. -#}
{% macro engagement_key_hash(expression) %}
    {{ return(adapter.dispatch('engagement_key_hash', 'customer_engagement')(expression)) }}
{% endmacro %}

{% macro default__engagement_key_hash(expression) %}{{ expression }}{% endmacro %}

{% macro duckdb__engagement_key_hash(expression) %}hash({{ expression }}){% endmacro %}

{% macro spark__engagement_key_hash(expression) %}xxhash64({{ expression }}){% endmacro %}

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
        )
    {%- endset -%}
    {{ engagement_deduplicate(keyed, 'source_row_key', row_columns) }}
{%- endmacro %}
