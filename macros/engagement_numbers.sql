{#- 100 × (later − earlier) / |earlier| of two scores (2 decimals), rounded half away from zero to
    2 decimals like the score; null when earlier is 0 or null. Worked out in whole hundredths:
    DuckDB divides decimals in floating point, which rounds -79.975 to -79.97. Published as a
    double like every other ratio: the exact hundredths cast once, so -79.98 reads as -79.98. -#}
{% macro engagement_percent_change(later, earlier) %}
    {%- set change = "cast(round(100 * (" ~ later ~ " - " ~ earlier ~ "), 0) as " ~ dbt.type_bigint() ~ ")" -%}
    {%- set base = "cast(round(100 * abs(" ~ earlier ~ "), 0) as " ~ dbt.type_bigint() ~ ")" -%}
    {%- set hundredths = engagement_integer_divide("20000 * abs(" ~ change ~ ") + " ~ base, "2 * " ~ base) -%}
    cast(
        case
            when {{ base }} <> 0
                then 0.01 * case when {{ change }} < 0 then -{{ hundredths }} else {{ hundredths }} end
        end
        as {{ engagement_type_double() }}
    )
{%- endmacro %}

{#- a div b of two whole numbers a >= 0, b > 0. -#}
{% macro engagement_integer_divide(numerator, denominator) %}
    {{ return(adapter.dispatch('engagement_integer_divide', 'customer_engagement')(numerator, denominator)) }}
{% endmacro %}

{% macro default__engagement_integer_divide(numerator, denominator) -%}
    cast(floor(cast({{ numerator }} as {{ dbt.type_numeric() }}) / ({{ denominator }})) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__engagement_integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro postgres__engagement_integer_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ dbt.type_bigint() }}) / cast({{ denominator }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{% macro spark__engagement_integer_divide(numerator, denominator) -%}
    (cast({{ numerator }} as bigint) div cast({{ denominator }} as bigint))
{%- endmacro %}

{#- Whole microseconds from one timestamp to a later one. dbt.datediff counts the boundaries of
    the unit crossed: in seconds, 10:00:00.9 to 10:00:01.1 is 1 on DuckDB, and Spark's drops the
    fractions of a second; microseconds are what the timestamps hold. -#}
{% macro engagement_microseconds_between(earlier, later) %}
    {{ return(adapter.dispatch('engagement_microseconds_between', 'customer_engagement')(earlier, later)) }}
{% endmacro %}

{% macro default__engagement_microseconds_between(earlier, later) -%}
    cast({{ dbt.datediff(earlier, later, 'microsecond') }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro spark__engagement_microseconds_between(earlier, later) -%}
    (unix_micros({{ later }}) - unix_micros({{ earlier }}))
{%- endmacro %}

{#- Points before the score is rounded: a weight (6 decimals) times units (minutes are kept to 6
    decimals) needs 12 to stay exact, and the score is the rounding of their exact sum. 18 whole
    digits leave room for sums of these (38 digits) on every engine. -#}
{% macro engagement_type_points() %}
    {{ return(adapter.dispatch('engagement_type_points', 'customer_engagement')()) }}
{% endmacro %}

{% macro default__engagement_type_points() %}numeric(30, 12){% endmacro %}

{% macro spark__engagement_type_points() %}decimal(30, 12){% endmacro %}

{#- weight × units, exact. -#}
{% macro engagement_weighted_points(weight, units) %}
    {{ return(adapter.dispatch('engagement_weighted_points', 'customer_engagement')(weight, units)) }}
{% endmacro %}

{% macro default__engagement_weighted_points(weight, units) -%}
    cast({{ weight }} * {{ units }} as {{ engagement_type_points() }})
{%- endmacro %}

{#- Spark cuts a product that needs more than 38 digits to 6 decimals (decimal(28, 6) × decimal(28, 6)
    would), so both sides are narrowed first: 18 + 18 digits fit with all 12 decimals. -#}
{% macro spark__engagement_weighted_points(weight, units) -%}
    cast(cast({{ weight }} as decimal(18, 6)) * cast({{ units }} as decimal(18, 6)) as {{ engagement_type_points() }})
{%- endmacro %}

{#- amount when direction is 1, -amount when it is -1. A sign flip, not a product: Spark types
    direction × a wide decimal (a sum of points) as needing more than 38 digits and drops its
    decimals down to 6. -#}
{% macro engagement_signed(amount, direction) -%}
    case when {{ direction }} = 1 then {{ amount }} else -{{ amount }} end
{%- endmacro %}
