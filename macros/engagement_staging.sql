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
    a copy only of a row equal in every other column. Shared by staging (dedupe) and reconciliation
    (count). `trim_id`: the id is compared trimmed (customer ids), else as sent. -#}
{% macro engagement_row_key(id_column, other_columns, trim_id=false) %}
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
        {{ engagement_clean_text(id_column) if trim_id else engagement_clean_id(id_column) }},
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
    {{ return(adapter.dispatch('engagement_deduplicate', 'customer_engagement')(relation, key_column, order_columns)) }}
{% endmacro %}

{% macro default__engagement_deduplicate(relation, key_column, order_columns) %}
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

{#- PostgreSQL keeps the first row of each key in one sort: the plan above hashed all keys twice
    (once per parallel worker) and sorted every row for the few copies, and took 1.8 times as long
    (docs/benchmarks.md). The key it is used on, a row key, is never null: distinct on would keep
    one row of a null key, the plan above all of them. -#}
{% macro postgres__engagement_deduplicate(relation, key_column, order_columns) %}
    select distinct on (all_rows.{{ key_column }})
        all_rows.*,
        1 as copy_number
    from {{ relation }} as all_rows
    order by
        all_rows.{{ key_column }},
        {%- for column in order_columns %}
            all_rows.{{ column }} asc nulls last{{ "," if not loop.last }}
        {%- endfor %}
{%- endmacro %}

{#- A small, fast stand-in for a key when looking for copies (collisions are harmless, see
    engagement_deduplicate); the key itself where the engine has no cheap 64-bit hash. -#}
{% macro engagement_key_hash(expression) %}
    {{ return(adapter.dispatch('engagement_key_hash', 'customer_engagement')(expression)) }}
{% endmacro %}

{% macro default__engagement_key_hash(expression) %}{{ expression }}{% endmacro %}

{% macro duckdb__engagement_key_hash(expression) %}hash({{ expression }}){% endmacro %}

{% macro spark__engagement_key_hash(expression) %}xxhash64({{ expression }}){% endmacro %}

{#- Deduplicates one raw table: keys each row (engagement_row_key) and keeps the copy with the
    earliest timestamp, ties broken by the id and then the other columns in contract order.
    `typed_columns` maps the columns read as a type to their kind (see engagement_read_value): each
    comes out as <column>_value (typed, null when missing or unreadable) and <column>_problem (what
    is wrong with a present but unreadable value, else null). The timestamp column must be one.
    Every row also gets `loaded_at`, the raw load time (var engagement_loaded_at_column; null
    when unset). In an incremental run only the rows loaded since the model's latest load time
    (less engagement_load_lookback_hours) are read, with every raw copy of the ids they carry, so
    each key touched is deduplicated again over all its copies; a row without an id is a copy only
    of equal rows, so its new copies alone give the row to keep. A row without a readable load time
    is read on every run: it is never lost. `load_time=false` for a table read whole on every run
    (customers), which need not carry the load-time column. -#}
{% macro engagement_deduplicate_rows(relation, id_column, timestamp_column, other_columns, typed_columns, trim_id=false, load_time=true) %}
    {%- set text_columns = engagement_text_columns(relation) -%}
    {%- set row_columns = [timestamp_column ~ '_value', id_column] + other_columns -%}
    {%- set loaded_at_column = engagement_loaded_at_column() if load_time else none -%}
    {%- if loaded_at_column is none -%}
        {%- set loaded_at = 'cast(null as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- else -%}
        {%- set loaded_at = engagement_read_value(loaded_at_column, 'timestamp', text_columns) -%}
    {%- endif -%}
    {%- set id = engagement_clean_text(id_column) if trim_id else engagement_clean_id(id_column) -%}
    {%- set keyed -%}
        (
            select
                {{ engagement_row_key(id_column, [timestamp_column] + other_columns, trim_id) }} as source_row_key,
                {%- for column, kind in typed_columns.items() %}
                    {{ engagement_read_value(column, kind, text_columns) }} as {{ column }}_value,
                    {{ engagement_unreadable_value(column, kind, text_columns) }} as {{ column }}_problem,
                {%- endfor %}
                {{ loaded_at }} as loaded_at,
                {{ ([timestamp_column, id_column] + other_columns) | join(', ') }}
            from {{ relation }}
            {%- if loaded_at_column is not none and is_incremental() %}
                {%- set is_new = engagement_is_newly_loaded(loaded_at, engagement_load_watermark(this)) %}
                {#- A join, not `or id in (...)`: PostgreSQL runs an IN under an OR as a nested
                    loop over the new ids once they outgrow work_mem (minutes at 1M rows). #}
                left join (
                    select distinct {{ id }} as touched_id
                    from {{ relation }}
                    where {{ is_new }}
                ) as touched
                    on {{ id }} = touched.touched_id
                where
                    touched.touched_id is not null
                    or ({{ id }} is null and {{ is_new }})
            {%- endif %}
        )
    {%- endset -%}
    {{ engagement_deduplicate(keyed, 'source_row_key', row_columns) }}
{%- endmacro %}

{#- The load time after which an incremental run of `relation` (a model with a `loaded_at`
    column) reads rows again: the newest load time it holds, less engagement_load_lookback_hours.
    A load time after the run started is a loader's clock gone wrong: such rows are read again on
    every run instead of hiding the rows loaded before them. -#}
{% macro engagement_load_watermark(relation) %}
    {%- set latest = '(select max(loaded_at) from ' ~ relation ~ ' where loaded_at <= '
        ~ engagement_timestamp_literal(run_started_at) ~ ')' -%}
    {{- return(dbt.dateadd('hour', -engagement_load_lookback_hours(), latest)) -}}
{% endmacro %}

{#- Whether a row loaded at `loaded_at` is read again: after the watermark, or without a readable
    load time (such rows are never lost). -#}
{% macro engagement_is_newly_loaded(loaded_at, watermark) %}
    {{- return('coalesce(' ~ loaded_at ~ ' > ' ~ watermark ~ ', true)') -}}
{% endmacro %}

{#- Lower-case names of a relation's text columns. Loaders often land every column as text; only
    those columns pay for a checked cast. Empty while dbt parses. (Column.is_string() does not
    know Spark's and BigQuery's `string`.) -#}
{% macro engagement_text_columns(relation) %}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- set text_types = ['text', 'string', 'varchar', 'character varying', 'character', 'char', 'nvarchar', 'bpchar'] -%}
        {%- for column in adapter.get_columns_in_relation(relation)
            if column.is_string() or (column.dtype | lower).split('(')[0] | trim in text_types -%}
            {%- do names.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{% endmacro %}

{#- A raw column as its kind (timestamp, date, integer or boolean): a text column through a cast
    that gives null instead of failing on text that is not one; other columns cast as they are. -#}
{% macro engagement_read_value(column, kind, text_columns) %}
    {%- if column | lower in text_columns -%}
        {{ engagement_safe_cast(engagement_clean_text(column), kind) }}
    {%- else -%}
        cast({{ column }} as {{ engagement_kind_type(kind) }})
    {%- endif -%}
{%- endmacro %}

{#- Why a present value of a text column cannot be read as its kind, naming the column and the
    value (its first 60 characters); null when it can (or is missing). -#}
{% macro engagement_unreadable_value(column, kind, text_columns) %}
    {%- if column | lower in text_columns -%}
        {%- set text = engagement_clean_text(column) -%}
        case
            when {{ text }} is not null and {{ engagement_safe_cast(text, kind) }} is null
                then {{ dbt.concat([
                    engagement_string_literal(column ~ " '"),
                    "substring(" ~ text ~ ", 1, 60)",
                    engagement_string_literal("' is not " ~ engagement_kind_phrase(kind)),
                ]) }}
        end
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{% macro engagement_kind_type(kind) %}
    {{ return({
        'timestamp': dbt.type_timestamp(),
        'date': 'date',
        'integer': dbt.type_int(),
        'boolean': dbt.type_boolean(),
    }[kind]) }}
{% endmacro %}

{% macro engagement_kind_phrase(kind) %}
    {{ return({
        'timestamp': 'a timestamp',
        'date': 'a date',
        'integer': 'a whole number',
        'boolean': 'true or false',
    }[kind]) }}
{% endmacro %}

{#- Text (trimmed, blank as null) as a kind, or null when it is not one. Whole numbers and
    booleans are read by one rule on every engine (engines disagree: DuckDB rounds '10.5' to 11);
    timestamps and dates by the engine's own lenient cast (ISO 8601 everywhere). -#}
{% macro engagement_safe_cast(text, kind) %}
    {%- if kind == 'integer' -%}
        case
            when {{ engagement_regex_matches(text, '^[+-]?[0-9]{1,9}$') }}
                then cast({{ text }} as {{ dbt.type_int() }})
        end
    {%- elif kind == 'boolean' -%}
        case
            when lower({{ text }}) in ('true', 't', 'yes', 'y', '1') then true
            when lower({{ text }}) in ('false', 'f', 'no', 'n', '0') then false
        end
    {%- elif kind == 'date' -%}
        cast({{ engagement_try_cast_timestamp(text) }} as date)
    {%- else -%}
        {{ engagement_try_cast_timestamp(text) }}
    {%- endif -%}
{%- endmacro %}

{% macro engagement_try_cast_timestamp(text) %}
    {{ return(adapter.dispatch('engagement_try_cast_timestamp', 'customer_engagement')(text)) }}
{% endmacro %}

{% macro default__engagement_try_cast_timestamp(text) -%}
    try_cast({{ text }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro bigquery__engagement_try_cast_timestamp(text) -%}
    safe_cast({{ text }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- PostgreSQL 15 has no try_cast: the text must be an ISO 8601 date or date-time (optionally with
    a zone, which a timestamp without time zone ignores, as its cast does) and a real calendar
    date and time before it is cast. A CASE tests its branches in order, so no substring is cast
    before the pattern matched. -#}
{% macro postgres__engagement_try_cast_timestamp(text) -%}
    {%- set year = 'cast(substring(' ~ text ~ ', 1, 4) as integer)' -%}
    {%- set month = 'cast(substring(' ~ text ~ ', 6, 2) as integer)' -%}
    {%- set day = 'cast(substring(' ~ text ~ ', 9, 2) as integer)' -%}
    case
        when not {{ engagement_regex_matches(text, '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$') }}
            then null
        when {{ year }} < 1 or {{ month }} not between 1 and 12 or {{ day }} < 1 then null
        when {{ day }} > case
            when {{ month }} = 2
                then case when mod({{ year }}, 4) = 0 and (mod({{ year }}, 100) <> 0 or mod({{ year }}, 400) = 0) then 29 else 28 end
            when {{ month }} in (4, 6, 9, 11) then 30
            else 31
        end then null
        when length({{ text }}) > 10
            and (cast(substring({{ text }}, 12, 2) as integer) > 23 or cast(substring({{ text }}, 15, 2) as integer) > 59)
            then null
        when substring({{ text }}, 17, 1) = ':' and cast(substring({{ text }}, 18, 2) as integer) > 59 then null
        else cast({{ text }} as {{ dbt.type_timestamp() }})
    end
{%- endmacro %}

{#- Whether text matches a regular expression (write patterns without backslashes: Spark reads
    them as escapes in a literal). -#}
{% macro engagement_regex_matches(text, pattern) %}
    {{ return(adapter.dispatch('engagement_regex_matches', 'customer_engagement')(text, pattern)) }}
{% endmacro %}

{% macro default__engagement_regex_matches(text, pattern) -%}
    regexp_like({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__engagement_regex_matches(text, pattern) -%}
    regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__engagement_regex_matches(text, pattern) -%}
    ({{ text }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__engagement_regex_matches(text, pattern) -%}
    ({{ text }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro bigquery__engagement_regex_matches(text, pattern) -%}
    regexp_contains({{ text }}, r'{{ pattern }}')
{%- endmacro %}

{#- The first of a row's value problems (SQL text expressions, null when fine), or null. -#}
{% macro engagement_first_problem(problems) %}
    coalesce(
        {%- for problem in problems %}
            {{ problem }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }})
    )
{%- endmacro %}

{#- A timestamp before engagement_min_event_date, named as the raw column `name`. -#}
{% macro engagement_early_timestamp_problem(timestamp, name) %}
    {%- set min_date = engagement_min_event_date() -%}
    case
        when {{ timestamp }} < {{ engagement_date_literal(min_date) }}
            then {{ dbt.concat([
                engagement_string_literal(name ~ ' '),
                'cast(' ~ timestamp ~ ' as ' ~ dbt.type_string() ~ ')',
                engagement_string_literal(' is before engagement_min_event_date ' ~ min_date),
            ]) }}
    end
{%- endmacro %}

{% macro engagement_missing_value_problem(expression, name) %}
    case when {{ expression }} is null then '{{ name }} is missing' end
{%- endmacro %}
