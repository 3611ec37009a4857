{#- Shared pieces of the engagement analytics models (sessions, derived events, analytics marts). -#}

{#- A list of names (a list var's value) as SQL string literals for an `in (...)` list. -#}
{% macro engagement_in_list(values, lower_case=false) %}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- set value = value | lower if lower_case else value -%}
        {%- do literals.append("'" ~ value | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    ({{ literals | join(', ') }})
{%- endmacro %}

{% macro engagement_extra_segment_columns() %}
    {%- set contract = ['customer_id', 'account_id', 'signed_up_at', 'plan', 'country', 'persona'] -%}
    {{ return(engagement_segment_columns() | reject('in', contract) | list) }}
{% endmacro %}

{#- Columns of a staging model that is switched off by `engagement_using_<table>: false` would not
    exist; this reads them when the table is on and gives the same columns with no rows when off,
    so the models downstream keep one shape. `columns` maps column name to SQL type. -#}
{% macro engagement_staged_columns(table, columns) %}
    {%- if engagement_uses_table(table) %}
        select {{ columns.keys() | join(', ') }}
        from {{ ref('stg_engagement__' ~ table) }}
    {%- else %}
        select
        {%- for name, sql_type in columns.items() %}
            cast(null as {{ sql_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
        from {{ ref('int_engagement__customers') }}
        where 1 = 0
    {%- endif %}
{%- endmacro %}

{#- numerator / denominator as a double (like the tier summary's share_of_customers); null (not an
    error) when the denominator is 0 or null. Not rounded, so shares of a whole sum to 1 (1/3 in
    six decimals would leave 0.999999). -#}
{% macro engagement_ratio(numerator, denominator) %}
    case
        when {{ denominator }} <> 0
            then cast({{ numerator }} as {{ engagement_type_double() }})
            / cast({{ denominator }} as {{ engagement_type_double() }})
    end
{%- endmacro %}

{#- Days between two dates or timestamps, as whole days between their UTC dates. -#}
{% macro engagement_days_between(earlier, later) %}
    cast({{ dbt.datediff('cast(' ~ earlier ~ ' as date)', 'cast(' ~ later ~ ' as date)', 'day') }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- Whether a tier counts as engaged (var engagement_engaged_tiers). -#}
{% macro engagement_is_engaged(tier_column) %}
    {{ tier_column }} in {{ engagement_in_list(engagement_engaged_tiers()) }}
{%- endmacro %}

{#- Median of an aggregate group, interpolated between the middle two values. The input is cast
    to the package's numeric type first: DuckDB's median keeps the input's scale (59.92 and 59.93
    would give 59.92, not 59.925), and PostgreSQL and Spark work on doubles. -#}
{% macro engagement_median(expression) %}
    {{ return(adapter.dispatch('engagement_median', 'customer_engagement')(expression)) }}
{% endmacro %}

{% macro default__engagement_median(expression) -%}
    percentile_cont(0.5) within group (order by cast({{ expression }} as {{ dbt.type_numeric() }}))
{%- endmacro %}

{% macro duckdb__engagement_median(expression) -%}
    median(cast({{ expression }} as {{ dbt.type_numeric() }}))
{%- endmacro %}

{% macro spark__engagement_median(expression) -%}
    percentile(cast({{ expression }} as {{ dbt.type_numeric() }}), 0.5)
{%- endmacro %}
